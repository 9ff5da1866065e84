using CaseSystem.Cases.Renewal;
using static CaseSystem.Cases.Renewal.RenewalCommand;
using static CaseSystem.Cases.Renewal.RenewalEvent;
using static CaseSystem.Cases.Tests.Renewal.Cases;

namespace CaseSystem.Cases.Tests.Renewal;

/// <summary>
/// A notice imported again: the same data records nothing, other data is a conflict the import
/// reports, and only an amendment on purpose (<c>?amend=true</c>) records the correction.
/// </summary>
public sealed class NoticeAmendmentTests : DeciderSpec
{
    private static readonly Holder Moved = Adult with { RegisteredAddress = "長野県佐久市臼田2301" };
    private static readonly CertificateDates Later = new(new DateOnly(2026, 9, 30), new DateOnly(2026, 9, 30));

    [Fact]
    public void The_same_notice_with_other_data_is_a_conflict_not_silently_ignored()
    {
        Given(Noticed(Adult)).ThenRefused(new RecordExpiryNotice("N-0001", Moved, Expiring, "JLIS-2026-04", Monday10), Rules.NoticeDataDiffers);
        // The same data in another batch is the same notice again: nothing to record.
        Given().Then(new RecordExpiryNotice("N-0001", Adult, Expiring, "JLIS-2026-04", Monday10));
    }

    [Fact]
    public void A_closed_case_imported_again_is_already_imported_or_a_conflict()
    {
        Given(Noticed(Adult), new CaseClosed(CaseClosure.Withdrawn, Monday10)).Then(new RecordExpiryNotice("N-0001", Adult, Expiring, "JLIS-2026-03", Monday10));
        ThenRefused(new RecordExpiryNotice("N-0001", Moved, Expiring, "JLIS-2026-03", Monday10), Rules.NoticeDataDiffers);
        ThenRefused(new AmendNotice("N-0001", Moved, Expiring, "JLIS-2026-03", Monday10), Rules.CaseClosed);
    }

    [Fact]
    public void An_amendment_records_the_corrected_notice_once()
    {
        var amend = new AmendNotice("N-0001", Moved, Later, "JLIS-2026-04", Monday10);
        Given(Noticed(Adult)).Then(amend, new NoticeAmended("N-0001", Moved, Later, "JLIS-2026-04", Monday10));
        Given(new NoticeAmended("N-0001", Moved, Later, "JLIS-2026-04", Monday10)).Then(amend);
        // The amended data is now the notice's: importing it again is a repeat, the first data a conflict.
        Then(new RecordExpiryNotice("N-0001", Moved, Later, "JLIS-2026-04", Monday10));
        ThenRefused(new RecordExpiryNotice("N-0001", Adult, Expiring, "JLIS-2026-03", Monday10), Rules.NoticeDataDiffers);
    }

    [Fact]
    public void Nothing_is_amended_where_there_is_no_such_notice()
    {
        ThenRefused(new AmendNotice("N-0001", Moved, Later, "JLIS-2026-04", Monday10), Rules.NoCase);
        Given(new CaseOpenedAtCounter(Adult, Expiring, "市民課", Monday10))
            .ThenRefused(new AmendNotice("N-0001", Moved, Later, "JLIS-2026-04", Monday10), Rules.NoCase);
    }

    [Fact]
    public void Corrected_dates_set_the_timers_again_and_undo_what_the_wrong_dates_brought_about()
    {
        // Imported with an expiry of 2026-03-31 by mistake: the window opened on 2026-01-01 and the
        // certificates lapsed on 2026-04-01. The corrected expiry is 2026-09-30 (window from 2026-07-01).
        var wrong = new CertificateDates(new DateOnly(2026, 3, 31), new DateOnly(2026, 3, 31));
        var april2 = new DateTimeOffset(2026, 4, 2, 9, 0, 0, JapanTime.Offset);
        var amended = new NoticeAmended("N-0001", Adult, Later, "JLIS-2026-04", april2);
        var state = RenewalState.Fold([
            Noticed(Adult, wrong), new RenewalWindowOpened(new DateOnly(2026, 1, 1), Monday10),
            new CertificateLapsed(Certificate.UserAuthentication, wrong.UserAuthenticationExpiry, april2),
            new CertificateLapsed(Certificate.Signing, wrong.UserAuthenticationExpiry, april2),
            amended]);
        var file = Assert.IsType<RenewalState.Active>(state).Case;
        Assert.Equal(Later, file.Expiry);
        Assert.False(file.WindowOpened);
        Assert.Empty(file.Lapsed);
        Assert.Equal(
            [(RenewalTimers.WindowOpens, new DateTimeOffset(2026, 7, 1, 0, 0, 0, JapanTime.Offset)), (RenewalTimers.Lapse, new DateTimeOffset(2026, 10, 1, 0, 0, 0, JapanTime.Offset))],
            RenewalTimers.SetBy([amended], state).Select(t => (t.Kind, t.DueAt)));
    }

    /// <remarks>
    /// A renewal window opens the day after the date three months before the expiry (000). Dates
    /// corrected into a window already open are not a window opening during the case: the
    /// amendment holds it open by the dates and records no event for it, and the window's timer
    /// set on the wrong dates then records nothing either.
    /// </remarks>
    [Trait("seed", Rule.Seeds.Takatsuki)]
    [Fact]
    public void Dates_corrected_into_an_open_window_hold_it_open_without_an_event_000()
    {
        var february1 = new DateTimeOffset(2026, 2, 1, 9, 0, 0, JapanTime.Offset);
        var march2 = new DateTimeOffset(2026, 3, 2, 9, 0, 0, JapanTime.Offset);
        var sooner = new CertificateDates(new DateOnly(2026, 5, 31), new DateOnly(2026, 5, 31)); // window from 2026-03-01
        var noticed = new ExpiryNoticeSent("N-0001", Adult, Expiring, "JLIS-2026-03", february1); // window from 2026-03-16
        Assert.False(((RenewalState.Active)RenewalState.Fold([noticed])).Case.WindowOpened);

        var amended = new NoticeAmended("N-0001", Adult, sooner, "JLIS-2026-04", march2);
        Given(noticed).Then(new AmendNotice("N-0001", Adult, sooner, "JLIS-2026-04", march2), amended);
        Assert.True(((RenewalState.Active)RenewalState.Fold([noticed, amended])).Case.WindowOpened);
        Assert.DoesNotContain(RenewalTimers.SetBy([amended], RenewalState.Fold([noticed, amended])), t => t.Kind == RenewalTimers.WindowOpens);
        Given(amended).Then(new OpenRenewalWindow(new DateTimeOffset(2026, 3, 16, 0, 0, 0, JapanTime.Offset)));
    }
}
