using CaseSystem.CardStation.Card;

namespace CaseSystem.CardStation.Jpki;

/// <summary>The PINs' formats, checked before anything is sent: a PIN of the wrong shape must not cost a try.</summary>
public static class PinFormat
{
    public static bool IsValid(PinKind kind, ReadOnlySpan<char> pin) => kind switch
    {
        PinKind.UserAuthentication => pin.Length == 4 && !pin.ContainsAnyExceptInRange('0', '9'),
        PinKind.Signing => pin.Length is >= 6 and <= 16 && AllUpperAsciiOrDigits(pin),
        _ => false,
    };

    public static int TriesWhenFull(PinKind kind) => kind == PinKind.UserAuthentication ? 3 : 5;

    private static bool AllUpperAsciiOrDigits(ReadOnlySpan<char> pin)
    {
        foreach (var c in pin)
            if (!char.IsAsciiLetterUpper(c) && !char.IsAsciiDigit(c)) return false;
        return true;
    }
}
