using System.Globalization;
using System.Text;

namespace CaseSystem.Projections.RenewalRates;

/// <summary>A dimension the report can be grouped by.</summary>
public enum ReportDimension { CohortMonth, Office, WhoCame, AgeBand }

/// <summary>
/// What the report covers and how it is grouped. Every filter is optional; the municipality is
/// not a filter but the report's scope (<see cref="RenewalReportQuery.QueryAsync"/>).
/// </summary>
public sealed record ReportFilter
{
    /// <summary>First cohort month included (any day of it: the month counts).</summary>
    public DateOnly? CohortFrom { get; init; }

    /// <summary>Last cohort month included (any day of it: the month counts).</summary>
    public DateOnly? CohortTo { get; init; }

    /// <summary>An office id such as "shimin-ka".</summary>
    public string? Office { get; init; }

    /// <summary>"holder", "proxy" or "legal-representative" (<see cref="ReportCodes"/>).</summary>
    public string? WhoCame { get; init; }

    /// <summary>One of <see cref="ReportCodes.AgeBands"/>.</summary>
    public string? AgeBand { get; init; }

    /// <summary>The dimensions of the groups, together (one group per combination of values); none gives the totals only.</summary>
    public IReadOnlyList<ReportDimension> GroupBy { get; init; } = [];

    /// <summary>Groups with fewer cases than this show their counts but no rates (<see cref="RenewalReportRow.Suppressed"/>).</summary>
    public int SuppressBelow { get; init; } = 5;

    /// <summary>The day against which a cohort month counts as ended; by default today in Japan.</summary>
    public DateOnly? AsOf { get; init; }
}

/// <summary>
/// One group of the report (or the totals). The key columns of the dimensions grouped by hold
/// the group's values (null where the cases have none, e.g. a case never visited has no
/// who-came); the others are null. A group with fewer cases than the filter's threshold is
/// <see cref="Suppressed"/>: its counts of cases and outcomes stay, every rate, mean, median,
/// percentile and rate denominator is null, so that a small group's figures cannot single out
/// a person.
/// </summary>
/// <param name="Cases">Cases in the group.</param>
/// <param name="NoticesSent">Cases opened by J-LIS's expiry notice (the others were opened at a counter).</param>
/// <param name="RateBase">
/// The renewal rate's denominator: cases renewed (before expiry or late), lapsed or withdrawn,
/// plus open cases whose cohort month has ended by <see cref="RenewalReport.AsOf"/>. Moved-out
/// cases are left out (they renew in their new municipality), and so are open cases whose
/// cohort month has not ended yet (their outcome is still pending).
/// </param>
/// <param name="RenewalRate">(<see cref="RenewedBeforeExpiry"/> + <see cref="RenewedLate"/> + <see cref="IssuedOnReissuedCard"/>) / <see cref="RateBase"/>; null when the base is 0.</param>
/// <param name="IssuedOnReissuedCard">Cases whose certificates were issued onto a re-issued card (003 ※); last in the CSV, so that the columns before keep their places.</param>
/// <param name="FinishedCases">Cases with an outcome other than open (renewed, lapsed, withdrawn, moved out).</param>
/// <param name="VisitsPerCase">Mean number of visits over <see cref="FinishedCases"/>.</param>
/// <param name="CasesWithVisit">Cases with at least one visit started at a counter.</param>
/// <param name="InquiryShare">Cases in which a document inquiry (文書照会) was mailed / <see cref="CasesWithVisit"/>.</param>
/// <param name="InquiryTurnaroundDaysMean">Mean days (fractional) from the first inquiry's mailing to the reply's receipt at the counter, over cases with both.</param>
/// <param name="InquiryTurnaroundDaysMedian">Median of the same (percentile_cont(0.5)).</param>
/// <param name="PinMismatchRate">Cases with at least one PIN mismatch recorded / <see cref="CasesWithVisit"/>.</param>
/// <param name="PinLockRate">Cases in which a PIN locked / <see cref="CasesWithVisit"/>.</param>
/// <param name="WaitMinutesMean">Mean over visits of the minutes from arrival to being called to the counter.</param>
/// <param name="WaitMinutesP90">90th percentile of the same, interpolated (percentile_cont(0.9)).</param>
/// <param name="ServiceMinutesMean">Mean over visits of the minutes from being called to the end of the visit.</param>
/// <param name="Renewed">The renewal rate's numerator: renewed before expiry, late, or onto a re-issued card.</param>
/// <param name="FinishedVisits">Visits per case's numerator: the visits of the <see cref="FinishedCases"/>.</param>
/// <param name="Inquiries">Inquiry share's numerator: cases with a visit in which an inquiry was mailed.</param>
/// <param name="CasesWithReply">The turnaround's denominator: cases with an inquiry mailed and its reply received.</param>
/// <param name="CasesWithMismatch">PIN mismatch rate's numerator.</param>
/// <param name="CasesWithLock">PIN lock rate's numerator.</param>
/// <param name="WaitedVisits">The waits' denominator: visits with a wait measured (arrival → called).</param>
/// <param name="ServedVisits">The service time's denominator: visits with a service time measured (called → ended).</param>
/// <param name="SuppressedToProtect">Suppressed although not small: otherwise the totals would give a small group's figures (<see cref="RenewalReportQuery.ProtectSuppressed"/>).</param>
public sealed record RenewalReportRow(
    bool IsTotal,
    DateOnly? CohortMonth,
    string? Office,
    string? WhoCame,
    string? AgeBand,
    int Cases,
    int NoticesSent,
    int RenewedBeforeExpiry,
    int RenewedLate,
    int Lapsed,
    int Open,
    int Withdrawn,
    int MovedOut,
    int? RateBase,
    double? RenewalRate,
    int? FinishedCases,
    double? VisitsPerCase,
    int? CasesWithVisit,
    double? InquiryShare,
    double? InquiryTurnaroundDaysMean,
    double? InquiryTurnaroundDaysMedian,
    double? PinMismatchRate,
    double? PinLockRate,
    double? WaitMinutesMean,
    double? WaitMinutesP90,
    double? ServiceMinutesMean,
    bool Suppressed,
    int IssuedOnReissuedCard = 0,
    int? Renewed = null,
    int? FinishedVisits = null,
    int? Inquiries = null,
    int? CasesWithReply = null,
    int? CasesWithMismatch = null,
    int? CasesWithLock = null,
    int? WaitedVisits = null,
    int? ServedVisits = null,
    bool SuppressedToProtect = false)
{
    /// <summary>The row with every figure that is not a count of cases or outcomes removed.</summary>
    public RenewalReportRow Suppress() => this with
    {
        RateBase = null,
        RenewalRate = null,
        FinishedCases = null,
        VisitsPerCase = null,
        CasesWithVisit = null,
        InquiryShare = null,
        InquiryTurnaroundDaysMean = null,
        InquiryTurnaroundDaysMedian = null,
        PinMismatchRate = null,
        PinLockRate = null,
        WaitMinutesMean = null,
        WaitMinutesP90 = null,
        ServiceMinutesMean = null,
        Renewed = null,
        FinishedVisits = null,
        Inquiries = null,
        CasesWithReply = null,
        CasesWithMismatch = null,
        CasesWithLock = null,
        WaitedVisits = null,
        ServedVisits = null,
        Suppressed = true,
    };
}

