using CaseSystem.Cases.Api;
using CaseSystem.Cases.Policies;
using CaseSystem.Cases.Renewal;
using static CaseSystem.Cases.Renewal.RenewalEvent;
using static CaseSystem.Cases.Tests.Renewal.Cases;

namespace CaseSystem.Cases.Tests.Policies;

/// <summary>
/// What a proxy is told to bring on the visit after a document inquiry is what the decider will
/// check on that visit, municipality by municipality (issue 12: every municipality was shown
/// Kawasaki's terms).
/// </summary>
public sealed class SecondVisitChecklistTests
{
    private static readonly DateTimeOffset Monday10 = new(2026, 3, 16, 10, 0, 0, JapanTime.Offset);

    private static CaseFile Waiting(string office) => ((RenewalState.Active)RenewalState.Fold(
    [
        Noticed(Adult),
        new VisitStarted(1, office, WhoCame.AppointedProxy, [], ReplyForm.Missing, false, Monday10),
        new IdentityAccepted(1, Rules.ProxyIdentity.Id, Monday10),
        new DocumentInquiryMailed("reply-form-missing", Adult.RegisteredAddress, new DateOnly(2026, 3, 16), new DateOnly(2026, 4, 15), Monday10),
        new VisitEnded(1, VisitOutcome.MustReturn, Monday10),
    ])).Case;

    private static ChecklistItem SecondVisit(string municipality)
    {
        var policy = MunicipalPolicies.For(municipality);
        return Assert.Single(Checklist.For(Waiting(policy.Offices[0].Id), new DateOnly(2026, 3, 20), policy), i => i.Code == "second-visit-documents");
    }

    [Fact]
    [Trait("seed", Rule.Seeds.Kawasaki)]
    public void Kawasaki_asks_for_its_own_second_visit_documents_with_the_letter_of_attorney()
    {
        var terms = ((IRenewalPolicy)MunicipalPolicies.For("kawasaki")).SecondVisit!;
        Assert.Contains(terms.Ja, SecondVisit("kawasaki").Ja);
        Assert.Contains("委任状", SecondVisit("kawasaki").Ja);
    }

    [Theory]
    [InlineData("takatsuki")]
    [InlineData("saku")]
    [InlineData("hirosaki")]
    [InlineData("fujiidera")]
    public void Elsewhere_the_proxy_brings_the_municipalitys_usual_proxy_identity(string municipality)
    {
        IRenewalPolicy policy = MunicipalPolicies.For(municipality);
        Assert.Null(policy.SecondVisit);
        var item = SecondVisit(municipality);
        Assert.Contains(policy.ProxyIdentityJa, item.Ja);
        Assert.DoesNotContain(((IRenewalPolicy)MunicipalPolicies.For("kawasaki")).SecondVisit!.Ja, item.Ja);
    }
}
