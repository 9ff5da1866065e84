using CaseSystem.Cases.Renewal;
using static CaseSystem.Cases.Renewal.RenewalCommand;
using static CaseSystem.Cases.Renewal.RenewalEvent;
using static CaseSystem.Cases.Tests.Renewal.Cases;

namespace CaseSystem.Cases.Tests.Renewal;

public sealed class OpeningTests : DeciderSpec
{
    [Fact]
    public void A_notice_opens_a_case_and_its_repeat_records_nothing()
    {
        var notice = new RecordExpiryNotice("N-0001", Adult, Expiring, "JLIS-2026-03", Monday10);
        Then(notice, new ExpiryNoticeSent("N-0001", Adult, Expiring, "JLIS-2026-03", Monday10));
        Given(Noticed(Adult)).Then(notice);
    }

    [Fact]
    public void A_case_opened_at_the_counter_without_a_notice()
    {
        Then(new OpenCaseAtCounter(Adult, Expiring, "市民課", Monday10), new CaseOpenedAtCounter(Adult, Expiring, "市民課", Monday10));
        Given(Noticed(Adult)).ThenRefused(new OpenCaseAtCounter(Adult, Expiring, "市民課", Monday10), Rules.CaseExists);
    }

    /// <remarks>
    /// The window opens three months before the expiry (000: 有効期限の3か月前から更新手続きができます).
    /// A lapse that time has made due when a case's dates become known is recorded with them, not
    /// left to a timer that would be due already. A window that opened before the case is no event
    /// of the case: the file holds it open from its dates, and the window's timer, if it fires,
    /// records nothing; a case that begins before its window records the opening when it comes.
    /// </remarks>
    [Trait("seed", Rule.Seeds.Takatsuki)]
    [Fact]
    public void A_case_opened_when_its_window_is_open_or_its_certificates_lapsed_records_the_lapse_at_once_000()
    {
        var dayBefore = new DateTimeOffset(2026, 3, 15, 23, 59, 0, JapanTime.Offset);
        var noticeBefore = new ExpiryNoticeSent("N-0001", Adult, Expiring, "JLIS-2026-03", dayBefore);
        Then(new RecordExpiryNotice("N-0001", Adult, Expiring, "JLIS-2026-03", dayBefore), noticeBefore);
        Fresh().Given(noticeBefore).Then(new OpenRenewalWindow(Monday10), new RenewalWindowOpened(new DateOnly(2026, 3, 16), Monday10));

        var firstDay = new DateTimeOffset(2026, 3, 16, 0, 0, 0, JapanTime.Offset);
        var noticeOnTheDay = new ExpiryNoticeSent("N-0001", Adult, Expiring, "JLIS-2026-03", firstDay);
        Then(new RecordExpiryNotice("N-0001", Adult, Expiring, "JLIS-2026-03", firstDay), noticeOnTheDay);
        Assert.True(((RenewalState.Active)RenewalState.Fold([noticeOnTheDay])).Case.WindowOpened);
        Fresh().Given(noticeOnTheDay).Then(new OpenRenewalWindow(Monday10));

        var afterExpiry = new DateTimeOffset(2026, 6, 16, 9, 0, 0, JapanTime.Offset);
        var mixed = Expiring with { SigningExpiry = new DateOnly(2026, 6, 30) };
        Then(new OpenCaseAtCounter(Adult, mixed, "市民課", afterExpiry),
            new CaseOpenedAtCounter(Adult, mixed, "市民課", afterExpiry),
            new CertificateLapsed(Certificate.UserAuthentication, new DateOnly(2026, 6, 15), afterExpiry));

        // Only what falls due later is a timer: the signing certificate's lapse.
        RenewalEvent[] recorded =
        [
            new CaseOpenedAtCounter(Adult, mixed, "市民課", afterExpiry),
            new CertificateLapsed(Certificate.UserAuthentication, new DateOnly(2026, 6, 15), afterExpiry),
        ];
        Assert.Equal([(RenewalTimers.Lapse, new DateTimeOffset(2026, 7, 1, 0, 0, 0, JapanTime.Offset))],
            RenewalTimers.SetBy(recorded, RenewalState.Fold(recorded)).Select(t => (t.Kind, t.DueAt)));
    }

