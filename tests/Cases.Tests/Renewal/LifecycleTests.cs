using CaseSystem.Cases.Renewal;
using static CaseSystem.Cases.Renewal.RenewalCommand;
using static CaseSystem.Cases.Renewal.RenewalEvent;
using static CaseSystem.Cases.Tests.Renewal.Cases;

namespace CaseSystem.Cases.Tests.Renewal;

/// <summary>The case as a state machine (issue 12): every command only where it means something, and allowedActions agreeing with the decider.</summary>
public sealed class LifecycleTests : DeciderSpec
{
    private static readonly Certificate[] Both = [Certificate.UserAuthentication, Certificate.Signing];
    private static readonly RenewalEvent[] HolderVerified =
    [
        Noticed(Adult), new VisitStarted(1, "市民課", WhoCame.Holder, [], ReplyForm.NotApplicable, true, Monday10), new IdentityAccepted(1, "holder-presence", Monday10),
        new PinMatched(Certificate.UserAuthentication, Monday10), new PinMatched(Certificate.Signing, Monday10),
    ];
    private static readonly RenewalEvent RenewedBoth = new CertificatesRenewed(Both, new DateOnly(2030, 6, 15), 0, Monday10);

    [Fact]
    public void A_renewed_certificate_is_not_renewed_twice_and_no_inquiry_follows()
    {
        Given(HolderVerified).Given(RenewedBoth);
        ThenRefused(new RenewCertificates([Certificate.UserAuthentication], Monday10), Rules.AlreadyRenewed);
        ThenRefused(new MailDocumentInquiry("x", Monday10), Rules.AlreadyRenewed);
        ThenRefused(new ResetPin([Certificate.UserAuthentication], Monday10), Rules.AlreadyRenewed);
    }

    [Fact]
    public void The_other_certificate_may_still_be_renewed_in_the_same_visit()
    {
        Given(HolderVerified).Given(new CertificatesRenewed([Certificate.UserAuthentication], new DateOnly(2030, 6, 15), 0, Monday10));
        ThenRefused(new RenewCertificates(Both, Monday10), Rules.AlreadyRenewed);
        Then(new RenewCertificates([Certificate.Signing], Monday10), new CertificatesRenewed([Certificate.Signing], new DateOnly(2030, 6, 15), 0, Monday10));
    }

    [Fact]
    public void A_holder_without_a_signing_certificate_has_nothing_left_to_renew_once_the_other_is_renewed()
    {
        // A child under 15 holds no signing certificate (000): after the user-authentication
        // renewal the case offers no renewal, inquiry or PIN reset, only ending the visit.
        RenewalEvent[] child =
        [
            Noticed(Child, new CertificateDates(new DateOnly(2026, 6, 15), null)),
            new VisitStarted(1, "市民課", WhoCame.LegalRepresentativeOfMinor, [], ReplyForm.NotApplicable, true, Monday10), new IdentityAccepted(1, "holder-presence", Monday10),
            new PinMatched(Certificate.UserAuthentication, Monday10),
            new CertificatesRenewed([Certificate.UserAuthentication], new DateOnly(2031, 6, 15), 0, Monday10),
        ];
        var allowed = Lifecycle.Allowed(RenewalState.Fold(child));
        Assert.DoesNotContain(CaseAction.Renew, allowed);
        Assert.DoesNotContain(CaseAction.ResetPin, allowed);
        Assert.DoesNotContain(CaseAction.MailInquiry, allowed);
        Assert.Contains(CaseAction.EndVisit, allowed);
        Given(child);
        ThenRefused(new RenewCertificates([Certificate.UserAuthentication], Monday10), Rules.AlreadyRenewed);
    }

    [Fact]
    public void A_visit_that_renewed_closes_the_case_when_it_ends_done()
    {
        Given(HolderVerified).Given(RenewedBoth)
            .Then(new EndVisit(VisitOutcome.Done, Monday10), new VisitEnded(1, VisitOutcome.Done, Monday10), new CaseClosed(CaseClosure.Renewed, Monday10));
        Given(new VisitEnded(1, VisitOutcome.Done, Monday10), new CaseClosed(CaseClosure.Renewed, Monday10));
        Assert.Equal([CaseAction.ReadCard, CaseAction.CheckPin], Lifecycle.Allowed(RenewalState.Fold([.. HolderVerified, RenewedBoth, new VisitEnded(1, VisitOutcome.Done, Monday10), new CaseClosed(CaseClosure.Renewed, Monday10)])));
        // Closing again as renewed is a retry: nothing new. Anything else is refused.
        Then(new CloseCase(CaseClosure.Renewed, Monday10));
        ThenRefused(new CloseCase(CaseClosure.Withdrawn, Monday10), Rules.CaseClosed);
        ThenRefused(new StartVisit("市民課", WhoCame.Holder, [], Monday10), Rules.CaseClosed);
        ThenRefused(new RecordArrival("市民課", "A-1", Monday10), Rules.CaseClosed);
    }

