namespace CaseSystem.CardStation.Jpki;

/// <summary>SW1 SW2 of a response APDU.</summary>
public readonly record struct StatusWord(ushort Value)
{
    public StatusWord(byte sw1, byte sw2) : this((ushort)(sw1 << 8 | sw2)) { }

    public static readonly StatusWord Success = new(0x9000);
    public static readonly StatusWord EndOfFileBeforeLe = new(0x6282);
    public static readonly StatusWord SecurityStatusNotSatisfied = new(0x6982);
    public static readonly StatusWord AuthenticationMethodBlocked = new(0x6983);
    public static readonly StatusWord ReferenceDataNotUsable = new(0x6984);
    public static readonly StatusWord FileNotFound = new(0x6A82);

    public byte Sw1 => (byte)(Value >> 8);
    public byte Sw2 => (byte)Value;

    public bool IsSuccess => this == Success;

    /// <summary>Data came back: 9000, or 6282 when the file ended before Le bytes.</summary>
    public bool HasData => IsSuccess || this == EndOfFileBeforeLe;

    /// <summary>A PIN that cannot be used any more. Real cards' exact word is not confirmed, so all three count.</summary>
    public bool IsPinLocked => Value == 0x63C0 || this == AuthenticationMethodBlocked || this == ReferenceDataNotUsable;

    /// <summary>x of 63Cx (a wrong PIN, or the probe without data): the tries left; null for any other word.</summary>
    public int? TriesLeft => Sw1 == 0x63 && (Sw2 & 0xF0) == 0xC0 ? Sw2 & 0x0F : null;

    public override string ToString() => $"{Value:X4}";
}