    [Fact]
    public void Nothing_is_done_to_a_case_that_does_not_exist_or_is_closed()
    {
        ThenRefused(new RecordArrival("市民課", "A-001", Monday10), Rules.NoCase);
        Given(Noticed(Adult), new CaseClosed(CaseClosure.Withdrawn, Monday10))
            .ThenRefused(new RecordArrival("市民課", "A-001", Monday10), Rules.CaseClosed);
    }
}

public sealed class HolderJourneyTests : DeciderSpec
{
    private static readonly RenewalEvent[] HolderAtCounter =
    [
        Noticed(Adult),
        new VisitStarted(1, "市民課", WhoCame.Holder, [], ReplyForm.NotApplicable, true, Monday10),
        new IdentityAccepted(1, Rules.HolderPresence.Id, Monday10),
    ];

    private static readonly Certificate[] Both = [Certificate.UserAuthentication, Certificate.Signing];

    /// <remarks>
    /// Renewed on 16 March 2026, before the 15 June birthday: that birthday is the first of the
    /// five, so the new certificates run to 15 June 2030 (001: 5回目の誕生日).
    /// </remarks>
    [Trait("seed", Rule.Seeds.Saku)]
    [Fact]
    public void A_holder_who_knows_both_PINs_renews_both_certificates_in_one_visit_free_of_charge_001()
    {
        Given(HolderAtCounter)
            .Given(new PinMatched(Certificate.UserAuthentication, Monday10), new PinMatched(Certificate.Signing, Monday10))
            .Then(new RenewCertificates(Both, Monday10),
                new CertificatesRenewed(Both, new DateOnly(2030, 6, 15), 0, Monday10));
    }

    [Fact]
    public void Starting_a_visit_accepts_the_holder_on_the_card()
    {
        Given(Noticed(Adult)).Then(new StartVisit("市民課", WhoCame.Holder, [], Monday10),
            new VisitStarted(1, "市民課", WhoCame.Holder, [], ReplyForm.NotApplicable, true, Monday10),
            new IdentityAccepted(1, Rules.HolderPresence.Id, Monday10));
    }

    [Trait("seed", Rule.Seeds.Takatsuki)]
    [Fact]
    public void Renewal_before_the_window_opens_is_refused_000()
    {
        var early = new DateTimeOffset(2026, 3, 15, 10, 0, 0, JapanTime.Offset);
        var violation = Given(HolderAtCounter)
            .Given(new PinMatched(Certificate.UserAuthentication, early))
            .ThenRefused(new RenewCertificates([Certificate.UserAuthentication], early), Rules.RenewalWindow);
        Assert.Contains("2026年3月16日", violation.Detail);
    }

    [Trait("seed", Rule.Seeds.Hirosaki)]
    [Fact]
    public void After_expiry_the_same_procedure_issues_new_certificates_instead_003()
    {
        var late = new DateTimeOffset(2026, 6, 16, 10, 0, 0, JapanTime.Offset);
        Given(HolderAtCounter)
            .Given(new PinMatched(Certificate.UserAuthentication, late), new PinMatched(Certificate.Signing, late))
            .Then(new RenewCertificates(Both, late),
                new CertificatesIssued(Both, new DateOnly(2031, 6, 15), 0, late));
    }

    [Trait("seed", Rule.Seeds.Takatsuki)]
    [Fact]
    public void On_the_expiry_date_itself_it_is_still_a_renewal_000()
    {
        var lastDay = new DateTimeOffset(2026, 6, 15, 10, 0, 0, JapanTime.Offset);
        Given(HolderAtCounter)
            .Given(new PinMatched(Certificate.UserAuthentication, lastDay))
            .Then(new RenewCertificates([Certificate.UserAuthentication], lastDay),
                // Renewed on the birthday itself: that day does not count, so the 5th birthday after is 2031.
                new CertificatesRenewed([Certificate.UserAuthentication], new DateOnly(2031, 6, 15), 0, lastDay));
    }

    [Trait("seed", Rule.Seeds.Hirosaki)]
    [Fact]
    public void A_certificate_on_a_reissued_card_costs_200_yen_003()
    {
        Given(HolderAtCounter)
            .Given(new PinMatched(Certificate.UserAuthentication, Monday10))
            .Then(new RenewCertificates([Certificate.UserAuthentication], Monday10, OnReissuedCard: true),
                new CertificatesIssuedOnReissuedCard([Certificate.UserAuthentication], new DateOnly(2030, 6, 15), 200, Monday10));
    }

