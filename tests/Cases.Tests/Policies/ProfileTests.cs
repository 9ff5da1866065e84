using CaseSystem.Cases.Policies;
using CaseSystem.Cases.Renewal;

namespace CaseSystem.Cases.Tests.Policies;

internal static class Profiles
{
    public static string Embedded(string fileName) =>
        MunicipalPolicies.EmbeddedFiles().Single(f => f.FileName == fileName).Json;
}

public class ProfileTests
{
    [Fact]
    public void All_five_profiles_are_embedded_load_and_validate()
    {
        Assert.Equal(["fujiidera.json", "hirosaki.json", "kawasaki.json", "saku.json", "takatsuki.json"],
            MunicipalPolicies.EmbeddedFiles().Select(f => f.FileName));

        var all = MunicipalPolicies.All;

        Assert.Equal(Municipalities.Codes.Keys.Order(), all.Keys.Order());
        foreach (var (slug, policy) in all)
        {
            Assert.Equal(slug, policy.Slug);
            Assert.Equal(Municipalities.Codes[slug], policy.LocalGovernmentCode);
            Assert.NotEmpty(policy.Offices);
            Assert.NotEmpty(policy.IdentityDocuments);
        }
        Assert.Same(all, MunicipalPolicies.All);
    }

    [Theory]
    [InlineData("takatsuki", "272078", "高槻市", Rule.Seeds.Takatsuki)]
    [InlineData("saku", "202177", "佐久市", Rule.Seeds.Saku)]
    [InlineData("fujiidera", "272264", "藤井寺市", Rule.Seeds.Fujiidera)]
    [InlineData("hirosaki", "022021", "弘前市", Rule.Seeds.Hirosaki)]
    [InlineData("kawasaki", "141305", "川崎市", Rule.Seeds.Kawasaki)]
    public void Each_profile_names_its_municipality_code_and_seed(string slug, string code, string nameJa, string seed)
    {
        var policy = MunicipalPolicies.For(slug);

        Assert.Equal((code, nameJa, seed), (policy.LocalGovernmentCode, policy.NameJa, policy.Seed));
    }

    [Fact]
    public void An_unknown_slug_is_a_clear_KeyNotFoundException()
    {
        var e = Assert.Throws<KeyNotFoundException>(() => MunicipalPolicies.For("osaka"));

        Assert.Contains("'osaka'", e.Message);
        Assert.Contains("takatsuki", e.Message);
        Assert.Throws<KeyNotFoundException>(() => MunicipalPolicies.For("saku").Office("nowhere"));
    }

    [Theory]
    [Trait("seed", "000_1c29ec30be0fd34c.txt")]
    [Trait("seed", "001_1357219a37cf8bc2.txt")]
    [Trait("seed", "002_2a7693c0dfa04a34.txt")]
    [Trait("seed", "003_546c67f138d13e20.txt")]
    [InlineData("takatsuki", new[] { "shimin-ka", "tonda", "sangamaki", "kashida" })]
    [InlineData("saku", new[] { "shimin-ka", "usuda", "mochizuki", "asashina" })]
    [InlineData("fujiidera", new[] { "mynumber-counter" })]
    [InlineData("hirosaki", new[] { "bosaikan", "iwaki", "soma", "hirolo" })]
    public void The_offices_are_those_the_seed_lists(string slug, string[] offices)
    {
        Assert.Equal(offices, MunicipalPolicies.For(slug).Offices.Select(o => o.Id));
    }

    [Fact]
    [Trait("seed", "004_90c5c7590592c0d4.txt")]
    public void Kawasaki_requires_a_reservation_004()
    {
        var kawasaki = MunicipalPolicies.For("kawasaki");

        Assert.True(kawasaki.Reservation.Required);
        Assert.Contains(kawasaki.Reservation.ChannelsJa, c => c.Contains("0120-380-366"));
        Assert.Contains(kawasaki.Offices, o => o.Kind == OfficeKind.Centre);
        Assert.Equal(7, kawasaki.Offices.Count(o => o.Kind == OfficeKind.WardOffice));
        Assert.All(MunicipalPolicies.All.Values.Where(p => p.Slug != "kawasaki"), p => Assert.False(p.Reservation.Required));
    }

    [Fact]
    [Trait("seed", "002_2a7693c0dfa04a34.txt")]
    public void Fujiidera_does_not_renew_at_post_offices_002()
    {
        Assert.False(MunicipalPolicies.For("fujiidera").PostOfficeRenewal);
        Assert.Null(MunicipalPolicies.For("takatsuki").PostOfficeRenewal);
    }

