using CaseSystem.CardStation.Card;

namespace CaseSystem.CardStation.Station;

/// <summary>
/// A PIN as typed, key by key, into a fixed char array: never a string, so it can be wiped.
/// Cleared by the check that uses it, and again on Dispose.
/// </summary>
public sealed class PinBuffer : IDisposable
{
    public const int MaxLength = 16;
    private readonly char[] _chars = new char[MaxLength];

    public int Length { get; private set; }

    public ReadOnlySpan<char> Span => _chars.AsSpan(0, Length);

    /// <summary>The array itself, for the test that it is wiped.</summary>
    internal char[] Chars => _chars;

    public bool TryAdd(char c)
    {
        if (Length == MaxLength) return false;
        _chars[Length++] = c;
        return true;
    }

    public bool RemoveLast()
    {
        if (Length == 0) return false;
        _chars[--Length] = '\0';
        return true;
    }

    public void Clear()
    {
        Array.Clear(_chars);
        Length = 0;
    }

    public void Dispose() => Clear();
}

/// <summary>Reads a PIN from the keyboard, masked: one '*' per key, Backspace removes, Enter ends, Esc cancels.</summary>
public static class PinEntry
{
    /// <summary>True when Enter ended the entry; false when Esc cancelled it (the buffer then empty).</summary>
    public static bool Read(Func<ConsoleKeyInfo> readKey, TextWriter echo, PinBuffer into, PinKind kind)
    {
        while (true)
        {
            var key = readKey();
            switch (key.Key)
            {
                case ConsoleKey.Enter:
                    echo.WriteLine();
                    return true;
                case ConsoleKey.Escape:
                    into.Clear();
                    echo.WriteLine();
                    return false;
                case ConsoleKey.Backspace:
                    if (into.RemoveLast()) echo.Write("\b \b");
                    break;
                default:
                    var c = kind == PinKind.Signing ? char.ToUpperInvariant(key.KeyChar) : key.KeyChar;
                    if (Accepts(kind, c) && into.TryAdd(c)) echo.Write('*');
                    break;
            }
            echo.Flush();
        }
    }

    private static bool Accepts(PinKind kind, char c) => kind == PinKind.UserAuthentication
        ? c is >= '0' and <= '9'
        : c is >= '0' and <= '9' or >= 'A' and <= 'Z';
}
