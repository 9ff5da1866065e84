using System.Net;
using System.Text;
using System.Text.Json;
using CaseSystem.Cases.Tests.Support;
using CaseSystem.Projections.Tests.Support;

namespace CaseSystem.Projections.Tests.ExpiryForecast;

/// <summary>The weekly series and the report's numerators, denominators and suppression, over HTTP, on <see cref="ForecastScenario"/>.</summary>
public sealed class WeeklyAndReportHttpTests : IAsyncLifetime
{
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

    [Fact]
    public async Task Renewals_lapses_and_waits_per_ISO_week_in_Japan_time_the_current_week_last()
    {
        var series = await _scenario.GetAsync("/api/saku/reports/weekly?weeks=3");
        var weeks = series.GetProperty("weeks").EnumerateArray().ToList();
        Assert.Equal(["2026-W39", "2026-W40", "2026-W41"], weeks.Select(w => w.GetProperty("isoWeek").GetString()));
        var w40 = weeks[1];
        Assert.Equal((5, 1, 5), (w40.GetProperty("renewals").GetInt32(), w40.GetProperty("lapses").GetInt32(), w40.GetProperty("waitedVisits").GetInt32()));
        // 10 + 20 + 30 + 40 + 50 = 150 minutes over 5 waits.
        Assert.Equal((30.0, 150.0), (w40.GetProperty("waitMinutesMean").GetDouble(), w40.GetProperty("waitMinutesTotal").GetDouble()));
        Assert.Equal((0, 0, 0), (weeks[2].GetProperty("renewals").GetInt32(), weeks[2].GetProperty("lapses").GetInt32(), weeks[2].GetProperty("waitedVisits").GetInt32()));
        Assert.Equal(JsonValueKind.Null, weeks[2].GetProperty("waitMinutesMean").ValueKind);
        Assert.Equal(HttpStatusCode.BadRequest, (await _server.Http.GetAsync("/api/saku/reports/weekly?weeks=0")).StatusCode);
    }

    [Fact]
    public async Task Each_rate_comes_with_its_numerator_and_denominator_and_the_totals_give_no_small_group_away()
    {
        var report = await _scenario.GetAsync("/api/saku/reports/renewals?groupBy=office");
        var t = report.GetProperty("totals");
        Assert.Equal((32, 5, 6), (t.GetProperty("cases").GetInt32(), t.GetProperty("renewed").GetInt32(), t.GetProperty("rateBase").GetInt32()));
        Assert.Equal((5, 6), (t.GetProperty("finishedVisits").GetInt32(), t.GetProperty("finishedCases").GetInt32()));
        Assert.Equal((5, 5), (t.GetProperty("waitedVisits").GetInt32(), t.GetProperty("servedVisits").GetInt32()));

        var groups = report.GetProperty("groups").EnumerateArray().ToDictionary(g => g.GetProperty("office").GetString() ?? "");
        // 臼田 has one case: counts only. 市民課 (5) would then be totals less the rest: suppressed with it.
        Assert.True(groups["usuda"].GetProperty("suppressed").GetBoolean());
        Assert.False(groups["usuda"].GetProperty("suppressedToProtect").GetBoolean());
        Assert.True(groups["shimin-ka"].GetProperty("suppressedToProtect").GetBoolean());
        Assert.Equal(JsonValueKind.Null, groups["shimin-ka"].GetProperty("renewalRate").ValueKind);
        Assert.Equal(JsonValueKind.Null, groups["shimin-ka"].GetProperty("renewed").ValueKind);
        Assert.Equal(5, groups["shimin-ka"].GetProperty("cases").GetInt32());
        Assert.False(groups[""].GetProperty("suppressed").GetBoolean()); // the 26 never visited

        // The CSV names the offices as the profile does.
        var csv = Encoding.UTF8.GetString(await _server.Http.GetByteArrayAsync("/api/saku/reports/renewals.csv?groupBy=office"));
        Assert.Contains("\r\ngroup,佐久市役所 市民課,5,", csv, StringComparison.Ordinal);
        Assert.Contains("\r\ngroup,臼田支所 市民係,1,", csv, StringComparison.Ordinal);
        Assert.Contains("\r\ngroup,未定,26,", csv, StringComparison.Ordinal);
        Assert.DoesNotContain("shimin-ka", csv, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("suppressBelow=1")]
    [InlineData("suppressBelow=0")]
    [InlineData("suppressBelow=-1")]
    [InlineData("suppressBelow=4")]
    [InlineData("suppressBelow=1&groupBy=office")]
    [InlineData("suppressBelow=abc")]
    public async Task An_analyst_cannot_lower_the_municipalitys_floor_for_small_groups(string query)
    {
        foreach (var path in new[] { "/api/saku/reports/renewals?", "/api/saku/reports/renewals.csv?" })
        {
            var response = await _server.Http.GetAsync(path + query);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{path}{query}: {(int)response.StatusCode} {text}");
            var problem = JsonDocument.Parse(text).RootElement;
            Assert.Equal("urn:casesystem:problem:invalid-request", problem.GetProperty("type").GetString());
            Assert.Equal(["suppressBelow"], problem.GetProperty("errors").EnumerateObject().Select(e => e.Name));
        }
    }

    [Fact]
    public async Task The_floor_is_the_profiles_and_a_higher_one_may_be_asked_for_and_a_supervisor_may_lower_it()
    {
        foreach (var slug in Cases.Policies.MunicipalPolicies.All.Keys)
        {
            var report = await _scenario.GetAsync($"/api/{slug}/reports/renewals");
            Assert.Equal(Cases.Policies.MunicipalPolicies.For(slug).ReportSuppressBelow, report.GetProperty("filter").GetProperty("suppressBelow").GetInt32());
            var weekly = await _scenario.GetAsync($"/api/{slug}/reports/weekly?weeks=1");
            Assert.Equal(Cases.Policies.MunicipalPolicies.For(slug).ReportSuppressBelow, weekly.GetProperty("suppressBelow").GetInt32());
        }

        // Higher: 市民課's 5 cases are now too few as well.
        var stricter = (await _scenario.GetAsync("/api/saku/reports/renewals?groupBy=office&suppressBelow=6")).GetProperty("groups").EnumerateArray()
            .ToDictionary(g => g.GetProperty("office").GetString() ?? "");
        Assert.True(stricter["shimin-ka"].GetProperty("suppressed").GetBoolean());

        // A supervisor reads every case's audit trail: a group of one tells them nothing the cases do not.
        _server.Role = Cases.Auth.StaffRole.Supervisor;
        var open = (await _scenario.GetAsync("/api/saku/reports/renewals?groupBy=office&suppressBelow=1")).GetProperty("groups").EnumerateArray()
            .ToDictionary(g => g.GetProperty("office").GetString() ?? "");
        Assert.False(open["usuda"].GetProperty("suppressed").GetBoolean());
        Assert.Equal(HttpStatusCode.BadRequest, (await _server.Http.GetAsync("/api/saku/reports/renewals?suppressBelow=0")).StatusCode);
    }
}
