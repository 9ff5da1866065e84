namespace CaseSystem.CardStation.Pcsc;

/// <summary>
/// The case system must never handle the My Number. It lives in the card-info input-support AP
/// (券面事項入力補助AP), so no command that could select that AP leaves the station: a SELECT by
/// name whose AID is that AP's, a prefix of it (a partial name selects the first match), or starts with it.
/// This sits in the transmit path itself so that no caller, present or future, can get around it.
/// </summary>
public static class ApduGuard
{
    public static ReadOnlySpan<byte> CardInfoAid => [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08];

    public static bool IsForbidden(ReadOnlySpan<byte> command)
    {
        if (command.Length < 5 || command[1] != 0xA4 || (command[2] & 0xFC) != 0x04) return false;   // SELECT by DF name (P1 04..07)
        var data = CommandData(command);
        if (data.IsEmpty) return false;
        return CardInfoAid.StartsWith(data) || data.StartsWith(CardInfoAid);
    }

    public static void EnsureAllowed(ReadOnlySpan<byte> command)
    {
        if (IsForbidden(command))
            throw new InvalidOperationException(
                "券面事項入力補助APの選択は禁止されています(マイナンバーを扱わないため)。 / Selecting the card-info AP is refused: the station never handles the My Number.");
    }

    /// <summary>The data field of a short or extended command APDU; empty when it has none or cannot be parsed.</summary>
    private static ReadOnlySpan<byte> CommandData(ReadOnlySpan<byte> command)
    {
        var body = command[4..];
        if (body.Length <= 1) return [];
        if (body[0] != 0) return body.Length >= 1 + body[0] ? body.Slice(1, body[0]) : body[1..];
        if (body.Length < 3) return [];
        var lc = body[1] << 8 | body[2];
        var rest = body[3..];
        return lc <= rest.Length ? rest[..lc] : rest;
    }
}
