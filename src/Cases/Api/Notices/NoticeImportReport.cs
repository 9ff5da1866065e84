namespace CaseSystem.Cases.Api.Notices;

/// <summary>A line not imported: its line in the file, a stable reason code, the column at fault (its name, never its value).</summary>
public sealed record RejectedLine(int Line, string Reason, string? Column, string ReasonJa, string ReasonEn);

/// <summary>
/// A line whose notice number was imported before with other data: nothing was recorded for it
/// (unless the import amends). The case it concerns and the columns that differ, never the values.
/// </summary>
public sealed record ConflictLine(int Line, Guid CaseId, string Reason, IReadOnlyList<string> Columns, string ReasonJa, string ReasonEn);

/// <summary>
/// What an import did, line by line: every line of the file (after the header) is counted in
/// exactly one of <see cref="Imported"/>, <see cref="AlreadyImported"/>, <see cref="Amended"/>,
/// <see cref="Conflicting"/> (listed in <see cref="Conflicts"/>) or <see cref="Rejected"/>.
/// </summary>
public sealed record NoticeImportReport(
    string Batch,
    string Encoding,
    bool Amend,
    int Lines,
    int Imported,
    int AlreadyImported,
    int Amended,
    int Conflicting,
    IReadOnlyList<RejectedLine> Rejected,
    IReadOnlyList<ConflictLine> Conflicts);

/// <summary>The report as the lines are decided; a chunk's outcome is added only once its transaction has committed.</summary>
internal sealed class NoticeImportTally
{
    public int Imported { get; set; }
    public int AlreadyImported { get; set; }
    public int Amended { get; set; }
    public List<RejectedLine> Rejected { get; } = [];
    public List<ConflictLine> Conflicts { get; } = [];

    public void Add(NoticeImportTally chunk)
    {
        Imported += chunk.Imported;
        AlreadyImported += chunk.AlreadyImported;
        Amended += chunk.Amended;
        Rejected.AddRange(chunk.Rejected);
        Conflicts.AddRange(chunk.Conflicts);
    }

    public NoticeImportReport Report(string batch, string encoding, bool amend, int lines) => new(
        batch, encoding, amend, lines, Imported, AlreadyImported, Amended, Conflicts.Count,
        [.. Rejected.OrderBy(r => r.Line)], [.. Conflicts.OrderBy(c => c.Line)]);
}