    [Fact]
    public void A_visit_that_renewed_nothing_leaves_the_case_open()
    {
        Given(HolderVerified).Then(new EndVisit(VisitOutcome.MustReturn, Monday10), new VisitEnded(1, VisitOutcome.MustReturn, Monday10));
    }

    /// <summary>
    /// Issue 12: a case closed other than as renewed takes no PIN check (the station reads
    /// allowedActions and sends no PIN to the card), but one the station tried on a view from
    /// before the closure (Observed-Version) is the card's fact and is recorded.
    /// </summary>
    [Theory]
    [InlineData(CaseClosure.Withdrawn)]
    [InlineData(CaseClosure.Lapsed)]
    [InlineData(CaseClosure.MovedOut)]
    public void A_PIN_check_tried_on_a_view_from_before_the_closure_is_recorded_in_a_case_closed_unrenewed(CaseClosure closure)
    {
        // The notice is version 1, a card read version 2, the closure version 3.
        Given(Noticed(Adult), new CardRead("station-1", "0A1B", Expiring.UserAuthenticationExpiry, 3, 5, Monday10), new CaseClosed(closure, Monday10));
        Assert.DoesNotContain(CaseAction.CheckPin, Lifecycle.Allowed(RenewalState.Fold([Noticed(Adult), new CaseClosed(closure, Monday10)])));
        Then(new RecordPinCheck(Certificate.UserAuthentication, PinCheckResult.Mismatched, 2, Monday10, SeenVersion: 2),
            new PinMismatchRecorded(Certificate.UserAuthentication, 2, Monday10));
        ThenRefused(new RecordPinCheck(Certificate.UserAuthentication, PinCheckResult.Mismatched, 2, Monday10, SeenVersion: 3), Rules.CaseClosed);
        ThenRefused(new RecordPinCheck(Certificate.UserAuthentication, PinCheckResult.Mismatched, 2, Monday10), Rules.CaseClosed);
    }

    public static TheoryData<string> States => [.. Catalogue.Keys];

    /// <summary>In every state, an action the lifecycle does not allow is refused by the decider, whatever the command says.</summary>
    [Theory]
    [MemberData(nameof(States))]
    public void What_allowedActions_leaves_out_the_decider_refuses(string state)
    {
        var events = Catalogue[state];
        var allowed = Lifecycle.Allowed(RenewalState.Fold(events));
        foreach (var action in Enum.GetValues<CaseAction>().Except(allowed))
        {
            var spec = Fresh().Given(events);
            Assert.Throws<RuleViolation>(() => spec.When(Sample(action)));
        }
    }

    [Fact]
    public void The_actions_of_each_state_are_the_ones_a_counter_expects()
    {
        IReadOnlyList<CaseAction> Of(string state) => Lifecycle.Allowed(RenewalState.Fold(Catalogue[state]));
        Assert.Equal([CaseAction.Reserve, CaseAction.Arrive, CaseAction.Call, CaseAction.ReadCard, CaseAction.StartVisit, CaseAction.CheckPin, CaseAction.ReportRegistryChange, CaseAction.Close], Of("noticed"));
        // A document ticked wrong is the likeliest cause of a refusal: its documents may be amended, or the visit voided.
        Assert.Equal([CaseAction.ReadCard, CaseAction.CheckPin, CaseAction.EndVisit, CaseAction.ReportRegistryChange, CaseAction.Close, CaseAction.VoidEntry, CaseAction.AmendVisitDocuments],
            Of("identity refused"));
        Assert.Contains(CaseAction.Renew, Of("verified"));
        Assert.DoesNotContain(CaseAction.MailInquiry, Of("verified"));
        Assert.Contains(CaseAction.MailInquiry, Of("proxy without form"));
        Assert.DoesNotContain(CaseAction.ResetPin, Of("proxy without form"));
        Assert.Contains(CaseAction.ReceiveReply, Of("proxy back after inquiry"));
        Assert.DoesNotContain(CaseAction.MailInquiry, Of("proxy back after inquiry"));
        Assert.Equal([CaseAction.ReadCard, CaseAction.CheckPin, CaseAction.EndVisit, CaseAction.ReportRegistryChange, CaseAction.Close], Of("renewed in visit"));
        Assert.Equal([CaseAction.ReadCard, CaseAction.CheckPin], Of("closed renewed"));
        Assert.Empty(Of("closed withdrawn"));
        // Issue 12: a ticket waiting may be dropped and its arrival voided; a visit ended may have its outcome amended, or be voided.
        Assert.Equal([CaseAction.Reserve, CaseAction.Arrive, CaseAction.Call, CaseAction.ReadCard, CaseAction.StartVisit, CaseAction.CheckPin, CaseAction.ReportRegistryChange,
            CaseAction.Close, CaseAction.DropTicket, CaseAction.VoidEntry], Of("ticket waiting"));
        Assert.Equal([CaseAction.Reserve, CaseAction.Arrive, CaseAction.Call, CaseAction.ReadCard, CaseAction.StartVisit, CaseAction.CheckPin, CaseAction.ReportRegistryChange,
            CaseAction.Close, CaseAction.VoidEntry, CaseAction.AmendVisitOutcome], Of("visit ended"));
        Assert.DoesNotContain(CaseAction.VoidEntry, Of("visit voided"));
        Assert.DoesNotContain(CaseAction.AmendVisitOutcome, Of("visit voided"));
        Assert.DoesNotContain(CaseAction.DropTicket, Of("verified"));
    }

