using CaseSystem.Cases.Renewal;
using static CaseSystem.Cases.Renewal.RenewalCommand;
using static CaseSystem.Cases.Renewal.RenewalEvent;
using static CaseSystem.Cases.Tests.Renewal.Cases;

namespace CaseSystem.Cases.Tests.Renewal;

/// <summary>Issue 12: mistakes corrected as events, never erased; tickets that leave the queue. Versions are the events' positions in the Given stream, from 1.</summary>
public sealed class CorrectionTests : DeciderSpec
{
    private const string Reason = "別の方の案件に記録したため";
    private static readonly DateTimeOffset Later = Monday10.AddMinutes(20);
    private static readonly RenewalEvent Arrived = new ArrivedAtOffice("市民課", "A-12", Monday10);
    private static readonly RenewalEvent HolderVisit = new VisitStarted(1, "市民課", WhoCame.Holder, [], ReplyForm.NotApplicable, true, Monday10);
    private static readonly RenewalEvent HolderAccepted = new IdentityAccepted(1, Rules.HolderPresence.Id, Monday10);

    private static CaseFile FileAfter(params RenewalEvent[] events) => RenewalState.Fold(events) switch
    {
        RenewalState.Active a => a.Case,
        RenewalState.Closed c => c.Case,
        _ => throw new InvalidOperationException("no case"),
    };

    [Fact]
    public void The_case_file_counts_its_events_as_the_stream_does_also_when_closed()
    {
        Assert.Equal(3, FileAfter(Noticed(Adult), Arrived, new RenewalWindowOpened(new DateOnly(2026, 3, 16), Monday10)).Version);
        Assert.Equal(4, FileAfter(Noticed(Adult), new CaseClosed(CaseClosure.Withdrawn, Monday10), new InquiryOverdue(new DateOnly(2026, 4, 1), Monday10),
            new CardRead("st", "0A", new DateOnly(2026, 6, 15), 3, 5, Monday10)).Version);
    }

    [Fact]
    public void An_arrival_recorded_on_the_wrong_case_is_voided_with_its_reason_and_its_ticket_leaves_the_queue()
    {
        Given(Noticed(Adult), Arrived)
            .Then(new VoidEntry(2, "  " + Reason + " ", Later), new EntryVoided(2, nameof(ArrivedAtOffice), Reason, Later));
        var file = FileAfter(Noticed(Adult), Arrived, new EntryVoided(2, nameof(ArrivedAtOffice), Reason, Later));
        Assert.Null(file.OpenTicket);
        Assert.Empty(Corrections.Voidable(file));
        // Voiding it again is a retry: nothing new.
        Fresh().Given(Noticed(Adult), Arrived, new EntryVoided(2, nameof(ArrivedAtOffice), Reason, Later)).Then(new VoidEntry(2, Reason, Later));
    }

    [Fact]
    public void A_blank_reason_is_a_hole_in_the_command_whoever_sent_it()
    {
        Given(Noticed(Adult), Arrived).ThenRefused(new VoidEntry(2, "", Later), CommandGuard.Malformed);
        ThenRefused(new VoidEntry(2, "   ", Later), CommandGuard.Malformed);
    }

    [Theory]
    [InlineData("マイナンバー 1234 5678 9012 の方")]
    [InlineData("番号１２３４５６７８９０１２")]
    [InlineData("改行\u0007")]
    [InlineData("逆順\u202E文字")]
    public void A_correction_without_a_reason_or_with_a_My_Number_in_it_is_refused(string reason)
    {
        Given(Noticed(Adult), Arrived).ThenRefused(new VoidEntry(2, reason, Later), Rules.CorrectionReason);
    }

    [Fact]
    public void A_reason_may_run_over_lines_as_the_edge_takes_free_text()
    {
        // The desk's reason box is a textarea; the edge takes line breaks in free text, and so does the decider.
        Given(Noticed(Adult), Arrived);
        Then(new VoidEntry(2, "別の方の案件に記録しました。\n窓口で確認済み。", Later),
            new EntryVoided(2, nameof(ArrivedAtOffice), "別の方の案件に記録しました。\n窓口で確認済み。", Later));
    }

