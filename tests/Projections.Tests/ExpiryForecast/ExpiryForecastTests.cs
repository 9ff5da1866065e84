using System.Net;
using System.Text.Json;
using CaseSystem.Cases;
using CaseSystem.Cases.Auth;
using CaseSystem.Cases.Policies;
using CaseSystem.Cases.Tests.Support;
using CaseSystem.Projections.ExpiryForecast;
using CaseSystem.Projections.Tests.Support;

namespace CaseSystem.Projections.Tests.ExpiryForecast;

/// <summary>GET /api/{m}/forecast over <see cref="ForecastScenario"/>; every number worked out there.</summary>
public sealed class ExpiryForecastTests : IAsyncLifetime
{
    private const double Tolerance = 1e-9;
    private readonly ProjectionsDatabase _db = new();
    private TestServer _server = null!;
    private ForecastScenario _scenario = null!;

    public async Task InitializeAsync()
    {
        await _db.InitializeAsync();
        _server = await TestServer.StartAsync(_db, ForecastScenario.Monday, app => app.MapProjections(), builder => builder.Services.AddProjections(builder.Configuration));
        _scenario = new ForecastScenario(_server, _db);
        await _scenario.BuildAsync();
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _db.DisposeAsync();
    }

    private static JsonElement Office(JsonElement forecast, string id) =>
        forecast.GetProperty("offices").EnumerateArray().Single(o => o.GetProperty("office").GetString() == id);

    private static JsonElement Week(JsonElement office, string week) =>
        office.GetProperty("weeks").EnumerateArray().Single(w => w.GetProperty("isoWeek").GetString() == week);

    [Fact]
    public async Task Expiring_certificates_per_office_and_ISO_week_from_this_week_on_with_never_visited_notices_at_the_main_office()
    {
        var forecast = await _scenario.GetAsync("/api/saku/forecast");

        var weeks = forecast.GetProperty("weeks").EnumerateArray().ToList();
        Assert.Equal(26, weeks.Count);
        Assert.Equal(("2026-W41", "2026-10-05", "2026-10-11"), (weeks[0].GetProperty("isoWeek").GetString(), weeks[0].GetProperty("monday").GetString(), weeks[0].GetProperty("sunday").GetString()));
        Assert.Equal("2026-W53", weeks[12].GetProperty("isoWeek").GetString());
        Assert.Equal("2027-W13", weeks[25].GetProperty("isoWeek").GetString());
        // Every office of the profile, by its name, in the profile's order.
        Assert.Equal(["佐久市役所 市民課", "臼田支所 市民係", "望月支所 市民係", "浅科支所 市民係"],
            forecast.GetProperty("offices").EnumerateArray().Select(o => o.GetProperty("nameJa").GetString()));
        Assert.Equal("shimin-ka", forecast.GetProperty("assumptions").GetProperty("unassignedTo").GetString());

        var main = Office(forecast, "shimin-ka");
        var w45 = Week(main, "2026-W45");
        Assert.Equal((3, 3, 3), (w45.GetProperty("expiring").GetInt32(), w45.GetProperty("pending").GetInt32(), w45.GetProperty("unassigned").GetInt32()));
        // The five renewed in W40 expire in W47: expiring, but nothing pending, so no visit expected.
        var w47 = Week(main, "2026-W47");
        Assert.Equal((5, 0, 0, 0.0), (w47.GetProperty("expiring").GetInt32(), w47.GetProperty("pending").GetInt32(), w47.GetProperty("unassigned").GetInt32(), w47.GetProperty("expectedVisits").GetDouble()));
        var w53 = Week(main, "2026-W53");
        Assert.Equal((22, 22, 22), (w53.GetProperty("expiring").GetInt32(), w53.GetProperty("pending").GetInt32(), w53.GetProperty("unassigned").GetInt32()));
        // The case opened at 臼田 stays there.
        var usuda = Week(Office(forecast, "usuda"), "2026-W45");
        Assert.Equal((1, 1, 0), (usuda.GetProperty("expiring").GetInt32(), usuda.GetProperty("pending").GetInt32(), usuda.GetProperty("unassigned").GetInt32()));
        // 26 notices, 5 renewed and 1 opened at a counter: 32 cases; the lapsed one (expired 28 Sep) is before this week.
        Assert.Equal(31, forecast.GetProperty("offices").EnumerateArray().SelectMany(o => o.GetProperty("weeks").EnumerateArray()).Sum(w => w.GetProperty("expiring").GetInt32()));
    }

    [Fact]
    public async Task Expected_visits_use_the_observed_rate_and_visits_per_case_with_their_numerators_and_denominators()
    {
        var forecast = await _scenario.GetAsync("/api/saku/forecast");
        var a = forecast.GetProperty("assumptions");
        Assert.Equal(("observed", 5, 6), (a.GetProperty("renewalRateSource").GetString(), a.GetProperty("renewed").GetInt32(), a.GetProperty("rateBase").GetInt32()));
        Assert.Equal(5.0 / 6, a.GetProperty("renewalRate").GetDouble(), Tolerance);
        Assert.Equal(("observed", 5, 6), (a.GetProperty("visitsPerCaseSource").GetString(), a.GetProperty("visits").GetInt32(), a.GetProperty("finishedCases").GetInt32()));
        Assert.Equal(5.0 / 6, a.GetProperty("visitsPerCase").GetDouble(), Tolerance);
        Assert.Equal(("observed", 5), (a.GetProperty("serviceMinutesSource").GetString(), a.GetProperty("servedVisits").GetInt32()));
        Assert.Equal(105.0, a.GetProperty("serviceMinutes").GetDouble(), Tolerance);

        var main = Office(forecast, "shimin-ka");
        // 3 × 5/6 × 5/6 = 2.0833…; 22 × 25/36 = 15.277…
        Assert.Equal(2.08, Week(main, "2026-W45").GetProperty("expectedVisits").GetDouble());
        Assert.Equal(15.28, Week(main, "2026-W53").GetProperty("expectedVisits").GetDouble());
        Assert.Equal(0.69, Week(Office(forecast, "usuda"), "2026-W45").GetProperty("expectedVisits").GetDouble());
    }