    [Trait("seed", Rule.Seeds.Hirosaki)]
    [Fact]
    public void A_certificate_whose_PIN_was_not_verified_at_this_visit_is_not_renewed_003()
    {
        Given(HolderAtCounter)
            .Given(new PinMatched(Certificate.UserAuthentication, Monday10))
            .ThenRefused(new RenewCertificates(Both, Monday10), Rules.PinNotVerified);
    }

    [Trait("seed", Rule.Seeds.Hirosaki)]
    [Fact]
    public void A_forgotten_PIN_is_reset_with_one_ID_and_renewed_the_same_day_003()
    {
        var withId = new RenewalEvent[]
        {
            Noticed(Adult),
            new VisitStarted(1, "市民課", WhoCame.Holder, [new ShownDocument("health-insurance-card", DocumentList.B, DocumentOwner.Holder, null, null)], ReplyForm.NotApplicable, true, Monday10),
            new IdentityAccepted(1, Rules.HolderPresence.Id, Monday10),
        };
        Given(withId).Then(new ResetPin(Both, Monday10), new PinReset(Both, Monday10));
        Given(new PinReset(Both, Monday10)).Then(new RenewCertificates(Both, Monday10),
            new CertificatesRenewed(Both, new DateOnly(2030, 6, 15), 0, Monday10));
    }

    [Trait("seed", Rule.Seeds.Kawasaki)]
    [Fact]
    public void A_PIN_reset_without_an_ID_of_the_holder_is_refused_004()
    {
        Given(HolderAtCounter).ThenRefused(new ResetPin(Both, Monday10), Rules.HolderIdWhenPinUnknown);
    }

    [Trait("seed", Rule.Seeds.Hirosaki)]
    [Fact]
    public void The_user_authentication_PIN_locks_at_the_third_wrong_entry_003()
    {
        Given(HolderAtCounter)
            .Then(new RecordPinCheck(Certificate.UserAuthentication, PinCheckResult.Mismatched, 2, Monday10),
                new PinMismatchRecorded(Certificate.UserAuthentication, 2, Monday10));
        Given(new PinMismatchRecorded(Certificate.UserAuthentication, 2, Monday10), new PinMismatchRecorded(Certificate.UserAuthentication, 1, Monday10))
            .Then(new RecordPinCheck(Certificate.UserAuthentication, PinCheckResult.Mismatched, 0, Monday10),
                new PinMismatchRecorded(Certificate.UserAuthentication, 0, Monday10), new PinLocked(Certificate.UserAuthentication, Monday10));
        Given(new PinMismatchRecorded(Certificate.UserAuthentication, 0, Monday10), new PinLocked(Certificate.UserAuthentication, Monday10));
        ThenRefused(new RenewCertificates([Certificate.UserAuthentication], Monday10), Rules.PinLocked);
        // The card says the PIN matched: it was reset on the J-LIS terminal. The card is right, and the case follows it.
        Then(new RecordPinCheck(Certificate.UserAuthentication, PinCheckResult.Matched, 0, Monday10), new PinMatched(Certificate.UserAuthentication, Monday10));
    }

    [Trait("seed", Rule.Seeds.Hirosaki)]
    [Theory]
    [InlineData(Certificate.UserAuthentication, 3)]
    [InlineData(Certificate.Signing, 5)]
    [InlineData(Certificate.UserAuthentication, -1)]
    public void Tries_left_beyond_the_PINs_limit_are_refused_003(Certificate certificate, int triesLeft)
    {
        Given(HolderAtCounter).ThenRefused(new RecordPinCheck(certificate, PinCheckResult.Mismatched, triesLeft, Monday10), Rules.PinTriesOutOfRange);
    }

    [Trait("seed", Rule.Seeds.Hirosaki)]
    [Fact]
    public void The_signing_PIN_allows_five_tries_003()
    {
        Given(HolderAtCounter).Then(new RecordPinCheck(Certificate.Signing, PinCheckResult.Mismatched, 4, Monday10),
            new PinMismatchRecorded(Certificate.Signing, 4, Monday10));
        Given(HolderAtCounter).ThenRefused(new RecordCardRead("st-1", "0A1B", new DateOnly(2026, 6, 15), 3, 6, Monday10), Rules.PinTriesOutOfRange);
    }

