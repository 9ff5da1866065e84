using CaseSystem.Cases.Policies;
using CaseSystem.Cases.Renewal;
using static CaseSystem.Cases.Renewal.RenewalCommand;
using static CaseSystem.Cases.Renewal.RenewalEvent;
using static CaseSystem.Cases.Tests.Renewal.Cases;

namespace CaseSystem.Cases.Tests.Renewal;

/// <summary>Seed rules found missing in issue 12, each with its municipality's own profile.</summary>
public sealed class SeedRuleTests : DeciderSpec
{
    private static readonly DateTimeOffset Monday = new(2026, 3, 16, 10, 0, 0, JapanTime.Offset);
    private static readonly Holder InNakahara = Adult with { RegisteredAddress = "神奈川県川崎市中原区小杉町3丁目245" };
    private static readonly PresentedDocument Letter = new(DocumentKinds.LetterOfAttorney, DocumentOwner.Holder);

    private static PresentedDocument DrivingHistory(DateOnly issuedOn) => new("driving-history-certificate", DocumentOwner.Representative, IssuedOn: issuedOn);

    private static StartVisit Proxy(string office, DateTimeOffset at, ReplyForm form, params PresentedDocument[] documents) =>
        new(office, WhoCame.AppointedProxy, documents, at, form, HolderPresent: false);

    [Theory]
    [Trait("seed", Rule.Seeds.Takatsuki)]
    [Trait("seed", Rule.Seeds.Kawasaki)]
    [InlineData("takatsuki", "shimin-ka")]
    [InlineData("kawasaki", "mynumber-card-center")]
    public void A_driving_history_certificate_is_photo_ID_only_if_issued_on_or_after_1_April_2012_000_004(string slug, string office)
    {
        Policy(MunicipalPolicies.For(slug)).Given(Noticed(Adult), new ReservationMade(office, Monday, Monday.AddDays(-7)));
        var refused = Assert.IsType<IdentityRefused>(When(Proxy(office, Monday, ReplyForm.Sealed, DrivingHistory(new DateOnly(2012, 3, 31))))[1]);
        Assert.Contains("より前の交付", refused.Reason);
        Assert.IsType<IdentityRefused>(When(Proxy(office, Monday, ReplyForm.Sealed, DrivingHistory(new DateOnly(2012, 3, 31)) with { IssuedOn = null }))[1]);
        Assert.IsType<IdentityAccepted>(When(Proxy(office, Monday, ReplyForm.Sealed, DrivingHistory(new DateOnly(2012, 4, 1))))[1]);
    }

    [Fact]
    [Trait("seed", Rule.Seeds.Kawasaki)]
    public void A_document_past_its_validity_does_not_count_004()
    {
        Policy(MunicipalPolicies.For("kawasaki")).Given(Noticed(Adult), new ReservationMade("mynumber-card-center", Monday, Monday.AddDays(-7)));
        var passport = new PresentedDocument("passport", DocumentOwner.Representative, ValidUntil: new DateOnly(2026, 3, 15));
        Assert.IsType<IdentityRefused>(When(Proxy("mynumber-card-center", Monday, ReplyForm.Sealed, passport))[1]);
        Assert.IsType<IdentityAccepted>(When(Proxy("mynumber-card-center", Monday, ReplyForm.Sealed, passport with { ValidUntil = new DateOnly(2026, 3, 16) }))[1]);
    }

    [Theory]
    [Trait("seed", Rule.Seeds.Kawasaki)]
    [InlineData(0, true)]
    [InlineData(-30, true)]
    [InlineData(-31, false)]
    [InlineData(60, true)]
    [InlineData(61, false)]
    [InlineData(24 * 60, false)]
    public void Kawasaki_visits_start_at_the_reserved_date_and_time_004(int minutesFromSlot, bool starts)
    {
        Policy(MunicipalPolicies.For("kawasaki")).Given(Noticed(Adult), new ReservationMade("mynumber-card-center", Monday, Monday.AddDays(-7)));
        var visit = new StartVisit("mynumber-card-center", WhoCame.Holder, [], Monday.AddMinutes(minutesFromSlot));
        if (starts) Assert.IsType<VisitStarted>(When(visit)[0]);
        else Assert.Contains("予約は2026年3月16日", ThenRefused(visit, Rules.ReservedDateAndTime).Detail);
    }

