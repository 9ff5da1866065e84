using CaseSystem.Cases;
using CaseSystem.Cases.Renewal;
using CaseSystem.Cases.Timers;
using CaseSystem.Projections.Daemon;
using CaseSystem.Projections.Worklists;
using JasperFx.Events;

namespace CaseSystem.Projections.Tests.Worklists;

/// <summary>
/// Who "worked on" a case last, for the list of my open cases: the staff member of the last command
/// at a counter. The notice import (a supervisor's batch touching thousands of cases) and the
/// timers (the system) are not someone working on the case, and leave it as it was.
/// </summary>
public sealed class WorklistsFoldTests
{
    private static readonly DateTimeOffset At = new(2026, 3, 16, 10, 0, 0, JapanTime.Offset);
    private static readonly Holder Holder = new("佐藤 一郎", "サトウ イチロウ", new DateOnly(1980, 6, 15), "長野県佐久市中込3056");
    private static readonly CertificateDates Expiry = new(new DateOnly(2026, 6, 15), new DateOnly(2026, 6, 15));
    private readonly IFoldsOneEvent _fold = new WorklistsProjection();
    private long _version;

    private WorkCase? Fold(WorkCase? state, RenewalEvent e, string? by) =>
        (WorkCase?)_fold.FoldOne(state, new Event<RenewalEvent>(e) { Sequence = ++_version, Version = _version, StreamId = Guid.Empty, TenantId = "saku", UserName = by });

    [Fact]
    public void A_notice_import_and_a_timer_leave_the_last_worker_as_it_was_and_a_counter_command_makes_its_staff_member_it()
    {
        var imported = Fold(null, new RenewalEvent.ExpiryNoticeSent("N-1", Holder, Expiry, "batch-1", At), "super-1")!;
        Assert.Equal(("super-1", (string?)null), (imported.OpenedBy, imported.LastBy));

        var visited = Fold(imported, new RenewalEvent.VisitStarted(1, "shimin-ka", WhoCame.AppointedProxy, [], ReplyForm.Missing, false, At), "clerk-1")!;
        var mailed = Fold(visited, new RenewalEvent.DocumentInquiryMailed("reply-form-missing", "長野県佐久市中込3056", new DateOnly(2026, 3, 16), new DateOnly(2026, 4, 15), At), "clerk-1")!;
        Assert.Equal(("clerk-1", 1, new DateOnly(2026, 4, 15)), (mailed.LastBy, mailed.Visits, mailed.ReplyDueOn));

        var flagged = Fold(mailed, new RenewalEvent.InquiryOverdue(new DateOnly(2026, 4, 15), At.AddDays(31)), CaseTimers.Actor)!;
        var amended = Fold(flagged, new RenewalEvent.NoticeAmended("N-1", Holder with { NameKanji = "佐藤 一朗" }, Expiry, "batch-2", At.AddDays(32)), "super-1")!;
        Assert.Equal("clerk-1", amended.LastBy);
        Assert.Equal("佐藤 一朗", amended.NameKanji);

        var voided = Fold(amended, new RenewalEvent.EntryVoided(2, nameof(RenewalEvent.VisitStarted), "別の案件の来庁", At.AddDays(33)), "clerk-2")!;
        Assert.Equal(("clerk-2", 0), (voided.LastBy, voided.Visits));
        var closed = Fold(voided, new RenewalEvent.CaseClosed(CaseClosure.Withdrawn, At.AddDays(34)), "clerk-3")!;
        Assert.Equal((WorklistsProjection.Closed, "Withdrawn"), (closed.Status, closed.Closure));
    }
}