    [Fact]
    public void A_locked_PIN_reset_at_the_counter_may_be_checked_again()
    {
        var withId = new RenewalEvent[]
        {
            Noticed(Adult),
            new VisitStarted(1, "市民課", WhoCame.Holder, [new ShownDocument("driving-licence", DocumentList.A, DocumentOwner.Holder, null, null)], ReplyForm.NotApplicable, true, Monday10),
            new IdentityAccepted(1, Rules.HolderPresence.Id, Monday10),
            new PinLocked(Certificate.UserAuthentication, Monday10),
        };
        Given(withId).Given(new PinReset([Certificate.UserAuthentication], Monday10))
            .Then(new RecordPinCheck(Certificate.UserAuthentication, PinCheckResult.Matched, 3, Monday10), new PinMatched(Certificate.UserAuthentication, Monday10));
    }

    [Trait("seed", Rule.Seeds.Takatsuki)]
    [Fact]
    public void A_pending_change_of_address_blocks_renewal_000()
    {
        var violation = Given(Noticed(Adult), new RegistryChangeReported(RegistryChange.Address, Monday10))
            .Given(HolderAtCounter[1..])
            .Given(new PinMatched(Certificate.UserAuthentication, Monday10))
            .ThenRefused(new RenewCertificates([Certificate.UserAuthentication], Monday10), Rules.PendingRegistryChange);
        Assert.Contains("住所", violation.Detail);
    }

    [Trait("seed", Rule.Seeds.Hirosaki)]
    [Fact]
    public void A_completed_change_of_address_revokes_the_signing_certificate_which_is_then_issued_anew_003()
    {
        Given(Noticed(Adult), new RegistryChangeReported(RegistryChange.Address, Monday10), new RegistryChangeCompleted(RegistryChange.Address, Monday10))
            .Given(HolderAtCounter[1..])
            .Given(new PinMatched(Certificate.UserAuthentication, Monday10), new PinMatched(Certificate.Signing, Monday10))
            .Then(new RenewCertificates(Both, Monday10),
                new CertificatesRenewed([Certificate.UserAuthentication], new DateOnly(2030, 6, 15), 0, Monday10),
                new CertificatesIssued([Certificate.Signing], new DateOnly(2030, 6, 15), 0, Monday10));
    }

    [Fact]
    public void A_second_visit_cannot_start_before_the_first_has_ended()
    {
        Given(HolderAtCounter).ThenRefused(new StartVisit("市民課", WhoCame.Holder, [], Monday10), Rules.VisitInProgress);
        Given(new VisitEnded(1, VisitOutcome.Done, Monday10)).Then(new StartVisit("市民課", WhoCame.Holder, [], Monday10.AddDays(1)),
            new VisitStarted(2, "市民課", WhoCame.Holder, [], ReplyForm.NotApplicable, true, Monday10.AddDays(1)),
            new IdentityAccepted(2, Rules.HolderPresence.Id, Monday10.AddDays(1)));
    }

    [Fact]
    public void Nothing_happens_at_the_counter_without_a_visit()
    {
        Given(Noticed(Adult)).ThenRefused(new EndVisit(VisitOutcome.Done, Monday10), Rules.NoVisitInProgress);
        ThenRefused(new RenewCertificates([Certificate.Signing], Monday10), Rules.NoVisitInProgress);
    }

    /// <summary>Issue 12: the station tried a PIN before the visit started; the card fell to 2 and the case must say so too.</summary>
    [Trait("seed", Rule.Seeds.Hirosaki)]
    [Fact]
    public void A_PIN_tried_on_the_card_before_the_visit_is_recorded_but_verifies_nothing_003()
    {
        Given(Noticed(Adult))
            .Then(new RecordPinCheck(Certificate.UserAuthentication, PinCheckResult.Mismatched, 2, Monday10), new PinMismatchRecorded(Certificate.UserAuthentication, 2, Monday10));
        Given(new PinMismatchRecorded(Certificate.UserAuthentication, 2, Monday10), new PinMatched(Certificate.UserAuthentication, Monday10))
            .Given(new VisitStarted(1, "市民課", WhoCame.Holder, [], ReplyForm.NotApplicable, true, Monday10), new IdentityAccepted(1, Rules.HolderPresence.Id, Monday10));
        // The match came before the visit: this visit has verified nothing yet.
        ThenRefused(new RenewCertificates([Certificate.UserAuthentication], Monday10), Rules.PinNotVerified);
        var file = Assert.IsType<RenewalState.Active>(RenewalState.Fold([Noticed(Adult), new PinMismatchRecorded(Certificate.UserAuthentication, 2, Monday10)])).Case;
        Assert.Equal(2, file.TriesLeft[Certificate.UserAuthentication]);
    }
}