    [Fact]
    [Trait("seed", Rule.Seeds.Kawasaki)]
    public void Kawasaki_reserves_only_times_the_office_receives_004()
    {
        Policy(MunicipalPolicies.For("kawasaki")).Given(Noticed(Adult))
            .ThenRefused(new MakeReservation("mynumber-card-center", Monday.AddHours(10), Monday), Rules.ReservationOutsideHours);
    }

    [Theory]
    [Trait("seed", Rule.Seeds.Kawasaki)]
    [InlineData("nakahara-ku", true)]
    [InlineData("mynumber-card-center", true)]
    [InlineData("saiwai-ku", false)]
    public void Kawasaki_renews_only_at_the_card_centre_or_the_ward_office_of_the_holders_address_004(string office, bool starts)
    {
        Policy(MunicipalPolicies.For("kawasaki")).Given(Noticed(InNakahara), new ReservationMade(office, Monday, Monday.AddDays(-7)));
        var visit = new StartVisit(office, WhoCame.Holder, [], Monday);
        if (starts) Assert.IsType<VisitStarted>(When(visit)[0]);
        else Assert.Contains("中原区", ThenRefused(visit, Rules.ResidenceWardOffice).Detail);
    }

    [Fact]
    [Trait("seed", Rule.Seeds.Kawasaki)]
    public void Kawasaki_takes_the_inquiry_at_the_residence_ward_office_with_a_letter_of_attorney_004()
    {
        var policy = MunicipalPolicies.For("kawasaki");
        var atCentre = Fresh().Policy(policy).Given(Noticed(InNakahara), new ReservationMade("mynumber-card-center", Monday, Monday.AddDays(-7)));
        atCentre.Given(atCentre.When(Proxy("mynumber-card-center", Monday, ReplyForm.Missing, Licence(), Letter)).ToArray())
            .ThenRefused(new MailDocumentInquiry("reply-form-missing", Monday), Rules.InquiryAtResidenceWardOffice);

        var noLetter = Fresh().Policy(policy).Given(Noticed(InNakahara), new ReservationMade("nakahara-ku", Monday, Monday.AddDays(-7)));
        noLetter.Given(noLetter.When(Proxy("nakahara-ku", Monday, ReplyForm.Missing, Licence())).ToArray())
            .ThenRefused(new MailDocumentInquiry("reply-form-missing", Monday), Rules.InquiryLetterOfAttorney);

        Policy(policy).Given(Noticed(InNakahara), new ReservationMade("nakahara-ku", Monday, Monday.AddDays(-7)));
        Given(When(Proxy("nakahara-ku", Monday, ReplyForm.Missing, Licence(), Letter)).ToArray());
        Assert.IsType<DocumentInquiryMailed>(When(new MailDocumentInquiry("reply-form-missing", Monday)).Single());
    }

    [Fact]
    [Trait("seed", Rule.Seeds.Kawasaki)]
    public void A_parent_resetting_a_childs_PIN_in_Kawasaki_shows_an_ID_of_the_child_and_two_of_their_own_004()
    {
        var familyRegister = new PresentedDocument(DocumentKinds.FamilyRegisterCertificate, DocumentOwner.Holder, IssuedOn: new DateOnly(2026, 3, 1));
        var parent = new StartVisit("mynumber-card-center", WhoCame.LegalRepresentativeOfMinor, [Licence(), familyRegister], Monday);
        var reset = new ResetPin([Certificate.UserAuthentication], Monday);
        var kawasaki = MunicipalPolicies.For("kawasaki");

        var few = Fresh().Policy(kawasaki).Given(Noticed(Child), new ReservationMade("mynumber-card-center", Monday, Monday.AddDays(-7)));
        few.Given(few.When(parent).ToArray()).ThenRefused(reset, Rules.RepresentativePinReset);

        Policy(kawasaki).Given(Noticed(Child), new ReservationMade("mynumber-card-center", Monday, Monday.AddDays(-7)));
        Given(When(parent with { Documents = [Licence(), InsuranceCard(), InsuranceCard(DocumentOwner.Holder), familyRegister] }).ToArray())
            .Then(reset, new PinReset([Certificate.UserAuthentication], Monday));
    }

