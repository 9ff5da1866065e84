using CaseSystem.Cases.Policies;
using CaseSystem.Cases.Renewal;

namespace CaseSystem.Cases.Tests.Policies;

public class ReceptionTests
{
    private static DateTimeOffset Jst(int year, int month, int day, int hour, int minute) =>
        new(year, month, day, hour, minute, 0, TimeSpan.FromHours(9));

    private static OfficePolicy Office(string municipality, string office) => MunicipalPolicies.For(municipality).Office(office);

    private static Rule ClosedBy(OfficePolicy office, DateTimeOffset at)
    {
        var decision = office.ReceptionAt(at);
        Assert.False(decision.IsOpen, $"{office.Id} at {at:O} should be closed");
        Assert.False(string.IsNullOrWhiteSpace(decision.Detail));
        return decision.Rule;
    }

    private static void AssertOpen(OfficePolicy office, DateTimeOffset at) =>
        Assert.True(office.ReceptionAt(at).IsOpen, $"{office.Id} at {at:O} should be open: {office.ReceptionAt(at)}");

    // 2026-03-16 is a Monday.
    [Fact]
    [Trait("seed", "000_1c29ec30be0fd34c.txt")]
    public void Takatsuki_weekday_noon_is_closed_by_the_lunch_break_000()
    {
        var decision = Office("takatsuki", "shimin-ka").ReceptionAt(Jst(2026, 3, 16, 12, 0));

        Assert.False(decision.IsOpen);
        Assert.Equal(new Rule("takatsuki-lunch-break", Rule.Seeds.Takatsuki, "11時30分から13時00分までは受付を行っていません", "No reception from 11:30 to 13:00"), decision.Rule);
        Assert.Contains("13時00分から受付を再開します", decision.Detail);
    }

    [Theory]
    [Trait("seed", "000_1c29ec30be0fd34c.txt")]
    [InlineData(8, 45, true)]
    [InlineData(11, 29, true)]
    [InlineData(11, 30, false)]
    [InlineData(12, 59, false)]
    [InlineData(13, 0, true)]
    [InlineData(17, 15, true)]
    [InlineData(17, 16, false)]
    [InlineData(8, 44, false)]
    public void Takatsuki_edges_of_the_hours_and_the_break_000(int hour, int minute, bool open)
    {
        foreach (var office in MunicipalPolicies.For("takatsuki").Offices)
        {
            Assert.Equal(open, office.ReceptionAt(Jst(2026, 3, 16, hour, minute)).IsOpen);
        }
    }

    [Fact]
    [Trait("seed", "000_1c29ec30be0fd34c.txt")]
    public void Takatsuki_after_17_15_names_the_reception_hours_000()
    {
        var office = Office("takatsuki", "shimin-ka");
        var decision = office.ReceptionAt(Jst(2026, 3, 16, 17, 16));

        Assert.False(decision.IsOpen);
        Assert.Equal("takatsuki-shimin-ka-reception-hours", decision.Rule.Id);
        Assert.Equal(Rule.Seeds.Takatsuki, decision.Rule.Seed);
        Assert.Equal("受付時間は平日8時45分から17時15分です", decision.Rule.Ja);
        Assert.Contains("8時45分から17時15分", decision.Detail);
    }

    [Fact]
    [Trait("seed", "000_1c29ec30be0fd34c.txt")]
    public void Takatsuki_saturday_is_closed_and_holiday_openings_are_possible_only_at_the_main_building_000()
    {
        var rule = ClosedBy(Office("takatsuki", "tonda"), Jst(2026, 3, 14, 10, 0));
        Assert.Equal("takatsuki-tonda-reception-days", rule.Id);
        Assert.Equal("土曜日は受付を行っていません", rule.Ja);

        var policy = MunicipalPolicies.For("takatsuki");
        Assert.True(policy.Office("shimin-ka").SpecialOpeningsPossible);
        Assert.Empty(policy.Office("shimin-ka").SpecialOpenings);
        Assert.All(policy.Offices.Where(o => o.Id != "shimin-ka"), o => Assert.False(o.SpecialOpeningsPossible));
    }

    [Fact]
    [Trait("seed", "000_1c29ec30be0fd34c.txt")]
    public void A_listed_holiday_opening_opens_a_sunday_and_keeps_the_break_000()
    {
        var json = Profiles.Embedded("takatsuki.json").Replace(
            "\"holidayOpenings\": { \"possible\": true, \"dates\": [] }",
            "\"holidayOpenings\": { \"possible\": true, \"dates\": [ { \"date\": \"2026-03-15\", \"opens\": \"09:00\", \"closes\": \"17:00\" } ] }");
        var office = MunicipalPolicies.Load([("takatsuki.json", json)])["takatsuki"].Office("shimin-ka");

        AssertOpen(office, Jst(2026, 3, 15, 10, 0));
        Assert.Equal("takatsuki-lunch-break", ClosedBy(office, Jst(2026, 3, 15, 12, 0)).Id);
        Assert.Equal("takatsuki-shimin-ka-reception-hours", ClosedBy(office, Jst(2026, 3, 15, 17, 1)).Id);
        Assert.Equal("takatsuki-shimin-ka-reception-days", ClosedBy(office, Jst(2026, 3, 22, 10, 0)).Id);
    }

