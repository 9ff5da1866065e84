using System.Text;
using CaseSystem.Cases.Api.Notices;
using CaseSystem.Cases.Renewal;

namespace CaseSystem.Cases.Tests.Notices;

/// <summary>How a notice file's bytes become text and lines (no database): encodings, dates, what is refused.</summary>
public sealed class NoticeFileTests
{
    internal static readonly Encoding Cp932 = CreateCp932();

    private static Encoding CreateCp932()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding(932);
    }

    private const string Japanese = "notice_number,name_kanji\r\nH-1,髙橋 﨑子 ｶﾀｶﾅ ①\r\n";

    [Fact]
    public void UTF8_with_or_without_its_byte_order_mark_and_CP932_are_read_without_loss()
    {
        var plain = NoticeFileText.Decode(Encoding.UTF8.GetBytes(Japanese), null);
        Assert.Equal((Japanese, "utf-8"), (plain.Text!.Text, plain.Text.Encoding));
        var bom = NoticeFileText.Decode([.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(Japanese)], null);
        Assert.Equal((Japanese, "utf-8"), (bom.Text!.Text, bom.Text.Encoding));
        // CP932's own characters (NEC and IBM extensions: 髙, 﨑, ①) and half-width katakana.
        var sjis = NoticeFileText.Decode(Cp932.GetBytes(Japanese), null);
        Assert.Equal((Japanese, "shift_jis"), (sjis.Text!.Text, sjis.Text.Encoding));
        var declared = NoticeFileText.Decode(Cp932.GetBytes(Japanese), "Shift_JIS");
        Assert.Equal(Japanese, declared.Text!.Text);
        Assert.Equal(Japanese, NoticeFileText.Decode(Cp932.GetBytes(Japanese), "windows-31j").Text!.Text);
    }

    [Fact]
    public void A_declared_charset_is_taken_at_its_word_and_a_wrong_one_refuses_the_file_naming_the_line()
    {
        var bytes = Cp932.GetBytes("notice_number,name_kanji\nH-1,ABC\nH-2,弘前 一郎\n");
        var fault = NoticeFileText.Decode(bytes, "utf-8").Fault!;
        Assert.Equal(("bad-encoding", 3), (fault.Reason, fault.Line));
        Assert.Contains("Shift_JIS", fault.Ja);

        // UTF-8 "あ" (E3 81 82) before a line feed: 0x82 is a CP932 lead byte with no second byte.
        var utf8 = NoticeFileText.Decode(Encoding.UTF8.GetBytes("notice_number\nH-1\nあ\n"), "shift_jis");
        Assert.Equal(("bad-encoding", 3), (utf8.Fault!.Reason, utf8.Fault.Line));

        Assert.Equal(("unsupported-charset", null), Pair(NoticeFileText.Decode("a\n"u8, "iso-8859-1").Fault!));
        Assert.Equal(("unsupported-charset", null), Pair(NoticeFileText.Decode("a\n"u8, "utf-16").Fault!));
    }

    [Fact]
    public void Bytes_neither_UTF8_nor_CP932_refuse_the_file_naming_the_first_line_neither_reads()
    {
        // Line 3: a lone 0xFF (never in UTF-8; in CP932 only Windows' filler for an unused byte), after a line of valid UTF-8 Japanese.
        byte[] bytes = [.. "notice_number,name_kanji\nH-1,弘前\nH-2,"u8, 0xFF, .. "\nH-3,x\n"u8];
        Assert.Equal(("bad-encoding", 3), Pair(NoticeFileText.Decode(bytes, null).Fault!));
        // Latin-1 (an accented name): 0xE9 0x2C is no CP932 character.
        Assert.Equal(("bad-encoding", 2), Pair(NoticeFileText.Decode(Encoding.Latin1.GetBytes("a,b\nRen\u00e9,x\n"), null).Fault!));
        Assert.Equal(("bad-encoding", 2), Pair(NoticeFileText.Decode([.. "a,b\nH-1,"u8, 0x80, .. ",x\n"u8], null).Fault!));
        // UTF-16 (Excel's "Unicode text"), with its byte-order mark or without (NUL bytes).
        Assert.Equal(("utf-16", 1), Pair(NoticeFileText.Decode(Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes("a,b\n")).ToArray(), null).Fault!));
        Assert.Equal(("nul-byte", 1), Pair(NoticeFileText.Decode(Encoding.Unicode.GetBytes("a,b\n"), null).Fault!));
        Assert.Equal(("nul-byte", 2), Pair(NoticeFileText.Decode("a,b\nH-1,x\0y\n"u8, null).Fault!));
    }

    [Fact]
    public void A_quote_never_closed_refuses_the_file_naming_the_line_it_opens_on()
    {
        var (records, fault) = CsvRecords.Read("a,b\n1,\"x\ny\"\n2,z\n3,\"open\n4,w\n");
        Assert.Equal(("unterminated-quote", 5), Pair(fault!));
        Assert.Equal([1, 2, 4], records.Select(r => r.Line));
        var (ok, none) = CsvRecords.Read("a,b\r\n1,\"x\r\ny\"\r\n\r\n2,\"say \"\"hi\"\"\"\r\n");
        Assert.Null(none);
        Assert.Equal([1, 2, 5], ok.Select(r => r.Line));
        Assert.Equal("x\ny", ok[1].Fields[1]);
        Assert.Equal("say \"hi\"", ok[2].Fields[1]);
    }

    private static readonly Dictionary<string, int> Header = NoticeLines.Columns.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => x.i);

    private static (NoticeLine? Notice, LineFault? Fault) Line(string csv) => NoticeLines.Read(new CsvRecord(2, csv.Split(',')), Header);

    [Theory]
    [InlineData("1990-01-01")]
    [InlineData("1990/1/1")]
    [InlineData("1990/01/01")]
    [InlineData("1990/01/1")]
    public void Dates_are_read_as_ISO_and_as_Excel_writes_them(string birth)
    {
        var (notice, fault) = Line($"H-1,弘前 一郎,ヒロサキ イチロウ,{birth},青森県弘前市,2026/6/15,2026/06/15");
        Assert.Null(fault);
        Assert.Equal(new DateOnly(1990, 1, 1), notice!.Holder.BirthDate);
        Assert.Equal(new DateOnly(2026, 6, 15), notice.Expiry.UserAuthenticationExpiry);
        Assert.Equal(new DateOnly(2026, 6, 15), notice.Expiry.SigningExpiry);
    }

    [Theory]
    [InlineData("1990.1.1")]
    [InlineData("80/6/15")]
    [InlineData("1990/13/1")]
    [InlineData("1990-1-1x")]
    [InlineData("平成2年1月1日")]
    public void Other_date_forms_reject_the_line_naming_the_column(string birth)
    {
        var fault = Line($"H-1,弘前 一郎,ヒロサキ イチロウ,{birth},青森県弘前市,2026-06-15,").Fault!;
        Assert.Equal(("bad-date", "birth_date"), (fault.Reason, fault.Column));
        Assert.DoesNotContain(birth, fault.Ja + fault.En);
    }

    [Theory]
    [InlineData("123456789012", true)]
    [InlineData("1234 5678 9012", true)]
    [InlineData("1234-5678-9012", true)]
    [InlineData("１２３４５６７８９０１２", true)]
    [InlineData("番号123456789012です", true)]
    [InlineData("12345678901", false)]
    [InlineData("N-2026-000123", false)]
    [InlineData("JLIS-2026-03-000123", false)]
    [InlineData("青森県弘前市上白銀町1-1-1201", false)]
    [InlineData("１２３４ー５６７８ー９０１２", true)]
    [InlineData("1234−5678−9012", true)]
    [InlineData("1-2-3-4-5-6-7-8-9-0-1-2", false)]
    [InlineData("電話0267-62-2111", false)]
    public void What_looks_like_a_My_Number(string value, bool looksLike) => Assert.Equal(looksLike, MyNumbers.LooksLikeOne(value));

    private static (string, int?) Pair(FileFault fault) => (fault.Reason, fault.Line);
}