    [Fact]
    [Trait("seed", "000_1c29ec30be0fd34c.txt")]
    [Trait("seed", "001_1357219a37cf8bc2.txt")]
    public void Saku_proxy_may_show_two_B_documents_while_Takatsuki_requires_one_A_001_vs_000()
    {
        var saku = MunicipalPolicies.For("saku");
        var takatsuki = MunicipalPolicies.For("takatsuki");
        string[] twoB = ["health-insurance-card", "pension-certificate"];

        Assert.Equal("A1点またはB2点", saku.ProxyIdentity.DescriptionJa);
        Assert.True(saku.AcceptsProxyIdentity(twoB));
        Assert.False(saku.AcceptsProxyIdentity(["health-insurance-card"]));
        Assert.True(saku.AcceptsProxyIdentity(["driving-licence"]));

        Assert.Equal("A1点", takatsuki.ProxyIdentity.DescriptionJa);
        Assert.False(takatsuki.AcceptsProxyIdentity(twoB));
        Assert.True(takatsuki.AcceptsProxyIdentity(["passport"]));
        Assert.All(["fujiidera", "hirosaki", "kawasaki"], slug => Assert.Equal("A1点", MunicipalPolicies.For(slug).ProxyIdentity.DescriptionJa));
    }

    [Fact]
    [Trait("seed", "004_90c5c7590592c0d4.txt")]
    public void Kawasaki_lists_photo_less_cards_as_B_and_the_second_visit_after_an_inquiry_is_stricter_004()
    {
        var kawasaki = MunicipalPolicies.For("kawasaki");

        Assert.Equal(IdentityDocumentList.A, kawasaki.Document("my-number-card")!.List);
        Assert.Equal(IdentityDocumentList.B, kawasaki.Document("my-number-card-without-photo")!.List);
        Assert.Equal(IdentityDocumentList.B, kawasaki.Document("health-insurance-card")!.List);
        Assert.Equal(6, kawasaki.Document("my-number-card")!.GraceAfterExpiryMonths);
        Assert.Equal(new DateOnly(2012, 4, 1), kawasaki.Document("driving-history-certificate")!.IssuedOnOrAfter);

        var second = kawasaki.DocumentInquiry.SecondVisit!;
        Assert.Equal("A1点を含む2点", second.ProxyIdentity.DescriptionJa);
        Assert.False(second.ProxyIdentity.IsSatisfiedBy([IdentityDocumentList.A]));
        Assert.True(second.ProxyIdentity.IsSatisfiedBy([IdentityDocumentList.A, IdentityDocumentList.B]));
        Assert.False(second.ProxyIdentity.IsSatisfiedBy([IdentityDocumentList.B, IdentityDocumentList.B]));
        Assert.True(second.HolderIdentity.IsSatisfiedBy([IdentityDocumentList.B]));
        Assert.True(second.LetterOfAttorneyRequired);
        Assert.True(kawasaki.DocumentInquiry.ApplicationAtResidenceWardOfficeOnly);
        Assert.All(MunicipalPolicies.All.Values.Where(p => p.Slug != "kawasaki"), p => Assert.Null(p.DocumentInquiry.SecondVisit));
    }

    [Fact]
    [Trait("seed", "001_1357219a37cf8bc2.txt")]
    public void Saku_classifies_every_document_of_its_lists_001()
    {
        var saku = MunicipalPolicies.For("saku");

        Assert.Equal(12, saku.IdentityDocuments.Count(d => d.List == IdentityDocumentList.A));
        Assert.Equal(12, saku.IdentityDocuments.Count(d => d.List == IdentityDocumentList.B));
        Assert.Equal("預金通帳", saku.Document("bank-passbook")!.NameJa);
        Assert.Null(saku.Document("my-number-card-without-photo"));
    }

    [Fact]
    public void An_unanswered_inquiry_is_overdue_after_the_documented_default_of_30_days()
    {
        Assert.All(MunicipalPolicies.All.Values, p =>
        {
            Assert.Equal(30, p.DocumentInquiry.OverdueAfterDays);
            Assert.Equal(Rule.Seeds.DomainDefaults, p.DocumentInquiry.OverdueAfterDaysSource);
        });
        Assert.Equal(new DateOnly(2026, 4, 15), MunicipalPolicies.For("kawasaki").DocumentInquiry.DueOn(new DateOnly(2026, 3, 16)));
    }

    [Fact]
    [Trait("seed", "000_1c29ec30be0fd34c.txt")]
    [Trait("seed", "004_90c5c7590592c0d4.txt")]
    public void The_holder_needs_one_document_when_the_PIN_fails_000_004()
    {
        Assert.True(MunicipalPolicies.For("takatsuki").HolderIdentityWhenPinFails!.IsSatisfiedBy([IdentityDocumentList.B]));
        Assert.Equal("A1点またはB1点", MunicipalPolicies.For("kawasaki").HolderIdentityWhenPinFails!.DescriptionJa);
    }
}