/// <summary>The renewal report of one municipality: its groups, in key order, and the totals over all of them.</summary>
public sealed record RenewalReport(
    string Municipality,
    ReportFilter Filter,
    DateOnly AsOf,
    IReadOnlyList<RenewalReportRow> Groups,
    RenewalReportRow Totals)
{
    private static readonly (ReportDimension Dimension, string Header)[] KeyHeaders =
    [
        (ReportDimension.CohortMonth, "有効期限月(cohort_month)"),
        (ReportDimension.Office, "窓口(office)"),
        (ReportDimension.WhoCame, "来庁者(who_came)"),
        (ReportDimension.AgeBand, "年齢区分(age_band)"),
    ];

    private static readonly string[] FigureHeaders =
    [
        "件数(cases)",
        "通知書送付(notices_sent)",
        "期限内更新(renewed_before_expiry)",
        "期限後発行(renewed_late)",
        "失効(lapsed)",
        "未完了(open)",
        "取下げ(withdrawn)",
        "転出(moved_out)",
        "更新率の分母(rate_base)",
        "更新率(renewal_rate)",
        "終了件数(finished_cases)",
        "平均来庁回数(visits_per_case)",
        "来庁のあった件数(cases_with_visit)",
        "文書照会率(inquiry_share)",
        "照会回答日数平均(inquiry_turnaround_days_mean)",
        "照会回答日数中央値(inquiry_turnaround_days_median)",
        "暗証番号誤り率(pin_mismatch_rate)",
        "暗証番号ロック率(pin_lock_rate)",
        "平均待ち時間分(wait_minutes_mean)",
        "待ち時間90パーセンタイル分(wait_minutes_p90)",
        "平均対応時間分(service_minutes_mean)",
        "秘匿(suppressed)",
        "再交付カードへの発行(issued_on_reissued_card)",
        "更新件数(renewed)",
        "終了件数の来庁回数(finished_visits)",
        "文書照会件数(inquiries)",
        "照会回答のあった件数(cases_with_reply)",
        "暗証番号誤りのあった件数(cases_with_mismatch)",
        "暗証番号ロックのあった件数(cases_with_lock)",
        "待ち時間を測った来庁(waited_visits)",
        "対応時間を測った来庁(served_visits)",
        "保護のための秘匿(suppressed_to_protect)",
    ];

    /// <summary>
    /// The report as CSV (RFC 4180): a header row of Japanese column names with the English in
    /// parentheses, e.g. 更新率(renewal_rate); first a column 区分(row) holding "group" or
    /// "total", then one column per dimension grouped by, then the figures; one row per group,
    /// the totals last. Lines end with CRLF; a field with a comma, a double quote, CR or LF is
    /// quoted, with its quotes doubled. Numbers are invariant culture (a point for decimals),
    /// rates and means rounded to 4 decimal places; months as yyyy-MM; an empty field is a null
    /// (suppressed or no data); suppressed is true or false.
    /// <para>
    /// The string is to be written as UTF-8. Excel guesses Shift_JIS for a CSV without a byte
    /// order mark, so a caller writing a file for Excel writes the BOM (EF BB BF) first, e.g.
    /// with <c>new UTF8Encoding(encoderShouldEmitUTF8Identifier: true)</c>; this method adds none.
    /// </para>
    /// </summary>
    /// <param name="officeName">The office's name for its id (the profile's nameJa); null gives the ids.</param>
    public static string ToCsv(RenewalReport report, Func<string?, string?>? officeName = null)
    {
        var dimensions = report.Filter.GroupBy.Distinct().ToList();
        var keys = KeyHeaders.Where(k => dimensions.Contains(k.Dimension)).ToList();
        var csv = new StringBuilder();
        Line(csv, ["区分(row)", .. keys.Select(k => k.Header), .. FigureHeaders]);
        foreach (var row in report.Groups.Append(report.Totals))
        {
            var fields = new List<string?> { row.IsTotal ? "total" : "group" };
            foreach (var (dimension, _) in keys)
            {
                fields.Add(dimension switch
                {
                    ReportDimension.CohortMonth => row.CohortMonth?.ToString("yyyy-MM", CultureInfo.InvariantCulture),
                    ReportDimension.Office => officeName is null ? row.Office : officeName(row.Office),
                    ReportDimension.WhoCame => row.WhoCame,
                    _ => row.AgeBand,
                });
            }
            fields.AddRange([
                Int(row.Cases), Int(row.NoticesSent), Int(row.RenewedBeforeExpiry), Int(row.RenewedLate), Int(row.Lapsed),
                Int(row.Open), Int(row.Withdrawn), Int(row.MovedOut),
                Int(row.RateBase), Number(row.RenewalRate), Int(row.FinishedCases), Number(row.VisitsPerCase),
                Int(row.CasesWithVisit), Number(row.InquiryShare), Number(row.InquiryTurnaroundDaysMean), Number(row.InquiryTurnaroundDaysMedian),
                Number(row.PinMismatchRate), Number(row.PinLockRate), Number(row.WaitMinutesMean), Number(row.WaitMinutesP90),
                Number(row.ServiceMinutesMean), row.Suppressed ? "true" : "false", Int(row.IssuedOnReissuedCard),
                Int(row.Renewed), Int(row.FinishedVisits), Int(row.Inquiries), Int(row.CasesWithReply),
                Int(row.CasesWithMismatch), Int(row.CasesWithLock), Int(row.WaitedVisits), Int(row.ServedVisits),
                row.SuppressedToProtect ? "true" : "false",
            ]);
            Line(csv, fields);
        }
        return csv.ToString();
    }

    private static string? Int(int? value) => value?.ToString(CultureInfo.InvariantCulture);

    private static string? Number(double? value) => value is { } v ? Math.Round(v, 4, MidpointRounding.AwayFromZero).ToString("0.####", CultureInfo.InvariantCulture) : null;

    private static void Line(StringBuilder csv, IEnumerable<string?> fields)
    {
        var first = true;
        foreach (var field in fields)
        {
            if (!first) csv.Append(',');
            first = false;
            csv.Append(Field(field));
        }
        csv.Append("\r\n");
    }

    /// <summary>A field as RFC 4180 writes it: quoted, quotes doubled, when it holds a comma, a quote, CR or LF.</summary>
    internal static string Field(string? value) =>
        value is null ? "" :
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" :
        value;
}