    [Fact]
    public void A_reason_is_at_most_200_characters()
    {
        Given(Noticed(Adult), Arrived);
        Then(new VoidEntry(2, new string('誤', 200), Later), new EntryVoided(2, nameof(ArrivedAtOffice), new string('誤', 200), Later));
        ThenRefused(new VoidEntry(2, new string('誤', 201), Later), Rules.CorrectionReason);
    }

    [Fact]
    public void A_visit_started_on_the_wrong_case_is_voided_and_stops_counting_and_its_number_is_not_given_again()
    {
        Given(Noticed(Adult), HolderVisit, HolderAccepted, new PinMismatchRecorded(Certificate.UserAuthentication, 2, Monday10))
            .Then(new VoidEntry(2, Reason, Later), new EntryVoided(2, nameof(VisitStarted), Reason, Later));

        var file = FileAfter(Noticed(Adult), HolderVisit, HolderAccepted, new PinMismatchRecorded(Certificate.UserAuthentication, 2, Monday10),
            new EntryVoided(2, nameof(VisitStarted), Reason, Later));
        Assert.Null(file.CurrentVisit);
        Assert.Equal((0, 1), (file.Visits, file.VisitCount));
        // The PIN fact stays as the card said it.
        Assert.Equal(2, file.TriesLeft[Certificate.UserAuthentication]);

        Given(new EntryVoided(2, nameof(VisitStarted), Reason, Later))
            .Then(new StartVisit("市民課", WhoCame.Holder, [], Later),
                new VisitStarted(2, "市民課", WhoCame.Holder, [], ReplyForm.NotApplicable, true, Later), new IdentityAccepted(2, Rules.HolderPresence.Id, Later));
    }

    [Fact]
    public void An_arrival_whose_ticket_a_visit_took_is_voided_only_after_that_visit()
    {
        Given(Noticed(Adult), Arrived, new CalledToCounter("市民課", "1番窓口", "clerk-1", Monday10),
            new VisitStarted(1, "市民課", WhoCame.Holder, [], ReplyForm.NotApplicable, true, Monday10), HolderAccepted);
        ThenRefused(new VoidEntry(2, Reason, Later), Rules.VoidVisitFirst);
        Then(new VoidEntry(4, Reason, Later), new EntryVoided(4, nameof(VisitStarted), Reason, Later));
        Given(new EntryVoided(4, nameof(VisitStarted), Reason, Later))
            .Then(new VoidEntry(2, Reason, Later), new EntryVoided(2, nameof(ArrivedAtOffice), Reason, Later));
    }

    [Fact]
    public void Renewals_PIN_facts_notices_and_calls_are_never_voided()
    {
        // An arrival dropped earlier keeps voiding possible in this case, so that each refusal is the entry's own.
        Given(Noticed(Adult), Arrived, new TicketDropped("市民課", "A-12", TicketDrop.NoShow, Monday10),
            new CalledToCounter("市民課", "1番窓口", "clerk-1", Monday10), HolderVisit, HolderAccepted,
            new PinMatched(Certificate.UserAuthentication, Monday10), new PinMismatchRecorded(Certificate.Signing, 4, Monday10),
            new CertificatesRenewed([Certificate.UserAuthentication], new DateOnly(2030, 6, 15), 0, Monday10));
        foreach (var version in new long[] { 1, 3, 4, 6, 7, 8, 9 })
        {
            ThenRefused(new VoidEntry(version, Reason, Later), Rules.EntryNotVoidable);
        }
        // The visit that renewed is bound by it.
        ThenRefused(new VoidEntry(5, Reason, Later), Rules.VisitBound);
        Assert.Equal([2L], Corrections.Voidable(FileAfter(Noticed(Adult), Arrived, new TicketDropped("市民課", "A-12", TicketDrop.NoShow, Monday10),
            HolderVisit, HolderAccepted, new CertificatesRenewed([Certificate.UserAuthentication], new DateOnly(2030, 6, 15), 0, Monday10))).Select(e => e.Version));
    }