    private static readonly Dictionary<string, RenewalEvent[]> Catalogue = new()
    {
        ["noticed"] = [Noticed(Adult)],
        ["identity refused"] = [Noticed(Adult), new VisitStarted(1, "市民課", WhoCame.AppointedProxy, [], ReplyForm.Sealed, false, Monday10), new IdentityRefused(1, "proxy-identity", "", Monday10)],
        ["verified"] = HolderVerified,
        ["proxy without form"] = [Noticed(Adult), new VisitStarted(1, "市民課", WhoCame.AppointedProxy, [], ReplyForm.Missing, false, Monday10), new IdentityAccepted(1, "proxy-identity", Monday10)],
        ["proxy back after inquiry"] =
        [
            Noticed(Adult), new VisitStarted(1, "市民課", WhoCame.AppointedProxy, [], ReplyForm.Missing, false, Monday10), new IdentityAccepted(1, "proxy-identity", Monday10),
            new DocumentInquiryMailed("x", Adult.RegisteredAddress, new DateOnly(2026, 3, 16), new DateOnly(2026, 4, 15), Monday10), new VisitEnded(1, VisitOutcome.MustReturn, Monday10),
            new VisitStarted(2, "市民課", WhoCame.AppointedProxy, [], ReplyForm.NotApplicable, false, Monday10), new IdentityAccepted(2, "inquiry-second-visit", Monday10),
        ],
        ["renewed in visit"] = [.. HolderVerified, RenewedBoth],
        ["closed renewed"] = [.. HolderVerified, RenewedBoth, new VisitEnded(1, VisitOutcome.Done, Monday10), new CaseClosed(CaseClosure.Renewed, Monday10)],
        ["closed withdrawn"] = [Noticed(Adult), new CaseClosed(CaseClosure.Withdrawn, Monday10)],
        ["ticket waiting"] = [Noticed(Adult), new ArrivedAtOffice("市民課", "A-1", Monday10)],
        ["visit ended"] = [.. HolderVerified, new VisitEnded(1, VisitOutcome.MustReturn, Monday10)],
        ["visit voided"] = [.. HolderVerified, new VisitEnded(1, VisitOutcome.MustReturn, Monday10), new EntryVoided(2, nameof(VisitStarted), "別の案件", Monday10)],
    };

    /// <summary>A command of each kind, as permissive as its kind allows.</summary>
    private static RenewalCommand Sample(CaseAction action) => action switch
    {
        CaseAction.Reserve => new MakeReservation("市民課", Monday10, Monday10),
        CaseAction.Arrive => new RecordArrival("市民課", "A-1", Monday10),
        CaseAction.Call => new CallToCounter("市民課", "1", "clerk", Monday10),
        CaseAction.ReadCard => new RecordCardRead("st", "0A", new DateOnly(2030, 6, 15), 3, 5, Monday10),
        CaseAction.StartVisit => new StartVisit("市民課", WhoCame.Holder, [], Monday10),
        CaseAction.CheckPin => new RecordPinCheck(Certificate.UserAuthentication, PinCheckResult.Matched, 3, Monday10),
        CaseAction.ResetPin => new ResetPin([Certificate.UserAuthentication], Monday10),
        CaseAction.MailInquiry => new MailDocumentInquiry("x", Monday10),
        CaseAction.ReceiveReply => new ReceiveInquiryReply(Monday10),
        CaseAction.Renew => new RenewCertificates([Certificate.UserAuthentication], Monday10),
        CaseAction.EndVisit => new EndVisit(VisitOutcome.Done, Monday10),
        CaseAction.ReportRegistryChange => new ReportRegistryChange(RegistryChange.Address, Monday10),
        CaseAction.CompleteRegistryChange => new CompleteRegistryChange(RegistryChange.Address, Monday10),
        // Moved out: no state in the catalogue is closed so, where closing again would be a retry.
        CaseAction.Close => new CloseCase(CaseClosure.MovedOut, Monday10),
        CaseAction.DropTicket => new DropTicket(TicketDrop.NoShow, Monday10),
        // The notice: voiding an entry voided already would be a retry, answered with nothing.
        CaseAction.VoidEntry => new VoidEntry(1, "別の案件に記録", Monday10),
        CaseAction.AmendVisitOutcome => new AmendVisitOutcome(1, VisitOutcome.Left, "結果の誤り", Monday10),
        CaseAction.AmendVisitDocuments => new AmendVisitDocuments([], ReplyForm.NotApplicable, "書類の誤り", Monday10),
        _ => throw new ArgumentOutOfRangeException(nameof(action)),
    };
}
