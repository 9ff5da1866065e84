using CaseSystem.Cases.Policies;
using CaseSystem.Cases.Renewal;
using static CaseSystem.Cases.Renewal.RenewalCommand;
using static CaseSystem.Cases.Renewal.RenewalEvent;
using static CaseSystem.Cases.Tests.Renewal.Cases;

namespace CaseSystem.Cases.Tests.Renewal;

/// <summary>The decider with the municipalities' own profiles, as the server runs it.</summary>
public sealed class MunicipalDeciderTests : DeciderSpec
{
    private static DateTimeOffset Jst(int y, int m, int d, int h, int min) => new(y, m, d, h, min, 0, JapanTime.Offset);

    private static StartVisit HolderVisit(string office, DateTimeOffset at) => new(office, WhoCame.Holder, [], at);

    [Fact]
    [Trait("seed", Rule.Seeds.Takatsuki)]
    public void No_visit_starts_in_Takatsuki_during_the_lunch_break_000()
    {
        Policy(MunicipalPolicies.For("takatsuki")).Given(Noticed(Adult));
        var violation = ThenRefused(HolderVisit("shimin-ka", Jst(2026, 3, 16, 12, 0)), Policy_Rule("takatsuki", "shimin-ka", Jst(2026, 3, 16, 12, 0)));
        Assert.Contains("11時30分", violation.Rule.Ja);
        Assert.IsType<VisitStarted>(When(HolderVisit("shimin-ka", Jst(2026, 3, 16, 13, 0)))[0]);
    }

    [Fact]
    [Trait("seed", Rule.Seeds.Hirosaki)]
    public void No_visit_starts_at_Hirolo_on_the_third_Saturday_but_does_on_the_second_003()
    {
        Policy(MunicipalPolicies.For("hirosaki")).Given(Noticed(Adult));
        var thirdSaturday = Jst(2026, 3, 21, 10, 0);
        Assert.Equal("hirosaki-hirolo-third-weekend", ThenRefused(HolderVisit("hirolo", thirdSaturday), Policy_Rule("hirosaki", "hirolo", thirdSaturday)).Rule.Id);
        Assert.IsType<VisitStarted>(When(HolderVisit("hirolo", Jst(2026, 3, 14, 10, 0)))[0]);
    }

    [Fact]
    [Trait("seed", Rule.Seeds.Kawasaki)]
    public void No_visit_starts_in_Kawasaki_without_a_reservation_004()
    {
        var monday = Jst(2026, 3, 16, 10, 0);
        Policy(MunicipalPolicies.For("kawasaki")).Given(Noticed(Adult));
        ThenRefused(HolderVisit("mynumber-card-center", monday), Rules.ReservationRequired);
        Given(new ReservationMade("mynumber-card-center", monday, monday.AddDays(-7)));
        Assert.IsType<VisitStarted>(When(HolderVisit("mynumber-card-center", monday))[0]);
    }

    [Fact]
    [Trait("seed", Rule.Seeds.Fujiidera)]
    public void No_visit_starts_in_Fujiidera_on_30_December_002()
    {
        var thirtieth = Jst(2026, 12, 30, 10, 0);
        Policy(MunicipalPolicies.For("fujiidera")).Given(Noticed(Adult));
        ThenRefused(HolderVisit("mynumber-counter", thirtieth), Policy_Rule("fujiidera", "mynumber-counter", thirtieth));
    }

    [Fact]
    [Trait("seed", Rule.Seeds.Saku)]
    public void A_proxy_in_Saku_may_show_two_documents_of_list_B_001()
    {
        var visit = new StartVisit("shimin-ka", WhoCame.AppointedProxy,
            [InsuranceCard(), new PresentedDocument("pension-certificate", DocumentOwner.Representative)], Jst(2026, 3, 16, 10, 0), ReplyForm.Sealed, false);
        Assert.IsType<IdentityAccepted>(Policy(MunicipalPolicies.For("saku")).Given(Noticed(Adult)).When(visit)[1]);
    }

    [Fact]
    [Trait("seed", Rule.Seeds.Takatsuki)]
    public void A_proxy_in_Takatsuki_must_show_a_document_of_list_A_000()
    {
        var visit = new StartVisit("shimin-ka", WhoCame.AppointedProxy, [Licence()], Jst(2026, 3, 16, 10, 0), ReplyForm.Sealed, false);
        Assert.IsType<IdentityAccepted>(Policy(MunicipalPolicies.For("takatsuki")).Given(Noticed(Adult)).When(visit)[1]);
        var refused = Assert.IsType<IdentityRefused>(When(visit with { Documents = [InsuranceCard(), InsuranceCard()] })[1]);
        Assert.Equal(Rules.ProxyIdentity.Id, refused.Rule);
        // Two of list B count for nothing here: the clerk reads what was shown and the one thing still short.
        Assert.Contains("提示された代理人の書類はA0点・B2点で、あとA1点が必要です。", refused.Reason);
    }

    [Fact]
    [Trait("seed", Rule.Seeds.Saku)]
    public void A_proxy_in_Saku_with_one_document_of_list_B_is_told_one_more_of_B_or_one_of_A_is_short_001()
    {
        var visit = new StartVisit("shimin-ka", WhoCame.AppointedProxy, [InsuranceCard()], Jst(2026, 3, 16, 10, 0), ReplyForm.Sealed, false);
        var refused = Assert.IsType<IdentityRefused>(Policy(MunicipalPolicies.For("saku")).Given(Noticed(Adult)).When(visit)[1]);
        Assert.Equal(Rules.ProxyIdentity.Id, refused.Rule);
        Assert.Contains("提示された代理人の書類はA0点・B1点で、あとA1点、またはあとB1点が必要です。", refused.Reason);
    }

    [Fact]
    public void A_visit_at_an_office_the_municipality_does_not_have_is_refused()
    {
        Policy(MunicipalPolicies.For("saku")).Given(Noticed(Adult))
            .ThenRefused(HolderVisit("hirolo", Jst(2026, 3, 16, 10, 0)), Rules.UnknownOffice);
    }

    [Fact]
    [Trait("seed", Rule.Seeds.Kawasaki)]
    public void Kawasaki_gives_an_inquiry_its_profile_period_004()
    {
        var monday = Jst(2026, 3, 16, 10, 0);
        var policy = MunicipalPolicies.For("kawasaki");
        Policy(policy).Given(Noticed(Adult), new ReservationMade("nakahara-ku", monday, monday.AddDays(-7)));
        Given(When(new StartVisit("nakahara-ku", WhoCame.AppointedProxy, [Licence(), new(DocumentKinds.LetterOfAttorney, DocumentOwner.Holder)], monday, ReplyForm.Missing, false)).ToArray());
        var mailed = Assert.IsType<DocumentInquiryMailed>(When(new MailDocumentInquiry("reply-form-missing", monday)).Single());
        Assert.Equal(new DateOnly(2026, 3, 16).AddDays(policy.DocumentInquiry.OverdueAfterDays), mailed.ReplyDueOn);
    }

    private static Rule Policy_Rule(string slug, string office, DateTimeOffset at) =>
        MunicipalPolicies.For(slug).Office(office).ReceptionAt(at).Rule ?? throw new InvalidOperationException($"{slug}/{office} is open at {at}");
}