    [Theory]
    [MemberData(nameof(BindingFacts))]
    public void A_visit_in_which_something_binding_was_recorded_cannot_be_voided(RenewalEvent binding)
    {
        Given(Noticed(Adult), Arrived, new TicketDropped("市民課", "A-12", TicketDrop.Cancelled, Monday10), HolderVisit, HolderAccepted, binding)
            .ThenRefused(new VoidEntry(4, Reason, Later), Rules.VisitBound);
        // Without anything else to void, the lifecycle offers no void at all.
        Assert.DoesNotContain(CaseAction.VoidEntry, Lifecycle.Allowed(RenewalState.Fold([Noticed(Adult), HolderVisit, HolderAccepted, binding])));
    }

    public static TheoryData<RenewalEvent> BindingFacts() =>
    [
        new PinReset([Certificate.UserAuthentication], Monday10),
        new DocumentInquiryMailed("x", Adult.RegisteredAddress, new DateOnly(2026, 3, 16), new DateOnly(2026, 4, 15), Monday10),
        new CertificatesRenewed([Certificate.UserAuthentication], new DateOnly(2030, 6, 15), 0, Monday10),
    ];

    [Fact]
    public void Only_the_last_visit_of_the_case_can_be_voided()
    {
        Given(Noticed(Adult), HolderVisit, HolderAccepted, new VisitEnded(1, VisitOutcome.MustReturn, Monday10),
            new VisitStarted(2, "市民課", WhoCame.Holder, [], ReplyForm.NotApplicable, true, Later), new IdentityAccepted(2, Rules.HolderPresence.Id, Later));
        ThenRefused(new VoidEntry(2, Reason, Later), Rules.VisitNotLast);
        Then(new VoidEntry(5, Reason, Later), new EntryVoided(5, nameof(VisitStarted), Reason, Later));
    }

    [Fact]
    public void The_outcome_of_an_ended_visit_is_amended_and_the_same_outcome_again_is_nothing()
    {
        Given(Noticed(Adult), HolderVisit, HolderAccepted, new VisitEnded(1, VisitOutcome.MustReturn, Monday10));
        Then(new AmendVisitOutcome(1, VisitOutcome.Left, "途中で帰られた", Later), new VisitOutcomeAmended(1, VisitOutcome.Left, "途中で帰られた", Later));
        Then(new AmendVisitOutcome(1, VisitOutcome.MustReturn, "同じ", Later));
        ThenRefused(new AmendVisitOutcome(2, VisitOutcome.Left, "なし", Later), Rules.OutcomeNotAmendable);
        ThenRefused(new AmendVisitOutcome(1, VisitOutcome.Left, "", Later), CommandGuard.Malformed);
        Assert.Equal(VisitOutcome.Left, FileAfter(Noticed(Adult), HolderVisit, HolderAccepted, new VisitEnded(1, VisitOutcome.MustReturn, Monday10),
            new VisitOutcomeAmended(1, VisitOutcome.Left, "途中で帰られた", Later)).VisitHistory.Single().Outcome);
    }

    [Fact]
    public void The_outcome_of_a_visit_in_progress_voided_or_that_renewed_is_not_amended()
    {
        Given(Noticed(Adult), HolderVisit, HolderAccepted).ThenRefused(new AmendVisitOutcome(1, VisitOutcome.Left, Reason, Later), Rules.OutcomeNotAmendable);
        Fresh().Given(Noticed(Adult), HolderVisit, HolderAccepted, new VisitEnded(1, VisitOutcome.MustReturn, Monday10), new EntryVoided(2, nameof(VisitStarted), Reason, Later))
            .ThenRefused(new AmendVisitOutcome(1, VisitOutcome.Left, Reason, Later), Rules.OutcomeNotAmendable);
        var renewedOne = Fresh().Given(Noticed(Adult), HolderVisit, HolderAccepted, new PinMatched(Certificate.UserAuthentication, Monday10),
            new CertificatesRenewed([Certificate.UserAuthentication], new DateOnly(2030, 6, 15), 0, Monday10), new VisitEnded(1, VisitOutcome.MustReturn, Monday10));
        renewedOne.ThenRefused(new AmendVisitOutcome(1, VisitOutcome.Done, Reason, Later), Rules.OutcomeNotAmendable);
        Assert.Contains("更新", Corrections.OutcomeRefusal(FileAfter(Noticed(Adult), HolderVisit, HolderAccepted, new PinMatched(Certificate.UserAuthentication, Monday10),
            new CertificatesRenewed([Certificate.UserAuthentication], new DateOnly(2030, 6, 15), 0, Monday10), new VisitEnded(1, VisitOutcome.MustReturn, Monday10)), 1)!.Detail);
    }