    [Fact]
    [Trait("seed", Rule.Seeds.Saku)]
    public void Elsewhere_a_parent_resets_the_childs_PIN_with_the_visits_own_documents_001()
    {
        var familyRegister = new PresentedDocument(DocumentKinds.FamilyRegisterCertificate, DocumentOwner.Holder, IssuedOn: new DateOnly(2026, 3, 1));
        Policy(MunicipalPolicies.For("saku")).Given(Noticed(Child));
        Given(When(new StartVisit("shimin-ka", WhoCame.LegalRepresentativeOfMinor, [Licence(), familyRegister], Monday)).ToArray())
            .Then(new ResetPin([Certificate.UserAuthentication], Monday), new PinReset([Certificate.UserAuthentication], Monday));
    }

    [Theory]
    [Trait("seed", Rule.Seeds.Saku)]
    [Trait("seed", Rule.Seeds.Takatsuki)]
    [InlineData("saku", "shimin-ka")]
    [InlineData("takatsuki", "shimin-ka")]
    public void Where_the_seed_says_nothing_of_it_a_proxy_with_the_sealed_form_has_certificates_issued_after_expiry_the_same_day(string slug, string office)
    {
        // Hirosaki's rule (003) is its own: the other profiles leave issuance to the usual proxy rules.
        var expired = new CertificateDates(new DateOnly(2026, 3, 1), new DateOnly(2026, 3, 1));
        Policy(MunicipalPolicies.For(slug)).Given(Noticed(Adult, expired));
        Given(When(Proxy(office, Monday, ReplyForm.Sealed, Licence())).ToArray())
            .Given(new PinMatched(Certificate.UserAuthentication, Monday));
        Assert.IsType<CertificatesIssued>(When(new RenewCertificates([Certificate.UserAuthentication], Monday)).Single());
    }

    [Theory]
    [Trait("seed", Rule.Seeds.Hirosaki)]
    [InlineData("hirosaki", "bosaikan")]
    public void After_expiry_a_proxy_cannot_have_certificates_issued_the_same_day_003(string slug, string office)
    {
        var expired = new CertificateDates(new DateOnly(2026, 3, 1), new DateOnly(2026, 3, 1));
        Policy(MunicipalPolicies.For(slug)).Given(Noticed(Adult, expired));
        Given(When(Proxy(office, Monday, ReplyForm.Sealed, Licence())).ToArray())
            .Given(new PinMatched(Certificate.UserAuthentication, Monday))
            .ThenRefused(new RenewCertificates([Certificate.UserAuthentication], Monday), Rules.ProxyIssuanceNeedsInquiry);

        // After the inquiry, on the visit that brings the reply, they are issued.
        var later = Monday.AddDays(14);
        Given(new DocumentInquiryMailed("issuance-by-proxy", Adult.RegisteredAddress, new DateOnly(2026, 3, 16), new DateOnly(2026, 4, 15), Monday),
                new VisitEnded(1, VisitOutcome.MustReturn, Monday));
        Given(When(Proxy(office, later, ReplyForm.NotApplicable, Licence(), InsuranceCard(), InsuranceCard(DocumentOwner.Holder), Letter)).ToArray())
            .Given(new InquiryReplyReceived(2, later), new PinMatched(Certificate.UserAuthentication, later));
        Assert.IsType<CertificatesIssued>(When(new RenewCertificates([Certificate.UserAuthentication], later)).Single());
    }

    [Theory]
    [Trait("seed", Rule.Seeds.Takatsuki)]
    [Trait("seed", Rule.Seeds.Kawasaki)]
    [InlineData("takatsuki", "shimin-ka", true)]
    [InlineData("kawasaki", "nakahara-ku", false)]
    public void Each_municipality_applies_its_own_rule_to_the_visit_after_an_inquiry_000_004(string slug, string office, bool licenceAlone)
    {
        var later = Monday.AddDays(14);
        Policy(MunicipalPolicies.For(slug)).Given(Noticed(InNakahara), new ReservationMade(office, later, Monday),
            new VisitStarted(1, office, WhoCame.AppointedProxy, [], ReplyForm.Missing, false, Monday), new IdentityAccepted(1, "proxy-identity", Monday),
            new DocumentInquiryMailed("reply-form-missing", InNakahara.RegisteredAddress, new DateOnly(2026, 3, 16), new DateOnly(2026, 4, 15), Monday),
            new VisitEnded(1, VisitOutcome.MustReturn, Monday));
        var second = When(Proxy(office, later, ReplyForm.NotApplicable, Licence()));
        if (licenceAlone) Assert.IsType<IdentityAccepted>(second[1]);
        else Assert.Equal(Rules.InquirySecondVisit.Id, Assert.IsType<IdentityRefused>(second[1]).Rule);
    }
}
