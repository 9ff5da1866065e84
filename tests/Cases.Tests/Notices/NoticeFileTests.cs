using System.Text;
using CaseSystem.Cases.Api.Notices;
using CaseSystem.Cases.Api.Validation;
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

    /// <summary>
    /// What kept our reader over Sep and Sylvan.Data.Csv (issue 15): the line named is the one the
    /// quote opens on even when the record began on an earlier line, and a quote inside an unquoted
    /// field (5"F, typed by hand) is a character, not the start of a field that would swallow the
    /// lines after it (as Sep reads it).
    /// </summary>
    [Fact]
    public void The_line_named_is_the_quote_s_own_and_a_quote_inside_a_field_swallows_no_line()
    {
        var (records, fault) = CsvRecords.Read("a,b,c\n1,\"x\ny\",\"open\n2,z\n");
        Assert.Equal(("unterminated-quote", 3), Pair(fault!));
        Assert.Equal([1], records.Select(r => r.Line));

        var (plain, none) = CsvRecords.Read("a,b\n1,5\"F\n2,z\n");
        Assert.Null(none);
        Assert.Equal([1, 2, 3], plain.Select(r => r.Line));
        Assert.Equal("5\"F", plain[1].Fields[1]);
    }

    private static readonly Dictionary<string, int> Header = NoticeLines.Columns.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => x.i);

    /// <summary>The day the lines are read on (Japan's date): it bounds the birth date and the expiries, as at the command edge.</summary>
    private static readonly DateOnly Today = new(2026, 3, 2);

    private static (NoticeLine? Notice, LineFault? Fault) Line(string csv) => NoticeLines.Read(new CsvRecord(2, csv.Split(',')), Header, Today);

    private static readonly string[] Good = ["H-1", "弘前 一郎", "ヒロサキ イチロウ", "1980-06-15", "青森県弘前市上白銀町1-1", "2026-06-15", "2026-06-15"];

    /// <summary>A good line with one column's value replaced (values may hold line breaks and tabs: fields are not split again).</summary>
    private static (NoticeLine? Notice, LineFault? Fault) LineWith(string column, string value)
    {
        var fields = Good.ToArray();
        fields[Array.IndexOf(NoticeLines.Columns, column)] = value;
        return NoticeLines.Read(new CsvRecord(2, fields), Header, Today);
    }

    /// <summary>
    /// What the command edge refuses, a line of a notice file is refused for too (the audit's holes):
    /// dates outside the edge's bounds, a birth date in the future even when it is before the expiry,
    /// line breaks and tabs in any field (the edge takes none in a name, an address or a number),
    /// and format characters such as U+202E (RLO), which char.IsControl lets through.
    /// </summary>
    [Theory]
    [InlineData("user_authentication_expiry", "2099-06-15", "date-out-of-range")]
    [InlineData("user_authentication_expiry", "2036/3/3", "date-out-of-range")]      // the day after ten years ahead
    [InlineData("user_authentication_expiry", "2015-12-31", "date-out-of-range")]    // before the first card
    [InlineData("signing_expiry", "2099/6/15", "date-out-of-range")]
    [InlineData("birth_date", "2026-03-03", "date-out-of-range")]                    // tomorrow, though before the expiry
    [InlineData("birth_date", "1899/12/31", "date-out-of-range")]
    [InlineData("name_kanji", "弘前\n一郎", "control-character")]
    [InlineData("name_kana", "ヒロサキ\tイチロウ", "control-character")]
    [InlineData("notice_number", "H-\n1", "control-character")]
    [InlineData("registered_address", "青森県弘前市\t上白銀町1-1", "control-character")]
    [InlineData("name_kanji", "弘前\u202E郎一", "control-character")]                // RLO: the wall display would show it reversed
    [InlineData("name_kana", "ヒロサキ\u200Bイチロウ", "control-character")]        // zero-width space
    [InlineData("notice_number", "H-\uFEFF1", "control-character")]
    [InlineData("registered_address", "青森県弘前市\u2066上白銀町\u2069", "control-character")]
    [InlineData("name_kanji", "弘前\u0085一郎", "control-character")]                 // C1 (NEL)
    public void A_line_the_command_edge_would_refuse_is_rejected_naming_its_column_not_its_value(string column, string value, string reason)
    {
        var (notice, fault) = LineWith(column, value);
        Assert.Null(notice);
        Assert.Equal((reason, column), (fault!.Reason, fault.Column));
        Assert.Matches(@"[\p{IsCJKUnifiedIdeographs}\p{IsHiragana}]", fault.Ja);
        Assert.StartsWith(column, fault.En);
        Assert.DoesNotContain(value.Trim(), fault.Ja + fault.En);
    }

    [Theory]
    [InlineData("青森県弘前市上白銀町1-1\nサンプルマンション101号室")]
    [InlineData("青森県弘前市上白銀町1-1\r\nサンプルマンション101号室")]
    [InlineData("青森県弘前市上白銀町1-1 \n\n サンプルマンション101号室\n")]
    public void An_address_excel_split_over_lines_is_read_as_one_line_with_a_full_width_space(string address)
    {
        // A cell split with Alt+Enter: the address is one line everywhere else (the command edge takes no break).
        var (notice, fault) = LineWith("registered_address", address);
        Assert.Null(fault);
        Assert.Equal("青森県弘前市上白銀町1-1\u3000サンプルマンション101号室", notice!.Holder.RegisteredAddress);
    }

    [Fact]
    public void The_bounds_are_the_command_edges_and_a_line_at_them_is_read()
    {
        // Born today, a certificate expiring ten years on or on the first day cards could expire, names and address at their length.
        var (notice, fault) = NoticeLines.Read(new CsvRecord(2,
            ["H-" + new string('N', RequestBounds.NoticeNumber - 2), new string('弘', RequestBounds.Name), new string('ヒ', RequestBounds.Name),
             "2026/3/2", new string('町', RequestBounds.Address), "2036-03-02", "2026-03-03"]), Header, Today);
        Assert.Null(fault);
        Assert.Equal((Today, new DateOnly(2036, 3, 2)), (notice!.Holder.BirthDate, notice.Expiry.UserAuthenticationExpiry));
        Assert.Equal(RequestBounds.BirthDates(Today), (new DateOnly(1900, 1, 1), Today));
        Assert.Equal(RequestBounds.CertificateExpiries(Today), (new DateOnly(2016, 1, 1), new DateOnly(2036, 3, 2)));
        Assert.Null(LineWith("user_authentication_expiry", "2016-01-01").Fault);

        // One character over the edge's bound refuses the line.
        Assert.Equal("too-long", LineWith("name_kanji", new string('弘', RequestBounds.Name + 1)).Fault!.Reason);
        Assert.Equal("too-long", LineWith("name_kana", new string('ヒ', RequestBounds.Name + 1)).Fault!.Reason);
        Assert.Equal("too-long", LineWith("registered_address", new string('町', RequestBounds.Address + 1)).Fault!.Reason);
        Assert.Equal("too-long", LineWith("notice_number", new string('N', RequestBounds.NoticeNumber + 1)).Fault!.Reason);
    }

    /// <summary>The one character test, for the edge and the notice file alike: controls and format characters, line breaks and tabs only in free text.</summary>
    [Theory]
    [InlineData('\n', true)]
    [InlineData('\t', true)]
    [InlineData('\u0007', false)]
    [InlineData('\u007F', false)]
    [InlineData('\u202E', false)]
    [InlineData('\u200D', false)]
    public void The_edge_refuses_these_characters(char c, bool inFreeText)
    {
        Assert.True(RequestErrors.IsRefused(c));
        Assert.Equal(!inFreeText, RequestErrors.IsRefused(c, freeText: true));
        Assert.False(RequestErrors.IsRefused('弘'));
        Assert.False(RequestErrors.IsRefused(' '));
    }

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