    [Trait("seed", Rule.Seeds.Takatsuki)]
    [Fact]
    public void A_document_ticked_wrong_is_amended_and_identity_is_checked_again_on_the_documents_shown_000()
    {
        // The proxy showed a licence (A), but the clerk ticked an insurance card (B): refused for want of A.
        var started = Given(Noticed(Adult)).When(new StartVisit("市民課", WhoCame.AppointedProxy, [InsuranceCard()], Monday10, ReplyForm.Sealed, HolderPresent: false));
        Assert.IsType<IdentityRefused>(started[1]);
        Given([.. started]);
        Assert.Contains(CaseAction.AmendVisitDocuments, Lifecycle.Allowed(RenewalState.Fold([Noticed(Adult), .. started])));
        var licence = new ShownDocument("driving-licence", DocumentList.A, DocumentOwner.Representative, null, new DateOnly(2030, 1, 1));
        Then(new AmendVisitDocuments([Licence()], ReplyForm.Sealed, "免許証を保険証と取り違えて選択", Later),
            new VisitDocumentsAmended(1, [licence], ReplyForm.Sealed, "免許証を保険証と取り違えて選択", Later),
            new IdentityAccepted(1, Rules.ProxyIdentity.Id, Later));

        // And the other way: a document ticked that was not shown.
        var amended = When(new AmendVisitDocuments([InsuranceCard()], ReplyForm.Missing, "提示は保険証のみ", Later));
        Assert.Equal(ReplyForm.Missing, Assert.IsType<VisitDocumentsAmended>(amended[0]).ReplyForm);
        Assert.IsType<IdentityRefused>(amended[1]);
    }

    [Fact]
    public void The_documents_of_a_visit_that_reset_a_PIN_stand()
    {
        Given(Noticed(Adult), HolderVisit, HolderAccepted, new PinReset([Certificate.UserAuthentication], Monday10))
            .ThenRefused(new AmendVisitDocuments([Licence(DocumentOwner.Holder)], ReplyForm.NotApplicable, Reason, Later), Rules.DocumentsNotAmendable);
        Fresh().Given(Noticed(Adult)).ThenRefused(new AmendVisitDocuments([], ReplyForm.NotApplicable, Reason, Later), Rules.NoVisitInProgress);
    }

    [Fact]
    public void A_waiting_or_called_ticket_is_dropped_as_a_no_show_or_cancelled_and_a_visit_takes_it()
    {
        Given(Noticed(Adult), Arrived).Then(new DropTicket(TicketDrop.NoShow, Later), new TicketDropped("市民課", "A-12", TicketDrop.NoShow, Later));
        Given(new TicketDropped("市民課", "A-12", TicketDrop.NoShow, Later)).ThenRefused(new DropTicket(TicketDrop.Cancelled, Later), Rules.NoOpenTicket);

        // A call with no ticket opens one, without a number.
        Fresh().Given(Noticed(Adult), new CalledToCounter("市民課", "2番窓口", "clerk-1", Monday10))
            .Then(new DropTicket(TicketDrop.Cancelled, Later), new TicketDropped("市民課", null, TicketDrop.Cancelled, Later));
        Fresh().Given(Noticed(Adult), Arrived, HolderVisit, HolderAccepted).ThenRefused(new DropTicket(TicketDrop.NoShow, Later), Rules.NoOpenTicket);
        Fresh().Given(Noticed(Adult), Arrived, HolderVisit, HolderAccepted, new VisitEnded(1, VisitOutcome.MustReturn, Monday10))
            .ThenRefused(new DropTicket(TicketDrop.NoShow, Later), Rules.NoOpenTicket);
        Fresh().Given(Noticed(Adult)).ThenRefused(new DropTicket(TicketDrop.NoShow, Later), Rules.NoOpenTicket);
    }

    [Fact]
    public void Corrections_are_refused_on_a_closed_case()
    {
        Given(Noticed(Adult), Arrived, new CaseClosed(CaseClosure.Withdrawn, Later))
            .ThenRefused(new VoidEntry(2, Reason, Later), Rules.CaseClosed);
    }
}