public sealed class ProxyJourneyTests : DeciderSpec
{
    private static readonly Certificate[] Both = [Certificate.UserAuthentication, Certificate.Signing];

    private static StartVisit ProxyVisit(ReplyForm form, DateTimeOffset at, params PresentedDocument[] documents) =>
        new("市民課", WhoCame.AppointedProxy, documents, at, form, HolderPresent: false);

    [Trait("seed", Rule.Seeds.Takatsuki)]
    [Fact]
    public void A_proxy_with_a_sealed_form_and_photo_ID_renews_the_same_day_000()
    {
        Given(Noticed(Adult)).Then(ProxyVisit(ReplyForm.Sealed, Monday10, Licence()),
            new VisitStarted(1, "市民課", WhoCame.AppointedProxy,
                [new ShownDocument("driving-licence", DocumentList.A, DocumentOwner.Representative, null, new DateOnly(2030, 1, 1))],
                ReplyForm.Sealed, false, Monday10),
            new IdentityAccepted(1, Rules.ProxyIdentity.Id, Monday10));
        Given(When(ProxyVisit(ReplyForm.Sealed, Monday10, Licence())).ToArray())
            .Given(new PinMatched(Certificate.UserAuthentication, Monday10), new PinMatched(Certificate.Signing, Monday10))
            .Then(new RenewCertificates(Both, Monday10), new CertificatesRenewed(Both, new DateOnly(2030, 6, 15), 0, Monday10));
    }

    [Trait("seed", Rule.Seeds.Takatsuki)]
    [Fact]
    public void A_proxy_without_photo_ID_is_refused_where_the_policy_wants_A_000()
    {
        var events = Given(Noticed(Adult)).When(ProxyVisit(ReplyForm.Sealed, Monday10, InsuranceCard(), InsuranceCard()));
        var refused = Assert.IsType<IdentityRefused>(events[1]);
        Assert.Equal(Rules.ProxyIdentity.Id, refused.Rule);
        Assert.Contains("A1点", refused.Reason);
    }

    [Fact]
    [Trait("seed", "001_1357219a37cf8bc2.txt")]
    public void Where_the_policy_allows_two_B_documents_a_proxy_may_show_them_001()
    {
        var events = Policy(new TestPolicy { ProxyMayShowTwoFromListB = true })
            .Given(Noticed(Adult)).When(ProxyVisit(ReplyForm.Sealed, Monday10, InsuranceCard(), new PresentedDocument("pension-certificate", DocumentOwner.Representative)));
        Assert.IsType<IdentityAccepted>(events[1]);
    }

    [Trait("seed", Rule.Seeds.Saku)]
    [Fact]
    public void An_expired_ID_does_not_count_001()
    {
        var events = Given(Noticed(Adult)).When(ProxyVisit(ReplyForm.Sealed, Monday10,
            new PresentedDocument("driving-licence", DocumentOwner.Representative, ValidUntil: new DateOnly(2026, 3, 15))));
        Assert.IsType<IdentityRefused>(events[1]);
    }

    [Trait("seed", Rule.Seeds.Kawasaki)]
    [Fact]
    public void Only_the_applicants_own_My_Number_Card_counts_as_ID_up_to_six_months_after_its_expiry_004()
    {
        // The proxy's own card, expired the day before: no grace, it does not count.
        var proxysCard = new PresentedDocument("my-number-card", DocumentOwner.Representative, ValidUntil: new DateOnly(2026, 3, 15));
        var refused = Assert.IsType<IdentityRefused>(Given(Noticed(Adult)).When(ProxyVisit(ReplyForm.Sealed, Monday10, proxysCard))[1]);
        Assert.Contains("有効期限", refused.Reason);
        Assert.IsType<IdentityAccepted>(When(ProxyVisit(ReplyForm.Sealed, Monday10, proxysCard with { ValidUntil = new DateOnly(2026, 3, 16) }))[1]);

        // The holder's own card is their ID for a PIN reset up to six months after its expiry.
        var holdersCard = new PresentedDocument("my-number-card", DocumentOwner.Holder, ValidUntil: new DateOnly(2025, 9, 16));
        var holderVisit = new StartVisit("市民課", WhoCame.Holder, [holdersCard], Monday10);
        var reset = new ResetPin([Certificate.UserAuthentication], Monday10);
        var spec = Fresh();
        spec.Given(Noticed(Adult)).Given(spec.When(holderVisit).ToArray()).Then(reset, new PinReset([Certificate.UserAuthentication], Monday10));
        var older = Fresh();
        older.Given(Noticed(Adult)).Given(older.When(holderVisit with { Documents = [holdersCard with { ValidUntil = new DateOnly(2025, 9, 15) }] }).ToArray())
            .ThenRefused(reset, Rules.HolderIdWhenPinUnknown);
    }

