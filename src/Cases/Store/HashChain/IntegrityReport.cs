using System.Globalization;

namespace CaseSystem.Cases.Store.HashChain;

/// <summary>Where a chain first fails to hold, and why.</summary>
public sealed record ChainBreak(Guid StreamId, long Version, long? Sequence, string Reason);

/// <summary>
/// A case whose chain disagrees with its newest anchored head: <c>truncation</c> (the anchored
/// version no longer exists: the newest events were deleted; <see cref="Version"/> is where the
/// case ends now, 0 when nothing is left) or <c>rewrite</c> (the link at the anchored version has
/// another hash: the case was rewritten, its hashes recomputed).
/// </summary>
public sealed record AnchorBreak(Guid StreamId, string Kind, long AnchoredVersion, long Version, long Anchor, DateTimeOffset AnchoredAt, string Reason)
{
    public const string Truncation = "truncation";
    public const string Rewrite = "rewrite";

    public static AnchorBreak Truncated(Guid stream, AnchoredHead head, long now) => new(stream, Truncation, head.Version, now, head.Anchor, head.At,
        now == 0
            ? $"案件の記録がすべて削除されています(アンカー #{head.Anchor}、{At(head)} の時点で版 {head.Version} まで記録済み)/ " +
              $"every event of the case was deleted: anchor #{head.Anchor} ({At(head)}) holds it at version {head.Version}"
            : $"案件の最新の記録が削除されています(アンカー #{head.Anchor}、{At(head)} の時点で版 {head.Version} まで記録済み、現在は版 {now} まで)/ " +
              $"the newest events of the case were deleted: anchor #{head.Anchor} ({At(head)}) holds it at version {head.Version}, it now ends at version {now}");

    public static AnchorBreak Rewritten(Guid stream, AnchoredHead head, long now) => new(stream, Rewrite, head.Version, now, head.Anchor, head.At,
        $"案件の記録が書き換えられています(版 {head.Version} のハッシュがアンカー #{head.Anchor}、{At(head)} のものと一致しません)/ " +
        $"the case was rewritten: its link at version {head.Version} is not the one anchor #{head.Anchor} ({At(head)}) holds");

    private static string At(AnchoredHead head) => head.At.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}

/// <summary>A problem of the anchor log as this report shows it: the cases the line names (of the municipality asked about; the first 100) and how many it names.</summary>
public sealed record AnchorLogProblem(long Line, long? Anchor, string Reason, IReadOnlyList<Guid> Cases, int CasesNamed);

/// <summary>
/// What the anchors cover: whether anchoring is configured, how many anchors hold, the last
/// one (<see cref="AnchoredThrough"/>: every event up to this sequence number is anchored), what
/// is wrong with the log, and a note saying what is checked by the chain alone.
/// </summary>
public sealed record AnchorReport(bool Configured, long Anchors, long? LastAnchor, DateTimeOffset? AnchoredAt, long? AnchoredThrough,
    IReadOnlyList<AnchorLogProblem> Problems, string Note)
{
    private const int CasesListed = 100;

    public static AnchorReport Of(AnchorState state, Func<AnchorHead, bool> concerns)
    {
        if (!state.Configured)
        {
            return new(false, 0, null, null, null, [],
                "アンカーが設定されていないため、案件の最新の記録の削除や、ハッシュを計算し直した書き換えは検出できません / " +
                $"anchoring is not configured ({AnchorOptions.KeyVariable}, {AnchorOptions.LogVariable}): deleting a case's newest events, " +
                "or rewriting it with its hashes recomputed, cannot be detected");
        }
        var problems = state.Problems.Select(p =>
        {
            var named = p.Named.Where(concerns).Select(h => h.Case).ToList();
            return new AnchorLogProblem(p.Line, p.Anchor, p.Reason, named.Take(CasesListed).ToList(), named.Count);
        }).ToList();
        if (state.Last is not { } last)
        {
            return new(true, state.Count, null, null, null, problems,
                "まだアンカーがありません。すべての記録はハッシュ連鎖だけで確認しています / no anchor yet: every event is checked by the hash chain alone");
        }
        return new(true, state.Count, last.Number, last.At, last.Through, problems,
            $"アンカー #{last.Number}({last.At.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}、イベント {last.Through} まで)より後の記録は、" +
            $"ハッシュ連鎖だけで確認しています / events after anchor #{last.Number} (event {last.Through}, " +
            $"{last.At.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}) are checked by the hash chain alone");
    }
}

/// <summary>
/// The integrity check's answer: the chains walked, where each first breaks, the cases whose
/// chain disagrees with the anchors, the anchors' own state (null when the verifier was made
/// without anchors) and, for a page of a municipality's cases, the cursor of the next page.
/// </summary>
public sealed record ChainVerification(long StreamsChecked, long EventsChecked, IReadOnlyList<ChainBreak> Breaks)
{
    public IReadOnlyList<AnchorBreak> AnchorBreaks { get; init; } = [];

    public AnchorReport? Anchors { get; init; }

    /// <summary>The last case id of this page: pass it as <c>after</c> for the next page; null on the last page.</summary>
    public Guid? Next { get; init; }

    public bool IsIntact => Breaks.Count == 0 && AnchorBreaks.Count == 0 && (Anchors?.Problems.Count ?? 0) == 0;

    public ChainBreak? FirstBreak => Breaks.Count > 0 ? Breaks[0] : null;
}
