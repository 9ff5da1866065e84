using System.Globalization;
using CaseSystem.Cases.Api.Validation;
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
/// The notice format's columns and how one line is read. Each line goes through the command
/// edge's checks (<see cref="RequestErrors"/>, <see cref="RequestBounds"/>), so that nothing enters
/// the log by a file that a clerk could not type: every field trimmed, required ones present,
/// each within the edge's length bound (names, address) and without a character the edge refuses
/// (controls, line breaks and tabs, format characters such as U+202E; an address the edge takes on
/// one line only, so a file's two-line address is refused too), the birth date from 1900 to today
/// and the expiries from 2016 to ten years ahead as the edge takes them. Dates as ISO
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

    /// <summary>Length bounds (characters), the command edge's: what is read enters the log for good and is shown on every screen.</summary>
    private static readonly Dictionary<string, int> MaxLength = new()
    {
        [NoticeNumber] = RequestBounds.NoticeNumber, [NameKanji] = RequestBounds.Name, [NameKana] = RequestBounds.Name,
        [RegisteredAddress] = RequestBounds.Address, [BirthDate] = 10, [UserAuthenticationExpiry] = 10, [SigningExpiry] = 10,
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

    /// <summary>The line as a notice, or why it is not one; <paramref name="today"/> is the municipality's (Japan's) date, which bounds the dates as at the edge.</summary>
    public static (NoticeLine? Notice, LineFault? Fault) Read(CsvRecord record, IReadOnlyDictionary<string, int> header, DateOnly today)
    {
        if (record.Fields.Length != header.Count)
        {
            return (null, new LineFault("field-count", null,
                $"列の数({record.Fields.Length})が見出し({header.Count})と違います。", $"{record.Fields.Length} fields where the header has {header.Count}."));
        }
        string Field(string column) => header.TryGetValue(column, out var i)
            ? column == RegisteredAddress ? OneLine(record.Fields[i]) : record.Fields[i].Trim()
            : "";

        // Every field is checked for what must never enter, before anything is read from any.
        foreach (var column in Columns)
        {
            var value = Field(column);
            if (value.Length > MaxLength[column]) return (null, Fault("too-long", column, $"が長すぎます({MaxLength[column]}文字まで)。", $" is longer than {MaxLength[column]} characters."));
            if (RequestErrors.HasRefusedCharacter(value))
            {
                return (null, Fault("control-character", column, "に制御文字(改行・タブ・書式制御文字を含む)があります。",
                    " holds a control character (a line break, a tab or a format character such as a bidirectional override)."));
            }
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
        var (bornFrom, bornTo) = RequestBounds.BirthDates(today);
        if (birth < bornFrom || birth > bornTo) return (null, OutOfRange(BirthDate, bornFrom, bornTo));
        var (expiresFrom, expiresTo) = RequestBounds.CertificateExpiries(today);
        if (userExpiry < expiresFrom || userExpiry > expiresTo) return (null, OutOfRange(UserAuthenticationExpiry, expiresFrom, expiresTo));
        if (signing is { } sx && (sx < expiresFrom || sx > expiresTo)) return (null, OutOfRange(SigningExpiry, expiresFrom, expiresTo));
        if (birth >= userExpiry || (signing is { } se && birth >= se))
        {
            return (null, Fault("birth-after-expiry", BirthDate, "が有効期限より後です。", " is after the expiry."));
        }
        return (new NoticeLine(record.Line, Field(NoticeNumber),
            new Holder(Field(NameKanji), Field(NameKana), birth, Field(RegisteredAddress)), new CertificateDates(userExpiry, signing)), null);
    }

    /// <summary>
    /// An address as one line: Excel writes a cell whose address was split with Alt+Enter (the
    /// building on a line of its own) as a quoted field with a line break in it. The address is
    /// one line everywhere else (the command edge refuses line breaks), so each break is read as
    /// the full-width space a Japanese address puts between the street and the building.
    /// </summary>
    private static string OneLine(string address) =>
        string.Join('\u3000', address.Split(["\r\n", "\n", "\r"], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));

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

    private static LineFault OutOfRange(string column, DateOnly from, DateOnly to)
    {
        var (f, t) = (from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), to.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        return Fault("date-out-of-range", column, $"は{f}から{t}までの日付にしてください。", $" must be a date from {f} to {t}.");
    }

    private static LineFault Fault(string reason, string column, string ja, string en) =>
        new(reason, column, Names[column].Ja + ja, Names[column].En + en);
}