    [Theory]
    [Trait("seed", "001_1357219a37cf8bc2.txt")]
    [InlineData("shimin-ka")]
    [InlineData("usuda")]
    [InlineData("mochizuki")]
    [InlineData("asashina")]
    public void Saku_weekday_hours_are_08_30_to_17_15_at_every_counter_001(string officeId)
    {
        var office = Office("saku", officeId);

        AssertOpen(office, Jst(2026, 3, 18, 8, 30));
        AssertOpen(office, Jst(2026, 3, 18, 12, 0));
        AssertOpen(office, Jst(2026, 3, 18, 17, 15));
        Assert.Equal($"saku-{officeId}-reception-hours", ClosedBy(office, Jst(2026, 3, 18, 8, 29)).Id);
        Assert.Equal(Rule.Seeds.Saku, ClosedBy(office, Jst(2026, 3, 18, 17, 16)).Seed);
        Assert.Equal($"saku-{officeId}-reception-days", ClosedBy(office, Jst(2026, 3, 21, 10, 0)).Id);
    }

    [Fact]
    [Trait("seed", "002_2a7693c0dfa04a34.txt")]
    public void Fujiidera_30_December_is_closed_002()
    {
        var office = Office("fujiidera", "mynumber-counter");
        var decision = office.ReceptionAt(Jst(2026, 12, 30, 10, 0));

        Assert.False(decision.IsOpen);
        Assert.Equal("fujiidera-year-end-closure", decision.Rule.Id);
        Assert.Equal(Rule.Seeds.Fujiidera, decision.Rule.Seed);
        Assert.Equal("fujiidera-year-end-closure", ClosedBy(office, Jst(2027, 1, 3, 10, 0)).Id);
        AssertOpen(office, Jst(2027, 1, 4, 9, 0));
        AssertOpen(office, Jst(2026, 12, 28, 17, 30));
    }

    [Fact]
    [Trait("seed", "002_2a7693c0dfa04a34.txt")]
    public void Fujiidera_national_holiday_is_closed_002()
    {
        var office = Office("fujiidera", "mynumber-counter");
        var decision = office.ReceptionAt(Jst(2026, 4, 29, 10, 0)); // 昭和の日, a Wednesday

        Assert.False(decision.IsOpen);
        Assert.Equal("fujiidera-national-holiday-closure", decision.Rule.Id);
        Assert.Equal(Rule.Seeds.Fujiidera, decision.Rule.Seed);
        Assert.Contains("昭和の日", decision.Detail);
        Assert.Equal("fujiidera-national-holiday-closure", ClosedBy(office, Jst(2026, 5, 6, 10, 0)).Id); // 振替休日
        AssertOpen(office, Jst(2026, 4, 30, 9, 0));
        Assert.Equal("fujiidera-mynumber-counter-reception-hours", ClosedBy(office, Jst(2026, 4, 30, 8, 59)).Id);
        AssertOpen(office, Jst(2026, 4, 30, 17, 30));
    }

    [Fact]
    [Trait("seed", "003_546c67f138d13e20.txt")]
    public void Hirolo_is_closed_on_the_third_saturday_and_the_sunday_after_it_003()
    {
        var hirolo = Office("hirosaki", "hirolo");
        var decision = hirolo.ReceptionAt(Jst(2026, 3, 21, 10, 0));

        Assert.False(decision.IsOpen);
        Assert.Equal(new Rule("hirosaki-hirolo-third-weekend", Rule.Seeds.Hirosaki, "毎月第3土曜日・日曜日は休業日です", "Closed on the third Saturday and Sunday of every month"), decision.Rule);
        Assert.Contains("システムメンテナンス", decision.Detail);
        Assert.Equal("hirosaki-hirolo-third-weekend", ClosedBy(hirolo, Jst(2026, 3, 22, 10, 0)).Id);
        Assert.Equal("hirosaki-hirolo-third-weekend", ClosedBy(hirolo, Jst(2026, 11, 21, 10, 0)).Id);
        Assert.Equal("hirosaki-hirolo-third-weekend", ClosedBy(hirolo, Jst(2026, 11, 22, 10, 0)).Id);
    }

    [Fact]
    [Trait("seed", "003_546c67f138d13e20.txt")]
    public void Hirolo_opens_on_other_weekends_and_holidays_08_30_to_16_30_003()
    {
        var hirolo = Office("hirosaki", "hirolo");

        AssertOpen(hirolo, Jst(2026, 3, 14, 10, 0)); // second Saturday
        AssertOpen(hirolo, Jst(2026, 3, 15, 10, 0)); // the month's third Sunday, before its third Saturday (a reading, see hirosaki.json)
        AssertOpen(hirolo, Jst(2026, 3, 14, 16, 30));
        Assert.Equal("hirosaki-hirolo-reception-hours", ClosedBy(hirolo, Jst(2026, 3, 14, 16, 31)).Id);
        AssertOpen(hirolo, Jst(2026, 3, 20, 16, 0)); // 春分の日, a Friday: holiday hours
        Assert.Equal("hirosaki-hirolo-reception-hours", ClosedBy(hirolo, Jst(2026, 3, 20, 17, 0)).Id);
        Assert.Equal("受付時間は平日8時30分から18時30分、土日祝日8時30分から16時30分です", ClosedBy(hirolo, Jst(2026, 3, 20, 17, 0)).Ja);
    }