    [Fact]
    public void An_unknown_document_kind_is_refused_with_its_name()
    {
        var violation = Given(Noticed(Adult)).ThenRefused(ProxyVisit(ReplyForm.Sealed, Monday10, new PresentedDocument("library-card", DocumentOwner.Representative)), Rules.UnknownDocument);
        Assert.Equal("library-card", violation.Detail);
    }

    [Trait("seed", Rule.Seeds.Takatsuki)]
    [Fact]
    public void Without_the_sealed_form_a_proxy_gets_a_document_inquiry_and_no_renewal_that_day_000()
    {
        Given(Noticed(Adult)).Given(When(ProxyVisit(ReplyForm.Missing, Monday10, Licence())).ToArray())
            .Given(new PinMatched(Certificate.UserAuthentication, Monday10))
            .ThenRefused(new RenewCertificates([Certificate.UserAuthentication], Monday10), Rules.ProxySealedReplyForm);
        Then(new MailDocumentInquiry("reply-form-missing", Monday10),
            new DocumentInquiryMailed("reply-form-missing", Adult.RegisteredAddress, new DateOnly(2026, 3, 16), new DateOnly(2026, 4, 15), Monday10));
    }

    [Trait("seed", Rule.Seeds.Takatsuki)]
    [Fact]
    public void A_wrong_PIN_on_the_form_stops_the_renewal_that_day_000()
    {
        Given(Noticed(Adult)).Given(When(ProxyVisit(ReplyForm.Sealed, Monday10, Licence())).ToArray())
            .Given(new PinMismatchRecorded(Certificate.UserAuthentication, 2, Monday10), new PinMatched(Certificate.Signing, Monday10))
            .ThenRefused(new RenewCertificates([Certificate.Signing], Monday10), Rules.ProxyWrongPinOnForm);
    }

    [Trait("seed", Rule.Seeds.Kawasaki)]
    [Fact]
    public void After_an_inquiry_the_proxy_returns_with_the_reply_and_stricter_documents_and_renews_004()
    {
        var weeksLater = Monday10.AddDays(20);
        Policy(new TestPolicy { KawasakiSecondVisit = true }).Given(Noticed(Adult))
            .Given(When(ProxyVisit(ReplyForm.Missing, Monday10, Licence())).ToArray())
            .Given(new DocumentInquiryMailed("reply-form-missing", Adult.RegisteredAddress, new DateOnly(2026, 3, 16), new DateOnly(2026, 4, 15), Monday10),
                   new VisitEnded(1, VisitOutcome.MustReturn, Monday10));

        // Only the licence again: the second visit wants more.
        var refused = When(ProxyVisit(ReplyForm.NotApplicable, weeksLater, Licence()));
        var identity = Assert.IsType<IdentityRefused>(refused[1]);
        Assert.Equal(Rules.InquirySecondVisit.Id, identity.Rule);
        // Only what is missing is named (issue 13): with the licence alone, the letter, the holder's ID and the proxy's second.
        Assert.Contains("足りないもの: 委任状、", identity.Reason);

        // With the letter and the holder's ID, only the proxy's second document is missing.
        var almost = When(ProxyVisit(ReplyForm.NotApplicable, weeksLater, Licence(), InsuranceCard(DocumentOwner.Holder),
            new PresentedDocument(DocumentKinds.LetterOfAttorney, DocumentOwner.Holder)));
        var reason = Assert.IsType<IdentityRefused>(almost[1]).Reason;
        Assert.Matches("足りないもの: 代理人の[^、]*。", reason);
        Assert.DoesNotContain("足りないもの: 委任状", reason);

        var secondVisit = ProxyVisit(ReplyForm.NotApplicable, weeksLater,
            Licence(), InsuranceCard(), InsuranceCard(DocumentOwner.Holder),
            new PresentedDocument(DocumentKinds.LetterOfAttorney, DocumentOwner.Holder), new PresentedDocument(DocumentKinds.ReplyForm, DocumentOwner.Holder));
        Given(When(secondVisit).ToArray());
        ThenRefused(new RenewCertificates(Both, weeksLater), Rules.InquiryReplyAwaited);
        Then(new ReceiveInquiryReply(weeksLater), new InquiryReplyReceived(2, weeksLater));
        Given(new InquiryReplyReceived(2, weeksLater), new PinMatched(Certificate.UserAuthentication, weeksLater), new PinMatched(Certificate.Signing, weeksLater))
            .Then(new RenewCertificates(Both, weeksLater), new CertificatesRenewed(Both, new DateOnly(2030, 6, 15), 0, weeksLater));
    }

