using System.Globalization;
using CaseSystem.Cases.Renewal;

namespace CaseSystem.Cases.Api.Notices;

/// <summary>
/// Why one line is not imported: a stable <see cref="Reason"/> code, the column at fault when
/// there is one (its header name, never its value), and plain text in Japanese and English.
/// </summary>
public sealed record LineFault(string Reason, string? Column, string Ja, string En);

/// <summary>A line of the file read as a notice.</summary>
public sealed record NoticeLine(int Line, string NoticeNumber, Holder Holder, CertificateDates Expiry);

/// <summary>
/// The notice format's columns and how one line is read: every field trimmed, required ones
/// present, each within a length bound and without control characters, dates as ISO
/// (<c>1990-01-01</c>) or as Excel writes them (<c>1990/1/1</c>, <c>1990/01/01</c>). A field that
/// holds what looks like a My Number (12 digits in a row) refuses its line: it must not enter the
/// log. No message says what a field held.
/// </summary>
public static class NoticeLines
{
    public const string NoticeNumber = "notice_number";
    public const string NameKanji = "name_kanji";
    public const string NameKana = "name_kana";
    public const string BirthDate = "birth_date";
    public const string RegisteredAddress = "registered_address";
    public const string UserAuthenticationExpiry = "user_authentication_expiry";
    public const string SigningExpiry = "signing_expiry";

    public static readonly string[] Columns = [NoticeNumber, NameKanji, NameKana, BirthDate, RegisteredAddress, UserAuthenticationExpiry, SigningExpiry];

    /// <summary>The column a file may leave out: a holder without a signing certificate (under 15) has none.</summary>
    public const string Optional = SigningExpiry;

    /// <summary>Length bounds (characters): what is read enters the log for good and is shown on every screen.</summary>
    private static readonly Dictionary<string, int> MaxLength = new()
    {
        [NoticeNumber] = 40, [NameKanji] = 100, [NameKana] = 100, [RegisteredAddress] = 200,
        [BirthDate] = 10, [UserAuthenticationExpiry] = 10, [SigningExpiry] = 10,
    };

    private static readonly Dictionary<string, (string Ja, string En)> Names = new()
    {
        [NoticeNumber] = ("通知書番号", "notice_number"),
        [NameKanji] = ("氏名(漢字)", "name_kanji"),
        [NameKana] = ("氏名(カナ)", "name_kana"),
        [BirthDate] = ("生年月日", "birth_date"),
        [RegisteredAddress] = ("住所", "registered_address"),
        [UserAuthenticationExpiry] = ("利用者証明用電子証明書の有効期限", "user_authentication_expiry"),
        [SigningExpiry] = ("署名用電子証明書の有効期限", "signing_expiry"),
    };

    private static readonly string[] DateFormats = ["yyyy-MM-dd", "yyyy/M/d"];

    /// <summary>The line as a notice, or why it is not one.</summary>
    public static (NoticeLine? Notice, LineFault? Fault) Read(CsvRecord record, IReadOnlyDictionary<string, int> header)
    {
        if (record.Fields.Length != header.Count)
        {
            return (null, new LineFault("field-count", null,
                $"列の数({record.Fields.Length})が見出し({header.Count})と違います。", $"{record.Fields.Length} fields where the header has {header.Count}."));
        }
        string Field(string column) => header.TryGetValue(column, out var i) ? record.Fields[i].Trim() : "";

        // Every field is checked for what must never enter, before anything is read from any.
        foreach (var column in Columns)
        {
            var value = Field(column);
            if (value.Length > MaxLength[column]) return (null, Fault("too-long", column, $"が長すぎます({MaxLength[column]}文字まで)。", $" is longer than {MaxLength[column]} characters."));
            if (HasControl(value)) return (null, Fault("control-character", column, "に制御文字があります。", " holds a control character."));
            if (MyNumbers.LooksLikeOne(value))
            {
                return (null, Fault("my-number-like", column, "に個人番号のような12桁の数字があります。個人番号は取り込みません。",
                    " holds a 12-digit number like a My Number; My Numbers are never imported."));
            }
        }
        foreach (var column in new[] { NoticeNumber, NameKanji, NameKana, RegisteredAddress, BirthDate, UserAuthenticationExpiry })
        {
            if (Field(column).Length == 0) return (null, Fault("missing-field", column, "がありません。", " is empty."));
        }
        if (!Date(Field(BirthDate), out var birth)) return (null, BadDate(BirthDate));
        if (!Date(Field(UserAuthenticationExpiry), out var userExpiry)) return (null, BadDate(UserAuthenticationExpiry));
        DateOnly? signing = null;
        if (Field(SigningExpiry) is { Length: > 0 } signingText)
        {
            if (!Date(signingText, out var s)) return (null, BadDate(SigningExpiry));
            signing = s;
        }
        if (birth.Year < 1900) return (null, Fault("date-out-of-range", BirthDate, "が1900年より前です。", " is before 1900."));
        if (birth >= userExpiry || (signing is { } se && birth >= se))
        {
            return (null, Fault("birth-after-expiry", BirthDate, "が有効期限より後です。", " is after the expiry."));
        }
        return (new NoticeLine(record.Line, Field(NoticeNumber),
            new Holder(Field(NameKanji), Field(NameKana), birth, Field(RegisteredAddress)), new CertificateDates(userExpiry, signing)), null);
    }

    /// <summary>The columns in which the notice's data differs from what the case holds (for a conflict's report: names, not values).</summary>
    public static IReadOnlyList<string> DifferingColumns(Holder was, CertificateDates wasExpiry, Holder now, CertificateDates nowExpiry)
    {
        var columns = new List<string>();
        if (was.NameKanji != now.NameKanji) columns.Add(NameKanji);
        if (was.NameKana != now.NameKana) columns.Add(NameKana);
        if (was.BirthDate != now.BirthDate) columns.Add(BirthDate);
        if (was.RegisteredAddress != now.RegisteredAddress) columns.Add(RegisteredAddress);
        if (wasExpiry.UserAuthenticationExpiry != nowExpiry.UserAuthenticationExpiry) columns.Add(UserAuthenticationExpiry);
        if (wasExpiry.SigningExpiry != nowExpiry.SigningExpiry) columns.Add(SigningExpiry);
        return columns;
    }

    private static bool Date(string text, out DateOnly date) =>
        DateOnly.TryParseExact(text, DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out date);

    private static LineFault BadDate(string column) => Fault("bad-date", column,
        "は日付として読めません(1990-01-01 か 1990/1/1 の形で記入してください)。", " is not a date (write 1990-01-01 or 1990/1/1).");

    private static LineFault Fault(string reason, string column, string ja, string en) =>
        new(reason, column, Names[column].Ja + ja, Names[column].En + en);

    /// <summary>C0 and C1 controls and DEL; a line break or tab inside a quoted field is allowed (addresses span lines).</summary>
    private static bool HasControl(string value)
    {
        foreach (var c in value)
        {
            if (c is '\n' or '\r' or '\t') continue;
            if (char.IsControl(c)) return true;
        }
        return false;
    }
}
