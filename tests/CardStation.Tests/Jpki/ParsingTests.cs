using CaseSystem.CardStation.Card;
using CaseSystem.CardStation.Jpki;

namespace CaseSystem.CardStation.Tests.Jpki;

public class StatusWordTests
{
    [Theory]
    [InlineData(0x63C3, 3)]
    [InlineData(0x63C1, 1)]
    [InlineData(0x63C5, 5)]
    [InlineData(0x63C0, 0)]
    public void Tries_left_are_the_low_nibble_of_63Cx(int sw, int tries) => Assert.Equal(tries, new StatusWord((ushort)sw).TriesLeft);

    [Theory]
    [InlineData(0x9000)]
    [InlineData(0x6300)]
    [InlineData(0x6983)]
    [InlineData(0x62C3)]
    public void Other_words_carry_no_tries(int sw) => Assert.Null(new StatusWord((ushort)sw).TriesLeft);

    [Theory]
    [InlineData(0x63C0, true)]
    [InlineData(0x6983, true)]
    [InlineData(0x6984, true)]
    [InlineData(0x63C1, false)]
    [InlineData(0x9000, false)]
    [InlineData(0x6982, false)]
    public void Three_words_mean_locked(int sw, bool locked) => Assert.Equal(locked, new StatusWord((ushort)sw).IsPinLocked);

    [Fact]
    public void SW1_and_SW2_make_the_word()
    {
        var sw = new StatusWord(0x6A, 0x82);
        Assert.Equal(StatusWord.FileNotFound, sw);
        Assert.Equal((0x6A, 0x82), (sw.Sw1, sw.Sw2));
        Assert.Equal("6A82", sw.ToString());
        Assert.True(new StatusWord(0x62, 0x82).HasData);
        Assert.False(sw.HasData);
    }
}

public class DerHeaderTests
{
    [Theory]
    [InlineData(new byte[] { 0x30, 0x82, 0x04, 0x1A }, 4 + 0x041A)]
    [InlineData(new byte[] { 0x30, 0x82, 0x00, 0xFF }, 4 + 0xFF)]
    [InlineData(new byte[] { 0x30, 0x81, 0xC8, 0x02 }, 3 + 0xC8)]
    [InlineData(new byte[] { 0x30, 0x10, 0x02, 0x01 }, 2 + 0x10)]
    [InlineData(new byte[] { 0x30, 0x83, 0x01, 0x00, 0x00 }, 5 + 0x10000)]
    public void The_length_is_the_header_plus_the_content(byte[] start, int total) => Assert.Equal(total, DerHeader.TotalLength(start));

    [Theory]
    [InlineData(new byte[] { 0x31, 0x82, 0x04, 0x1A })]   // not a SEQUENCE
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF })]   // an erased file
    [InlineData(new byte[] { 0x00, 0x00, 0x00, 0x00 })]
    [InlineData(new byte[] { 0x30, 0x80, 0x00, 0x00 })]   // indefinite length: BER, not DER
    [InlineData(new byte[] { 0x30, 0x82, 0x04 })]          // cut short
    [InlineData(new byte[] { 0x30 })]
    public void What_is_not_a_DER_sequence_has_no_length(byte[] start) => Assert.Null(DerHeader.TotalLength(start));
}

public class PinFormatTests
{
    [Theory]
    [InlineData(PinKind.UserAuthentication, "0000", true)]
    [InlineData(PinKind.UserAuthentication, "9381", true)]
    [InlineData(PinKind.UserAuthentication, "938", false)]
    [InlineData(PinKind.UserAuthentication, "93812", false)]
    [InlineData(PinKind.UserAuthentication, "９３８１", false)]
    [InlineData(PinKind.UserAuthentication, "93 1", false)]
    [InlineData(PinKind.Signing, "ABC123", true)]
    [InlineData(PinKind.Signing, "A1B2C3D4E5F6G7H8", true)]
    [InlineData(PinKind.Signing, "123456", true)]
    [InlineData(PinKind.Signing, "ABC12", false)]
    [InlineData(PinKind.Signing, "A1B2C3D4E5F6G7H8I", false)]
    [InlineData(PinKind.Signing, "abc123", false)]
    [InlineData(PinKind.Signing, "ＡＢＣ１２３", false)]
    [InlineData(PinKind.Signing, "ABC_123", false)]
    public void PINs_have_their_kinds_shape(PinKind kind, string pin, bool valid) => Assert.Equal(valid, PinFormat.IsValid(kind, pin));

    [Fact]
    public void The_format_error_says_what_the_shape_is_in_Japanese_and_English()
    {
        var error = JpkiErrors.PinFormat(PinKind.UserAuthentication);
        Assert.Equal(CardErrorKind.PinFormat, error.Kind);
        Assert.Contains("数字4桁", error.MessageJa);
        Assert.Contains("4 digits", error.MessageEn);
    }
}

public class JapanDateTests
{
    [Fact]
    public void A_notAfter_after_15_00_UTC_falls_on_the_next_day_in_Japan()
    {
        var notAfter = new DateTime(2031, 3, 14, 15, 30, 0, DateTimeKind.Utc).ToLocalTime();
        Assert.Equal(new DateOnly(2031, 3, 15), JapanDate.Of(notAfter));
    }

    [Fact]
    public void A_notAfter_of_23_59_59_in_Japan_stays_on_its_day()
    {
        var notAfter = new DateTime(2030, 11, 2, 14, 59, 59, DateTimeKind.Utc).ToLocalTime();
        Assert.Equal(new DateOnly(2030, 11, 2), JapanDate.Of(notAfter));
    }
}

public class JpkiApTests
{
    [Fact]
    public void Selecting_the_JPKI_AP_is_the_command_the_card_expects() =>
        Assert.Equal(Convert.FromHexString("00A4040C0AD392F000260100000001"), JpkiAp.SelectAp());

    [Fact]
    public void Read_binary_puts_the_offset_in_P1_P2_and_256_as_Le_00()
    {
        Assert.Equal(Convert.FromHexString("00B0010FFF"), JpkiAp.ReadBinary(0x010F, 255));
        Assert.Equal(Convert.FromHexString("00B0000000"), JpkiAp.ReadBinary(0, 256));
        Assert.Throws<ArgumentOutOfRangeException>(() => JpkiAp.ReadBinary(0x8000, 4));
    }

    [Fact]
    public void Selecting_an_EF_names_its_file_id() => Assert.Equal(Convert.FromHexString("00A4020C02001B"), JpkiAp.SelectEf(JpkiAp.SigningPin));
}