    [Fact]
    [Trait("seed", "003_546c67f138d13e20.txt")]
    public void Weekday_18_00_is_open_at_Hirolo_and_closed_at_the_Bosaikan_003()
    {
        var at = Jst(2026, 3, 18, 18, 0);

        AssertOpen(Office("hirosaki", "hirolo"), at);
        var rule = ClosedBy(Office("hirosaki", "bosaikan"), at);
        Assert.Equal("hirosaki-bosaikan-reception-hours", rule.Id);
        Assert.Equal(Rule.Seeds.Hirosaki, rule.Seed);
        Assert.Equal("受付時間は平日8時30分から17時00分です", rule.Ja);
        AssertOpen(Office("hirosaki", "bosaikan"), Jst(2026, 3, 18, 17, 0));
        Assert.Equal("hirosaki-hirolo-reception-hours", ClosedBy(Office("hirosaki", "hirolo"), Jst(2026, 3, 18, 18, 31)).Id);
    }

    [Fact]
    [Trait("seed", "003_546c67f138d13e20.txt")]
    public void Hirosaki_branches_are_closed_on_weekends_and_holidays_003()
    {
        foreach (var id in new[] { "bosaikan", "iwaki", "soma" })
        {
            Assert.Equal($"hirosaki-{id}-reception-days", ClosedBy(Office("hirosaki", id), Jst(2026, 3, 14, 10, 0)).Id);
            Assert.Equal("hirosaki-national-holiday-closure", ClosedBy(Office("hirosaki", id), Jst(2026, 3, 20, 10, 0)).Id);
        }
    }

    [Fact]
    public void The_year_end_closure_not_stated_in_a_seed_cites_the_documented_default()
    {
        var rule = ClosedBy(Office("takatsuki", "shimin-ka"), Jst(2026, 12, 29, 10, 0));

        Assert.Equal("takatsuki-year-end-closure", rule.Id);
        Assert.Equal(Rule.Seeds.DomainDefaults, rule.Seed);
        Assert.Equal("hirosaki-year-end-closure", ClosedBy(Office("hirosaki", "hirolo"), Jst(2027, 1, 2, 10, 0)).Id);
    }

    [Fact]
    public void Times_given_in_UTC_are_judged_in_Japan_time()
    {
        var office = Office("takatsuki", "shimin-ka");

        Assert.Equal("takatsuki-lunch-break", ClosedBy(office, DateTimeOffset.Parse("2026-03-16T03:00:00Z")).Id); // 12:00 JST
        AssertOpen(office, DateTimeOffset.Parse("2026-03-16T02:29:00Z"));                                     // 11:29 JST
        AssertOpen(office, DateTimeOffset.Parse("2026-03-16T04:00:00Z"));                                     // 13:00 JST
        AssertOpen(office, DateTimeOffset.Parse("2026-03-15T23:50:00Z"));                                     // Monday 08:50 JST, Sunday in UTC
        Assert.Equal("takatsuki-shimin-ka-reception-days", ClosedBy(office, DateTimeOffset.Parse("2026-03-13T15:30:00Z")).Id); // Saturday 00:30 JST
        Assert.Equal("takatsuki-lunch-break", ClosedBy(office, DateTimeOffset.Parse("2026-03-16T05:00:00+02:00")).Id);        // 12:00 JST
        AssertOpen(office, new DateTimeOffset(2026, 3, 16, 8, 15, 59, TimeSpan.Zero));                        // 17:15:59 JST: the minute 17:15
        Assert.Equal("takatsuki-shimin-ka-reception-hours", ClosedBy(office, new DateTimeOffset(2026, 3, 16, 8, 16, 0, TimeSpan.Zero)).Id);
    }

    [Fact]
    [Trait("seed", "004_90c5c7590592c0d4.txt")]
    public void Kawasaki_counters_have_default_hours_citing_domain_md_004()
    {
        var rule = ClosedBy(Office("kawasaki", "mynumber-card-center"), Jst(2026, 3, 18, 18, 0));

        Assert.Equal(Rule.Seeds.DomainDefaults, rule.Seed);
        AssertOpen(Office("kawasaki", "nakahara-ku"), Jst(2026, 3, 18, 10, 0));
    }

    [Fact]
    public void A_closed_decision_becomes_a_rule_violation_for_the_clerk()
    {
        var violation = Office("takatsuki", "shimin-ka").ReceptionAt(Jst(2026, 3, 16, 12, 0)).ToViolation();

        Assert.Equal("takatsuki-lunch-break", violation.Rule.Id);
        Assert.Contains("11時30分から13時00分まで", violation.Detail);
        Assert.Throws<InvalidOperationException>(() => ReceptionDecision.Open.ToViolation());
    }
}