    [Fact]
    public void A_proxy_may_not_reset_a_PIN()
    {
        Given(Noticed(Adult)).Given(When(ProxyVisit(ReplyForm.Sealed, Monday10, Licence())).ToArray())
            .ThenRefused(new ResetPin([Certificate.UserAuthentication], Monday10), Rules.HolderPresence);
    }

    [Fact]
    public void An_inquiry_is_for_a_proxy_only()
    {
        Given(Noticed(Adult), new VisitStarted(1, "市民課", WhoCame.Holder, [], ReplyForm.NotApplicable, true, Monday10), new IdentityAccepted(1, "holder", Monday10))
            .ThenRefused(new MailDocumentInquiry("x", Monday10), Rules.InquiryOnlyForProxy);
    }
}

public sealed class RepresentativeJourneyTests : DeciderSpec
{
    private static readonly PresentedDocument FamilyRegister = new(DocumentKinds.FamilyRegisterCertificate, DocumentOwner.Holder, IssuedOn: new DateOnly(2026, 3, 1));

    [Trait("seed", Rule.Seeds.Hirosaki)]
    [Fact]
    public void The_parent_of_a_12_year_old_renews_the_user_authentication_certificate_only_003()
    {
        var visit = new StartVisit("市民課", WhoCame.LegalRepresentativeOfMinor, [Licence(), FamilyRegister], Monday10);
        var started = Given(Noticed(Child, new CertificateDates(new DateOnly(2026, 6, 15), null))).When(visit);
        Assert.IsType<IdentityAccepted>(started[1]);
        Given(started.ToArray()).Given(new PinReset([Certificate.UserAuthentication], Monday10))
            .Then(new RenewCertificates([Certificate.UserAuthentication], Monday10),
                new CertificatesRenewed([Certificate.UserAuthentication], new DateOnly(2030, 6, 15), 0, Monday10));
        ThenRefused(new RenewCertificates([Certificate.UserAuthentication, Certificate.Signing], Monday10), Rules.NoSigningUnder15);
    }

    [Trait("seed", Rule.Seeds.Hirosaki)]
    [Fact]
    public void A_legal_representative_needs_proof_of_authority_unless_the_records_show_it_003()
    {
        var withoutProof = new StartVisit("市民課", WhoCame.LegalRepresentativeOfMinor, [Licence()], Monday10);
        Assert.IsType<IdentityRefused>(Given(Noticed(Child)).When(withoutProof)[1]);
        Assert.IsType<IdentityAccepted>(When(withoutProof with { AuthorityOnRecord = true })[1]);
    }

    [Trait("seed", Rule.Seeds.Hirosaki)]
    [Fact]
    public void A_legal_representative_acts_only_for_a_holder_under_15_003()
    {
        var visit = new StartVisit("市民課", WhoCame.LegalRepresentativeOfMinor, [Licence(), FamilyRegister], Monday10);
        Assert.Contains("45歳", Assert.IsType<IdentityRefused>(Given(Noticed(Adult)).When(visit)[1]).Reason);
    }

    [Trait("seed", Rule.Seeds.Kawasaki)]
    [Fact]
    public void A_guardian_shows_a_certificate_of_guardianship_issued_within_3_months_004()
    {
        PresentedDocument Guardianship(DateOnly issued) => new(DocumentKinds.GuardianshipCertificate, DocumentOwner.Representative, IssuedOn: issued);
        StartVisit Visit(DateOnly issued) => new("市民課", WhoCame.GuardianOfAdultWard, [Licence(), Guardianship(issued)], Monday10, HolderPresent: false);
        Assert.IsType<IdentityAccepted>(Given(Noticed(Adult)).When(Visit(new DateOnly(2025, 12, 16)))[1]);
        Assert.Equal(Rules.GuardianCertificate.Id, Assert.IsType<IdentityRefused>(When(Visit(new DateOnly(2025, 12, 15)))[1]).Rule);
    }