    [Fact]
    [Trait("seed", "001_1357219a37cf8bc2.txt")] // weekdays 08:30–17:15
    public async Task Capacity_is_counters_times_the_profiles_reception_minutes_over_the_service_time_and_the_weeks_beyond_it_are_flagged()
    {
        var forecast = await _scenario.GetAsync("/api/saku/forecast");
        var main = Office(forecast, "shimin-ka");
        Assert.Equal(3, main.GetProperty("counters").GetInt32());
        // 市民課's own group (5 cases) is suppressed to protect 臼田's single case, so its service time is the municipality's.
        Assert.Equal(("municipality", 105.0), (main.GetProperty("serviceMinutesSource").GetString(), main.GetProperty("serviceMinutes").GetDouble()));

        (int Minutes, int Capacity, bool Over) Cell(JsonElement office, string week) =>
            Week(office, week) is var w ? (w.GetProperty("receptionMinutes").GetInt32(), w.GetProperty("capacity").GetInt32(), w.GetProperty("overCapacity").GetBoolean()) : default;
        // Five weekdays of 525 minutes: 3 × 2625 / 105 = 75.
        Assert.Equal((2625, 75, false), Cell(main, "2026-W41"));
        // スポーツの日 Monday 12 Oct; 文化の日 Tuesday 3 Nov: four days, 60 visits.
        Assert.Equal((2100, 60, false), Cell(main, "2026-W42"));
        Assert.Equal((2100, 60, false), Cell(main, "2026-W45"));
        // 28 Dec – 3 Jan: only Monday 28 Dec opens (year-end closure, 元日, the weekend): 15 visits, 15.28 expected.
        Assert.Equal((525, 15, true), Cell(main, "2026-W53"));
        Assert.Equal((2100, 60, false), Cell(Office(forecast, "usuda"), "2026-W45"));
        // That is the only week over capacity, at any office.
        Assert.Equal([("shimin-ka", "2026-W53")], forecast.GetProperty("offices").EnumerateArray()
            .SelectMany(o => o.GetProperty("weeks").EnumerateArray().Where(w => w.GetProperty("overCapacity").GetBoolean())
                .Select(w => (o.GetProperty("office").GetString(), w.GetProperty("isoWeek").GetString()))));
    }

    [Fact]
    public async Task Only_analysts_and_supervisors_see_it_and_no_personal_data_is_in_it()
    {
        var text = await (await _server.Http.GetAsync("/api/saku/forecast")).Content.ReadAsStringAsync();
        Assert.DoesNotContain("佐久 花子", text, StringComparison.Ordinal);
        Assert.DoesNotContain("1975", text, StringComparison.Ordinal);
        Assert.DoesNotContain("2026-12-30", text, StringComparison.Ordinal);
        _server.Role = StaffRole.Supervisor;
        Assert.Equal(HttpStatusCode.OK, (await _server.Http.GetAsync("/api/saku/forecast")).StatusCode);
        _server.Role = StaffRole.Clerk;
        Assert.Equal(HttpStatusCode.Forbidden, (await _server.Http.GetAsync("/api/saku/forecast")).StatusCode);
    }
}

/// <summary>Reception minutes from the profiles, without a database.</summary>
public sealed class OfficeCapacityTests
{
    [Fact]
    [Trait("seed", "000_1c29ec30be0fd34c.txt")] // 08:45–17:15, no reception 11:30–13:00
    public void Takatsukis_lunch_break_is_taken_out_of_the_day()
    {
        var office = MunicipalPolicies.For("takatsuki").Office("shimin-ka");
        Assert.Equal(510 - 90, OfficeCapacity.ReceptionMinutes(office, new DateOnly(2026, 10, 6)));
        Assert.Equal(0, OfficeCapacity.ReceptionMinutes(office, new DateOnly(2026, 10, 4))); // a Sunday
    }

    [Fact]
    [Trait("seed", "003_546c67f138d13e20.txt")] // ヒロロ: weekends 08:30–16:30, closed the 3rd Saturday and Sunday
    public void Hirolo_opens_at_weekends_but_not_the_third_one()
    {
        var office = MunicipalPolicies.For("hirosaki").Office("hirolo");
        Assert.Equal(480, OfficeCapacity.ReceptionMinutes(office, new DateOnly(2026, 10, 10)));
        Assert.Equal(0, OfficeCapacity.ReceptionMinutes(office, new DateOnly(2026, 10, 17)));
        Assert.Equal(0, OfficeCapacity.ReceptionMinutes(office, new DateOnly(2026, 10, 18)));
    }

    [Fact]
    public void Capacity_is_whole_visits()
    {
        Assert.Equal(15, OfficeCapacity.Visits(3, 525, 105));
        Assert.Equal(14, OfficeCapacity.Visits(3, 524, 105));
        Assert.Equal(0, OfficeCapacity.Visits(3, 525, 0));
    }
}