    [Trait("seed", Rule.Seeds.Hirosaki)]
    [Fact]
    public void For_the_signing_certificate_the_ward_must_come_too_003()
    {
        var visit = new StartVisit("市民課", WhoCame.GuardianOfAdultWard,
            [Licence(), new PresentedDocument(DocumentKinds.GuardianshipCertificate, DocumentOwner.Representative, IssuedOn: new DateOnly(2026, 3, 1))], Monday10, HolderPresent: false);
        Given(Noticed(Adult)).Given(When(visit).ToArray())
            .Given(new PinMatched(Certificate.UserAuthentication, Monday10), new PinMatched(Certificate.Signing, Monday10))
            .ThenRefused(new RenewCertificates([Certificate.UserAuthentication, Certificate.Signing], Monday10), Rules.WardPresentForSigning);
        Then(new RenewCertificates([Certificate.UserAuthentication], Monday10),
            new CertificatesRenewed([Certificate.UserAuthentication], new DateOnly(2030, 6, 15), 0, Monday10));
    }
}

public sealed class TimerDecisionTests : DeciderSpec
{
    [Trait("seed", Rule.Seeds.Takatsuki)]
    [Fact]
    public void The_window_opening_is_recorded_once_on_its_day_000()
    {
        var dayBefore = new DateTimeOffset(2026, 3, 15, 23, 59, 0, JapanTime.Offset);
        Given(Noticed(Adult)).Then(new OpenRenewalWindow(dayBefore));
        Then(new OpenRenewalWindow(Monday10), new RenewalWindowOpened(new DateOnly(2026, 3, 16), Monday10));
        Given(new RenewalWindowOpened(new DateOnly(2026, 3, 16), Monday10)).Then(new OpenRenewalWindow(Monday10.AddDays(1)));
    }

    [Fact]
    public void A_window_opening_that_fires_after_the_renewal_records_nothing()
    {
        Given(Noticed(Adult), new CertificatesRenewed([Certificate.UserAuthentication], new DateOnly(2030, 6, 15), 0, Monday10))
            .Then(new OpenRenewalWindow(Monday10.AddDays(1)));
    }

    [Trait("seed", Rule.Seeds.Hirosaki)]
    [Fact]
    public void An_unrenewed_certificate_lapses_the_day_after_its_expiry_once_003()
    {
        var expiryDay = new DateTimeOffset(2026, 6, 15, 23, 0, 0, JapanTime.Offset);
        var dayAfter = new DateTimeOffset(2026, 6, 16, 0, 0, 0, JapanTime.Offset);
        Given(Noticed(Adult)).Then(new RecordLapse(expiryDay));
        Then(new RecordLapse(dayAfter),
            new CertificateLapsed(Certificate.UserAuthentication, new DateOnly(2026, 6, 15), dayAfter),
            new CertificateLapsed(Certificate.Signing, new DateOnly(2026, 6, 15), dayAfter));
        Given(When(new RecordLapse(dayAfter)).ToArray()).Then(new RecordLapse(dayAfter.AddDays(1)));
    }

    [Fact]
    public void A_renewed_case_does_not_lapse()
    {
        Given(Noticed(Adult), new CertificatesRenewed([Certificate.UserAuthentication, Certificate.Signing], new DateOnly(2030, 6, 15), 0, Monday10))
            .Then(new RecordLapse(new DateTimeOffset(2026, 7, 1, 0, 0, 0, JapanTime.Offset)));
    }

    [Trait("seed", Rule.Seeds.Kawasaki)]
    [Fact]
    public void An_unanswered_inquiry_is_flagged_overdue_after_its_period_once_004()
    {
        var mailed = new DocumentInquiryMailed("reply-form-missing", Adult.RegisteredAddress, new DateOnly(2026, 3, 16), new DateOnly(2026, 4, 15), Monday10);
        var dueDay = new DateTimeOffset(2026, 4, 15, 20, 0, 0, JapanTime.Offset);
        var after = new DateTimeOffset(2026, 4, 16, 8, 0, 0, JapanTime.Offset);
        Given(Noticed(Adult), mailed).Then(new FlagInquiryOverdue(dueDay));
        Then(new FlagInquiryOverdue(after), new InquiryOverdue(new DateOnly(2026, 4, 15), after));
        Given(new InquiryOverdue(new DateOnly(2026, 4, 15), after)).Then(new FlagInquiryOverdue(after.AddDays(1)));
    }
}
