using CaseSystem.Cases;
using CaseSystem.Cases.Api;
using CaseSystem.Cases.Store;
using CaseSystem.Cases.Renewal;
using CaseSystem.Projections.RenewalRates;
using CaseSystem.Projections.Daemon;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using CaseSystem.Cases.Tests.Support;
using CaseSystem.Projections.Tests.Support;
using Marten;
using static CaseSystem.Cases.Renewal.RenewalCommand;

namespace CaseSystem.Projections.Tests.RenewalRates;

/// <summary>
/// Cases built through the write side's application function, projected by Marten's async
/// daemon (started before the cases, with pages of five events, so the live fold reloads each
/// case's row from the table many times), then reported. Every figure asserted here is
/// worked out by hand in <see cref="RenewalReportFixture"/>'s comments.
/// </summary>
public sealed class RenewalReportTests(RenewalReportFixture f) : IClassFixture<RenewalReportFixture>
{
    private static readonly DateOnly AsOf = new(2026, 7, 1);
    private const double Tolerance = 1e-9;

    private Task<RenewalReport> ReportAsync(string municipality, ReportFilter filter) =>
        new RenewalReportQuery(f.Db.DataSource, f.Projection).QueryAsync(municipality, filter with { AsOf = filter.AsOf ?? AsOf }, CancellationToken.None);

    private static ReportFilter By(params ReportDimension[] dimensions) => new() { GroupBy = dimensions, SuppressBelow = 1 };

    [Fact]
    [Trait("seed", Rule.Seeds.Takatsuki)] // renewal window (3 months before expiry)
    [Trait("seed", Rule.Seeds.Hirosaki)] // after expiry: issued anew, not renewed
    [Trait("seed", Rule.Seeds.Kawasaki)] // document inquiry: mailed, second visit with the reply
    public async Task The_totals_of_a_municipality_are_exact()
    {
        var t = (await ReportAsync("saku", By())).Totals;

        Assert.True(t.IsTotal);
        Assert.False(t.Suppressed);
        Assert.Equal(10, t.Cases);
        Assert.Equal(7, t.NoticesSent);
        Assert.Equal(4, t.RenewedBeforeExpiry);
        Assert.Equal(1, t.RenewedLate);
        Assert.Equal(1, t.Lapsed);
        Assert.Equal(2, t.Open);
        Assert.Equal(1, t.Withdrawn);
        Assert.Equal(1, t.MovedOut);
        // Renewed 5 + lapsed E + withdrawn I + open G (June ended by 1 July); not F (July), not J (moved out).
        Assert.Equal(8, t.RateBase);
        Assert.Equal(5.0 / 8, t.RenewalRate!.Value, Tolerance);
        // Visits 1+2+1+1+0+1+0+0 over the 8 finished cases A B C D E H I J.
        Assert.Equal(8, t.FinishedCases);
        Assert.Equal(6.0 / 8, t.VisitsPerCase!.Value, Tolerance);
        Assert.Equal(5, t.CasesWithVisit);
        Assert.Equal(1.0 / 5, t.InquiryShare!.Value, Tolerance);
        // Mailed 17 March 09:40, reply 27 March 09:40.
        Assert.Equal(10.0, t.InquiryTurnaroundDaysMean!.Value, Tolerance);
        Assert.Equal(10.0, t.InquiryTurnaroundDaysMedian!.Value, Tolerance);
        Assert.Equal(2.0 / 5, t.PinMismatchRate!.Value, Tolerance);
        Assert.Equal(1.0 / 5, t.PinLockRate!.Value, Tolerance);
        // Waits 20, 30, 10, 40, 5 minutes: mean 21; p90 = 30 + 0.6 × (40 − 30) = 36.
        Assert.Equal(21.0, t.WaitMinutesMean!.Value, Tolerance);
        Assert.Equal(36.0, t.WaitMinutesP90!.Value, Tolerance);
        // Service 15, 15, 30, 20, 10 minutes.
        Assert.Equal(18.0, t.ServiceMinutesMean!.Value, Tolerance);
        // Every rate's numerator beside its denominator.
        Assert.Equal((5, 8), (t.Renewed, t.RateBase));
        Assert.Equal((6, 8), (t.FinishedVisits, t.FinishedCases));
        Assert.Equal((1, 2, 1, 5), (t.Inquiries, t.CasesWithMismatch, t.CasesWithLock, t.CasesWithVisit));
        Assert.Equal((1, 5, 5), (t.CasesWithReply, t.WaitedVisits, t.ServedVisits));
    }

    [Fact]
    public void A_small_group_alone_suppressed_takes_the_smallest_group_shown_with_it_so_the_totals_do_not_give_it_away()
    {
        RenewalReportRow Group(string office, int cases) =>
            new(false, null, office, null, null, cases, cases, cases, 0, 0, 0, 0, 0, cases, 1.0, cases, 1.0, cases, 0, null, null, 0, 0, 10, 10, 10, false);
        List<RenewalReportRow> Groups() => [Group("a", 20), Group("b", 2), Group("c", 7), Group("d", 9)];
        var rows = Groups().Select(g => g.Cases < 5 ? g.Suppress() : g).ToList();

        var shown = RenewalReportQuery.ProtectSuppressed(rows, 5);

        // b (2) alone would be totals − a − c − d: c (7), the smallest shown, is suppressed too; 2 + 7 ≥ 5.
        Assert.Equal([false, true, true, false], shown.Select(g => g.Suppressed));
        Assert.Equal([false, false, true, false], shown.Select(g => g.SuppressedToProtect));
        Assert.Null(shown[2].RenewalRate);
        Assert.Equal(7, shown[2].Cases);
        // Two small groups that reach the threshold together need no other.
        var two = RenewalReportQuery.ProtectSuppressed([Group("a", 20), Group("b", 2).Suppress(), Group("c", 3).Suppress()], 5);
        Assert.DoesNotContain(two, g => g.SuppressedToProtect);
        // Nothing suppressed: nothing to protect.
        Assert.DoesNotContain(RenewalReportQuery.ProtectSuppressed(Groups(), 5), g => g.Suppressed);
    }

    [Fact]
    [Trait("seed", Rule.Seeds.Takatsuki)]
    [Trait("seed", Rule.Seeds.Hirosaki)]
    [Trait("seed", Rule.Seeds.Saku)] // no signing certificate under 15: the minor renews the user certificate only
    public async Task Grouped_by_cohort_month_each_month_has_its_own_figures_and_a_month_not_ended_has_no_rate_base()
    {
        var report = await ReportAsync("saku", By(ReportDimension.CohortMonth));

        Assert.Equal(new[] { new DateOnly(2026, 5, 1), new DateOnly(2026, 6, 1), new DateOnly(2026, 7, 1) }, report.Groups.Select(g => g.CohortMonth!.Value));
        Assert.All(report.Groups, g => Assert.Null(g.Office));

        var may = report.Groups[0];
        Assert.Equal((1, 0, 1, 1), (may.Cases, may.NoticesSent, may.RenewedBeforeExpiry, may.RateBase!.Value));
        Assert.Equal(1.0, may.RenewalRate);
        Assert.Null(may.WaitMinutesMean); // the minor's visit had no queue ticket
        Assert.Null(may.ServiceMinutesMean);

        var june = report.Groups[1];
        Assert.Equal(8, june.Cases);
        Assert.Equal(6, june.NoticesSent);
        Assert.Equal((3, 1, 1, 1, 1, 1), (june.RenewedBeforeExpiry, june.RenewedLate, june.Lapsed, june.Open, june.Withdrawn, june.MovedOut));
        Assert.Equal(7, june.RateBase);
        Assert.Equal(4.0 / 7, june.RenewalRate!.Value, Tolerance);
        Assert.Equal(5.0 / 7, june.VisitsPerCase!.Value, Tolerance);
        Assert.Equal(0.25, june.InquiryShare!.Value, Tolerance);
        Assert.Equal(0.5, june.PinMismatchRate!.Value, Tolerance);
        Assert.Equal(0.25, june.PinLockRate!.Value, Tolerance);
        Assert.Equal(21.0, june.WaitMinutesMean!.Value, Tolerance);

        var july = report.Groups[2];
        Assert.Equal((1, 1, 1, 0), (july.Cases, july.NoticesSent, july.Open, july.RateBase!.Value));
        Assert.Null(july.RenewalRate);
        Assert.Null(july.VisitsPerCase);
        Assert.Null(july.PinMismatchRate);

        Assert.Equal(10, report.Totals.Cases);

        // A day later in July nothing changes for July; on 1 August July has ended and F counts as not renewed.
        var august = await ReportAsync("saku", By(ReportDimension.CohortMonth) with { AsOf = new DateOnly(2026, 8, 1) });
        Assert.Equal(1, august.Groups[2].RateBase);
        Assert.Equal(0.0, august.Groups[2].RenewalRate);
        Assert.Equal(5.0 / 9, august.Totals.RenewalRate!.Value, Tolerance);
    }

    [Fact]
    public async Task The_office_is_the_first_visits_else_the_one_the_case_was_opened_at()
    {
        var report = await ReportAsync("saku", By(ReportDimension.Office));
        // C was opened at usuda but first visited shimin-ka; I was opened at mochizuki and never visited;
        // B first visited usuda and came back to shimin-ka; E F G J were opened by the notice and never visited.
        Assert.Equal(new (string?, int)[] { ("mochizuki", 1), ("shimin-ka", 4), ("usuda", 1), (null, 4) },
            report.Groups.Select(g => (g.Office, g.Cases)));
        Assert.Equal(2.0 / 4, report.Groups[1].PinMismatchRate!.Value, Tolerance);
        // shimin-ka: waits 20, 40, 5 (A C D).
        Assert.Equal(65.0 / 3, report.Groups[1].WaitMinutesMean!.Value, Tolerance);
        // usuda: B's two visits, 30 and 10.
        Assert.Equal(20.0, report.Groups[2].WaitMinutesMean!.Value, Tolerance);
    }

    [Fact]
    [Trait("seed", Rule.Seeds.Kawasaki)]
    public async Task Groups_of_fewer_cases_than_the_threshold_show_counts_but_no_rates()
    {
        var report = await ReportAsync("saku", new ReportFilter { GroupBy = [ReportDimension.WhoCame] });

        Assert.Equal(new string?[] { "holder", "legal-representative", "proxy", null }, report.Groups.Select(g => g.WhoCame));
        var holder = report.Groups[0];
        Assert.True(holder.Suppressed);
        Assert.Equal((3, 2, 2, 1), (holder.Cases, holder.NoticesSent, holder.RenewedBeforeExpiry, holder.RenewedLate));
        Assert.Null(holder.RenewalRate);
        Assert.Null(holder.RateBase);
        Assert.Null(holder.VisitsPerCase);
        Assert.Null(holder.PinMismatchRate);
        Assert.Null(holder.PinLockRate);
        Assert.Null(holder.WaitMinutesMean);
        Assert.Null(holder.WaitMinutesP90);
        Assert.Null(holder.ServiceMinutesMean);

        var proxy = report.Groups[2];
        Assert.True(proxy.Suppressed);
        Assert.Equal(1, proxy.Cases);
        Assert.Null(proxy.InquiryShare);
        Assert.Null(proxy.InquiryTurnaroundDaysMean);
        Assert.Null(proxy.InquiryTurnaroundDaysMedian);

        // Five cases nobody came for: shown, with their rates.
        var nobody = report.Groups[3];
        Assert.False(nobody.Suppressed);
        Assert.Equal((5, 4, 1, 2, 1, 1), (nobody.Cases, nobody.NoticesSent, nobody.Lapsed, nobody.Open, nobody.Withdrawn, nobody.MovedOut));
        Assert.Equal(3, nobody.RateBase);
        Assert.Equal(0.0, nobody.RenewalRate);
        Assert.Equal(0.0, nobody.VisitsPerCase);
        Assert.Null(nobody.PinMismatchRate); // no case with a visit

        Assert.False(report.Totals.Suppressed);
        Assert.Equal(5.0 / 8, report.Totals.RenewalRate!.Value, Tolerance);

        // The threshold is the filter's: at 1 nothing is suppressed, at 11 the totals are too.
        var open = await ReportAsync("saku", new ReportFilter { GroupBy = [ReportDimension.WhoCame], SuppressBelow = 1 });
        Assert.All(open.Groups, g => Assert.False(g.Suppressed));
        Assert.Equal(1.0, open.Groups[2].InquiryShare);
        Assert.Equal(10.0, open.Groups[2].InquiryTurnaroundDaysMean!.Value, Tolerance);
        var strict = await ReportAsync("saku", new ReportFilter { SuppressBelow = 11 });
        Assert.True(strict.Totals.Suppressed);
        Assert.Equal(10, strict.Totals.Cases);
        Assert.Null(strict.Totals.RenewalRate);
    }

    [Fact]
    public async Task Several_dimensions_group_by_their_combinations()
    {
        var report = await ReportAsync("saku", By(ReportDimension.CohortMonth, ReportDimension.AgeBand));

        Assert.Equal(
            new (string, string?, int)[] { ("2026-05", "0-14", 1), ("2026-06", "18-29", 1), ("2026-06", "30-49", 4), ("2026-06", "50-64", 1), ("2026-06", "65-74", 2), ("2026-07", "50-64", 1) },
            report.Groups.Select(g => (g.CohortMonth!.Value.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture), g.AgeBand, g.Cases)));
        Assert.All(report.Groups, g => Assert.Null(g.WhoCame));
        var june30s = report.Groups[2]; // A C D J
        Assert.Equal((2, 1, 1), (june30s.RenewedBeforeExpiry, june30s.RenewedLate, june30s.MovedOut));
        Assert.Equal(3, june30s.RateBase);
        Assert.Equal(1.0, june30s.RenewalRate);
        Assert.Equal(10, report.Totals.Cases);
    }

    [Fact]
    public async Task Filters_narrow_the_cases_the_totals_count()
    {
        Assert.Equal(4, (await ReportAsync("saku", new ReportFilter { Office = "shimin-ka" })).Totals.Cases);
        Assert.Equal(8, (await ReportAsync("saku", new ReportFilter { CohortFrom = new(2026, 6, 15), CohortTo = new(2026, 6, 15) })).Totals.Cases);
        Assert.Equal(9, (await ReportAsync("saku", new ReportFilter { CohortFrom = new(2026, 6, 1) })).Totals.Cases);
        Assert.Equal(9, (await ReportAsync("saku", new ReportFilter { CohortTo = new(2026, 6, 30) })).Totals.Cases);
        Assert.Equal(1, (await ReportAsync("saku", new ReportFilter { WhoCame = ReportCodes.Proxy })).Totals.Cases);
        Assert.Equal(4, (await ReportAsync("saku", new ReportFilter { AgeBand = "30-49" })).Totals.Cases);
        var holders = await ReportAsync("saku", new ReportFilter { WhoCame = ReportCodes.Holder, Office = "shimin-ka", SuppressBelow = 1 });
        Assert.Equal(3, holders.Totals.Cases);
        Assert.Equal(65.0 / 3, holders.Totals.WaitMinutesMean!.Value, Tolerance);
    }

    [Fact]
    public async Task A_case_of_another_municipality_never_counts()
    {
        var saku = await ReportAsync("saku", By(ReportDimension.Office));
        Assert.Equal(10, saku.Totals.Cases);
        Assert.Equal(10, saku.Groups.Sum(g => g.Cases));
        var takatsuki = await ReportAsync("takatsuki", By(ReportDimension.Office));
        Assert.Equal(1, takatsuki.Totals.Cases);
        Assert.Equal(12.0, takatsuki.Totals.WaitMinutesMean!.Value, Tolerance);
        Assert.Equal(("shimin-ka", 1), (Assert.Single(takatsuki.Groups).Office, takatsuki.Groups[0].Cases));
        // Same office id in both municipalities; filtered by it, each still sees its own only.
        Assert.Equal(4, (await ReportAsync("saku", new ReportFilter { Office = "shimin-ka" })).Totals.Cases);
        var none = await ReportAsync("hirosaki", By(ReportDimension.Office));
        Assert.Empty(none.Groups);
        Assert.Equal(0, none.Totals.Cases);
        Assert.True(none.Totals.Suppressed);
    }

    [Fact]
    public async Task Case_facts_hold_no_personal_data()
    {
        string[] expected =
        [
            "case_id", "municipality", "cohort_month", "age_band", "notice_sent", "office", "who_came", "outcome", "visits",
            "needed_inquiry", "inquiry_mailed_at", "inquiry_reply_at", "pin_mismatches", "pin_locked", "wait_seconds", "service_seconds",
            "renewed_at", "lapsed_at", "closed_at", "updated_seq", "user_auth_renewed", "visit_who_came", "arrived_at", "called_at",
            // Corrections (issue 12): an office code, stream versions and a flag: nothing personal.
            "opened_office", "wait_arrivals", "arrival_version", "called_arrival", "last_visit_served",
        ];
        foreach (var schema in new[] { f.Projection.Schema })
        {
            var columns = await f.Db.ScalarAsync<string[]>(
                "select array_agg(column_name::text order by ordinal_position) from information_schema.columns where table_schema = $1 and table_name = 'case_facts'", schema);
            Assert.Equal(expected, columns);
            Assert.DoesNotContain(columns, c => c.Contains("name", StringComparison.Ordinal) || c.Contains("kana", StringComparison.Ordinal)
                || c.Contains("address", StringComparison.Ordinal) || c.Contains("birth", StringComparison.Ordinal)
                || c.Contains("notice_number", StringComparison.Ordinal) || c.Contains("expiry", StringComparison.Ordinal));
        }
        // Nor does any value carry them: no name, address, notice number or birth date (every moment here is in 2026) in any row's text.
        Assert.Equal(11L, await f.Db.ScalarAsync<long>($"select count(*) from {f.Projection.CaseFactsTable}"));
        Assert.Equal(0L, await f.Db.ScalarAsync<long>($"""
            select count(*) from {f.Projection.CaseFactsTable} c
            where c::text like '%佐久%' or c::text like '%高槻%' or c::text like '%山田%' or c::text like '%ヤマダ%'
               or c::text like '%NOTICE-%' or c::text ~ '(19[0-9][0-9]|200[0-9]|201[0-9])-[0-9][0-9]-[0-9][0-9]'
            """));
    }

    [Fact]
    public async Task Nothing_was_parked_as_a_dead_letter()
    {
        Assert.Empty(await new ProjectionAdmin(f.Db.Store, f.Db.DataSource, f.Db.Models).DeadLettersAsync(RenewalReportProjection.ProjectionName));
    }

    [Fact]
    public async Task The_csv_of_a_small_report_is_exact()
    {
        var report = await ReportAsync("takatsuki", By(ReportDimension.WhoCame));
        var expected =
            "区分(row),来庁者(who_came),件数(cases),通知書送付(notices_sent),期限内更新(renewed_before_expiry),期限後発行(renewed_late),失効(lapsed),未完了(open),取下げ(withdrawn),転出(moved_out)," +
            "更新率の分母(rate_base),更新率(renewal_rate),終了件数(finished_cases),平均来庁回数(visits_per_case),来庁のあった件数(cases_with_visit),文書照会率(inquiry_share)," +
            "照会回答日数平均(inquiry_turnaround_days_mean),照会回答日数中央値(inquiry_turnaround_days_median),暗証番号誤り率(pin_mismatch_rate),暗証番号ロック率(pin_lock_rate)," +
            "平均待ち時間分(wait_minutes_mean),待ち時間90パーセンタイル分(wait_minutes_p90),平均対応時間分(service_minutes_mean),秘匿(suppressed),再交付カードへの発行(issued_on_reissued_card)," +
            "更新件数(renewed),終了件数の来庁回数(finished_visits),文書照会件数(inquiries),照会回答のあった件数(cases_with_reply)," +
            "暗証番号誤りのあった件数(cases_with_mismatch),暗証番号ロックのあった件数(cases_with_lock),待ち時間を測った来庁(waited_visits)," +
            "対応時間を測った来庁(served_visits),保護のための秘匿(suppressed_to_protect)\r\n" +
            // Each rate beside its numerator and denominator: renewed 1 of rate base 1, 1 visit of 1 finished case, 1 wait, 1 service time.
            "group,holder,1,1,1,0,0,0,0,0,1,1,1,1,1,0,,,0,0,12,12,8,false,0,1,1,0,0,0,0,1,1,false\r\n" +
            "total,,1,1,1,0,0,0,0,0,1,1,1,1,1,0,,,0,0,12,12,8,false,0,1,1,0,0,0,0,1,1,false\r\n";
        Assert.Equal(expected, RenewalReport.ToCsv(report));

        // With the default threshold the same case is suppressed: counts only.
        var suppressed = await ReportAsync("takatsuki", new ReportFilter());
        Assert.Equal(
            "total,1,1,1,0,0,0,0,0" + new string(',', 14) + "true,0" + new string(',', 9) + "false\r\n",
            RenewalReport.ToCsv(suppressed).Split("\r\n")[1] + "\r\n");
    }

    [Fact]
    public void The_csv_quotes_fields_with_commas_quotes_and_line_breaks_and_writes_numbers_in_invariant_culture()
    {
        var row = new RenewalReportRow(false, new DateOnly(2026, 6, 1), "本庁, 1階 \"A\"", null, "30-49",
            3, 2, 1, 1, 0, 1, 0, 0, 2, 2.0 / 3, 2, 1.5, 2, 0.125, 10.123456, 10.5, 0.5, 0, 21.25, 36, 18, false);
        var report = new RenewalReport("saku",
            new ReportFilter { GroupBy = [ReportDimension.CohortMonth, ReportDimension.Office, ReportDimension.AgeBand] }, AsOf,
            [row, row with { Office = "line\nbreak", CohortMonth = null }], row with { IsTotal = true, CohortMonth = null, Office = null, AgeBand = null });

        var culture = Thread.CurrentThread.CurrentCulture;
        Thread.CurrentThread.CurrentCulture = new System.Globalization.CultureInfo("fr-FR"); // a decimal comma, were it used
        string csv;
        try
        {
            csv = RenewalReport.ToCsv(report);
        }
        finally
        {
            Thread.CurrentThread.CurrentCulture = culture;
        }
        var lines = csv.Split("\r\n");
        Assert.Equal(5, lines.Length); // header, two groups, totals, and the empty string after the last CRLF
        Assert.StartsWith("区分(row),有効期限月(cohort_month),窓口(office),年齢区分(age_band),件数(cases),", lines[0]);
        Assert.Equal("group,2026-06,\"本庁, 1階 \"\"A\"\"\",30-49,3,2,1,1,0,1,0,0,2,0.6667,2,1.5,2,0.125,10.1235,10.5,0.5,0,21.25,36,18,false,0,,,,,,,,,false", lines[1]);
        Assert.StartsWith("group,,\"line\nbreak\",30-49,", lines[2]);
        Assert.StartsWith("total,,,,3,", lines[3]);
        Assert.Equal("", lines[4]);
        Assert.Equal("plain", RenewalReport.Field("plain"));
        Assert.Equal("\"a\rb\"", RenewalReport.Field("a\rb"));
    }

    [Fact]
    public async Task Folding_with_the_state_reloaded_from_the_table_before_every_event_gives_the_same_rows()
    {
        // The daemon hands the projection pages of events; here every event is a page of its own,
        // so the case's row (transient columns included: an arrival not yet called, a visit in
        // progress) is loaded back from the table before each one.
        var copy = new RenewalReportProjection(version: 99);
        await f.Db.CreateTablesAsync(copy);
        foreach (var municipality in new[] { "saku", "takatsuki" })
        {
            await using var query = f.Db.Store.QuerySession(municipality);
            var events = await query.Events.QueryAllRawEvents().OrderBy(e => e.Sequence).ToListAsync();
            foreach (var e in events)
            {
                await using var session = f.Db.Store.LightweightSession(municipality);
                await copy.ApplyAsync(session, [e], CancellationToken.None);
                await session.SaveChangesAsync();
            }
        }

        Assert.Equal(11L, await f.Db.ScalarAsync<long>($"select count(*) from {copy.CaseFactsTable}"));
        Assert.Equal(0L, await f.Db.ScalarAsync<long>($"select count(*) from (select * from {copy.CaseFactsTable} except select * from {f.Projection.CaseFactsTable}) d"));
        Assert.Equal(0L, await f.Db.ScalarAsync<long>($"select count(*) from (select * from {f.Projection.CaseFactsTable} except select * from {copy.CaseFactsTable}) d"));
        await f.Db.ExecuteAsync($"drop schema {copy.Schema} cascade");
    }

    [Fact]
    public async Task A_rebuild_gives_exactly_the_same_rows()
    {
        await f.Db.ExecuteAsync($"create table public.before_rebuild as select * from {f.Projection.CaseFactsTable}");
        // The report is rebuilt with its group, the case views (ReadModels.CaseViews).
        await f.Daemon.RebuildProjectionAsync(CaseSystem.Projections.Daemon.ReadModels.CaseViewsName, TimeSpan.FromSeconds(30), CancellationToken.None);
        await f.Db.CaughtUpAsync(f.Db.Store);

        Assert.Equal(11L, await f.Db.ScalarAsync<long>($"select count(*) from {f.Projection.CaseFactsTable}"));
        Assert.Equal(0L, await f.Db.ScalarAsync<long>($"select count(*) from (select * from public.before_rebuild except select * from {f.Projection.CaseFactsTable}) d"));
        Assert.Equal(0L, await f.Db.ScalarAsync<long>($"select count(*) from (select * from {f.Projection.CaseFactsTable} except select * from public.before_rebuild) d"));
        await f.Db.ExecuteAsync("drop table public.before_rebuild");
        var t = (await ReportAsync("saku", By())).Totals;
        Assert.Equal((10, 5.0 / 8, 36.0), (t.Cases, t.RenewalRate!.Value, t.WaitMinutesP90!.Value));
    }
}

/// <summary>
/// Eleven cases, ten in Saku and one in Takatsuki, run through <see cref="CaseDecision"/>
/// while the daemon projects them. Report date 1 July 2026. Saku:
/// <list type="table">
/// <item>A — holder, notice, June cohort, 46 (30-49). 16 Mar shimin-ka: wait 20, one PIN mismatch, renewed, service 15, closed.</item>
/// <item>B — proxy, notice, June, 71 (65-74). 17 Mar usuda, no sealed form: wait 30, inquiry mailed 09:40, service 15;
///   27 Mar shimin-ka: wait 10, reply 09:40 (10 days), renewed, service 30.</item>
/// <item>C — holder, opened at usuda's counter, June, 36. 1 Apr shimin-ka: wait 40, three mismatches and a lock, reset, renewed, service 20.</item>
/// <item>D — holder, notice, June, 41. Lapsed 16 Jun; 22 Jun shimin-ka: wait 5, issued anew (renewed late), service 10.</item>
/// <item>E — notice, June, 26 (18-29). Lapsed 16 Jun, closed as lapsed; never came.</item>
/// <item>F — notice, July cohort, 56 (50-64). Open.</item>
/// <item>G — notice, June (expires 30 Jun), 66 (65-74). Open, no lapse recorded yet.</item>
/// <item>H — a 12-year-old (13 at expiry, 0-14), opened at shimin-ka, May cohort, no signing certificate; the parent resets the PIN and renews, no queue ticket.</item>
/// <item>I — opened at mochizuki's counter, June, 51 (50-64); withdrawn.</item>
/// <item>J — notice, June, 31 (30-49); moved out.</item>
/// </list>
/// Takatsuki: K — holder, notice, June, 18 Mar shimin-ka: wait 12, renewed, service 8.
/// </summary>
public sealed class RenewalReportFixture : IAsyncLifetime
{
    private static readonly Certificate[] Both = [Certificate.UserAuthentication, Certificate.Signing];
    private static readonly Certificate[] UserAuth = [Certificate.UserAuthentication];
    private static readonly PresentedDocument Licence = new("driving-licence", DocumentOwner.Representative, ValidUntil: new DateOnly(2030, 1, 1));
    private static readonly PresentedDocument ProxyInsurance = new("health-insurance-card", DocumentOwner.Representative);
    private static readonly PresentedDocument HolderInsurance = new("health-insurance-card", DocumentOwner.Holder);

    public ProjectionsDatabase Db { get; } = new();

    public RenewalReportProjection Projection => Db.Models.RenewalReport;

    public IProjectionDaemon Daemon { get; private set; } = null!;

    public Task<long> HeadAsync() => Db.ScalarAsync<long>("select coalesce(max(seq_id), 0) from cases.mt_events");

    public async Task InitializeAsync()
    {
        Projection.Options.BatchSize = 5;
        await Db.InitializeAsync();
        Daemon = await Db.Store.BuildProjectionDaemonAsync(logger: TestDatabase.DaemonLog());
        await Daemon.StartAllAsync();

        await CaseAAsync();
        await CaseBAsync();
        await CaseCAsync();
        await CaseDAsync();
        await CaseEAsync();
        await Case("saku").Do(new RecordExpiryNotice("NOTICE-F", Holder(1970, 7, 10), Dates(7, 10), "JLIS-2026-04", T(4, 1, 9, 0)));
        await Case("saku").Do(new RecordExpiryNotice("NOTICE-G", Holder(1960, 6, 30), Dates(6, 30), "JLIS-2026-03", T(3, 31, 9, 0)));
        await CaseHAsync();
        var i = Case("saku");
        await i.Do(new OpenCaseAtCounter(Holder(1975, 6, 15), Dates(6, 15), "mochizuki", T(4, 10, 10, 0)), "mochizuki");
        await i.Do(new CloseCase(CaseClosure.Withdrawn, T(4, 10, 10, 5)), "mochizuki");
        var j = Case("saku");
        await j.Do(new RecordExpiryNotice("NOTICE-J", Holder(1995, 6, 15), Dates(6, 15), "JLIS-2026-03", T(3, 2, 9, 0)));
        await j.Do(new CloseCase(CaseClosure.MovedOut, T(4, 20, 9, 0)));
        await CaseKAsync();

        await Db.CaughtUpAsync(Db.Store);
    }

    public async Task DisposeAsync()
    {
        await Daemon.StopAllAsync();
        Daemon.Dispose();
        await Db.DisposeAsync();
    }

    private static DateTimeOffset T(int month, int day, int hour, int minute) => new(2026, month, day, hour, minute, 0, JapanTime.Offset);

    private static Holder Holder(int year, int month, int day) =>
        new("山田 太郎", "ヤマダ タロウ", new DateOnly(year, month, day), "長野県佐久市中込3056");

    private static CertificateDates Dates(int month, int day, bool signing = true) =>
        new(new DateOnly(2026, month, day), signing ? new DateOnly(2026, month, day) : null);

    private Driver Case(string municipality) => new(Db.Store, municipality, Guid.NewGuid());

    /// <summary>
    /// A case driven through the write side's application step, as the command endpoints run it:
    /// Marten loads the case for writing, <see cref="CaseDecision"/> decides and puts who acted
    /// into the session, and the events are appended at the version loaded.
    /// </summary>
    private sealed record Driver(IDocumentStore Store, string Municipality, Guid Id)
    {
        public async Task Do(RenewalCommand command, string office = "shimin-ka")
        {
            await using var session = Store.LightweightSession(Municipality);
            var stream = await session.Events.FetchForWriting<RenewalCase>(Id);
            // Timers are left out: the report is built from the commands' own events.
            var decision = CaseDecision.Decide(session, Municipality, Id, stream.Aggregate, command, new Actor("clerk-1", office), TimeProvider.System);
            stream.AppendMany(decision.Events);
            await session.SaveChangesAsync();
        }

        public async Task QueueAsync(string office, DateTimeOffset arrived, DateTimeOffset called)
        {
            await Do(new RecordArrival(office, "T-" + arrived.Minute, arrived), office);
            await Do(new CallToCounter(office, "1", "clerk-1", called), office);
        }

        public async Task PinsMatchAsync(DateTimeOffset at, bool signing = true)
        {
            await Do(new RecordPinCheck(Certificate.UserAuthentication, PinCheckResult.Matched, 3, at));
            if (signing) await Do(new RecordPinCheck(Certificate.Signing, PinCheckResult.Matched, 5, at));
        }
    }

    private async Task CaseAAsync()
    {
        var a = Case("saku");
        await a.Do(new RecordExpiryNotice("NOTICE-A", Holder(1980, 6, 15), Dates(6, 15), "JLIS-2026-03", T(3, 2, 9, 0)));
        await a.QueueAsync("shimin-ka", T(3, 16, 10, 0), T(3, 16, 10, 20));
        await a.Do(new StartVisit("shimin-ka", WhoCame.Holder, [], T(3, 16, 10, 21)));
        await a.Do(new RecordPinCheck(Certificate.UserAuthentication, PinCheckResult.Mismatched, 2, T(3, 16, 10, 22)));
        await a.PinsMatchAsync(T(3, 16, 10, 23));
        await a.Do(new RenewCertificates(Both, T(3, 16, 10, 30)));
        await a.Do(new EndVisit(VisitOutcome.Done, T(3, 16, 10, 35)));
        await a.Do(new CloseCase(CaseClosure.Renewed, T(3, 16, 10, 36)));
    }

    private async Task CaseBAsync()
    {
        var b = Case("saku");
        await b.Do(new RecordExpiryNotice("NOTICE-B", Holder(1955, 6, 15), Dates(6, 15), "JLIS-2026-03", T(3, 2, 9, 0)));
        await b.QueueAsync("usuda", T(3, 17, 9, 0), T(3, 17, 9, 30));
        await b.Do(new StartVisit("usuda", WhoCame.AppointedProxy, [Licence], T(3, 17, 9, 31), ReplyForm.Missing, HolderPresent: false), "usuda");
        await b.Do(new MailDocumentInquiry("reply-form-missing", T(3, 17, 9, 40)), "usuda");
        await b.Do(new EndVisit(VisitOutcome.MustReturn, T(3, 17, 9, 45)), "usuda");
        await b.QueueAsync("shimin-ka", T(3, 27, 9, 20), T(3, 27, 9, 30));
        await b.Do(new StartVisit("shimin-ka", WhoCame.AppointedProxy,
            [Licence, ProxyInsurance, HolderInsurance,
             new PresentedDocument(DocumentKinds.LetterOfAttorney, DocumentOwner.Holder), new PresentedDocument(DocumentKinds.ReplyForm, DocumentOwner.Holder)],
            T(3, 27, 9, 31), HolderPresent: false));
        await b.Do(new ReceiveInquiryReply(T(3, 27, 9, 40)));
        await b.PinsMatchAsync(T(3, 27, 9, 45));
        await b.Do(new RenewCertificates(Both, T(3, 27, 9, 50)));
        await b.Do(new EndVisit(VisitOutcome.Done, T(3, 27, 10, 0)));
    }

    private async Task CaseCAsync()
    {
        var c = Case("saku");
        await c.Do(new OpenCaseAtCounter(Holder(1990, 6, 20), Dates(6, 20), "usuda", T(4, 1, 9, 50)), "usuda");
        await c.QueueAsync("shimin-ka", T(4, 1, 10, 0), T(4, 1, 10, 40));
        await c.Do(new StartVisit("shimin-ka", WhoCame.Holder, [HolderInsurance], T(4, 1, 10, 41)));
        await c.Do(new RecordPinCheck(Certificate.UserAuthentication, PinCheckResult.Mismatched, 2, T(4, 1, 10, 42)));
        await c.Do(new RecordPinCheck(Certificate.UserAuthentication, PinCheckResult.Mismatched, 1, T(4, 1, 10, 43)));
        await c.Do(new RecordPinCheck(Certificate.UserAuthentication, PinCheckResult.Mismatched, 0, T(4, 1, 10, 44)));
        await c.Do(new ResetPin(Both, T(4, 1, 10, 50)));
        await c.Do(new RenewCertificates(Both, T(4, 1, 10, 55)));
        await c.Do(new EndVisit(VisitOutcome.Done, T(4, 1, 11, 0)));
    }

    private async Task CaseDAsync()
    {
        var d = Case("saku");
        await d.Do(new RecordExpiryNotice("NOTICE-D", Holder(1985, 6, 15), Dates(6, 15), "JLIS-2026-03", T(3, 2, 9, 0)));
        await d.Do(new RecordLapse(T(6, 16, 0, 5)));
        await d.QueueAsync("shimin-ka", T(6, 22, 10, 0), T(6, 22, 10, 5));
        await d.Do(new StartVisit("shimin-ka", WhoCame.Holder, [], T(6, 22, 10, 6)));
        await d.PinsMatchAsync(T(6, 22, 10, 7), signing: false);
        await d.Do(new RenewCertificates(UserAuth, T(6, 22, 10, 10)));
        await d.Do(new EndVisit(VisitOutcome.Done, T(6, 22, 10, 15)));
    }

    private async Task CaseEAsync()
    {
        var e = Case("saku");
        await e.Do(new RecordExpiryNotice("NOTICE-E", Holder(2000, 6, 15), Dates(6, 15), "JLIS-2026-03", T(3, 2, 9, 0)));
        await e.Do(new RecordLapse(T(6, 16, 0, 5)));
        await e.Do(new CloseCase(CaseClosure.Lapsed, T(6, 30, 17, 0)));
    }

    private async Task CaseHAsync()
    {
        var h = Case("saku");
        await h.Do(new OpenCaseAtCounter(Holder(2013, 5, 25), Dates(5, 25, signing: false), "shimin-ka", T(4, 6, 9, 55)));
        await h.Do(new StartVisit("shimin-ka", WhoCame.LegalRepresentativeOfMinor,
            [Licence, new PresentedDocument(DocumentKinds.FamilyRegisterCertificate, DocumentOwner.Holder, IssuedOn: new DateOnly(2026, 4, 1))],
            T(4, 6, 10, 0)));
        await h.Do(new ResetPin(UserAuth, T(4, 6, 10, 5)));
        await h.Do(new RenewCertificates(UserAuth, T(4, 6, 10, 10)));
        await h.Do(new EndVisit(VisitOutcome.Done, T(4, 6, 10, 15)));
    }

    private async Task CaseKAsync()
    {
        var k = Case("takatsuki");
        await k.Do(new RecordExpiryNotice("NOTICE-K", new Holder("高槻 花子", "タカツキ ハナコ", new DateOnly(1980, 6, 15), "大阪府高槻市桃園町2-1"),
            Dates(6, 15), "JLIS-2026-03", T(3, 2, 9, 0)));
        await k.QueueAsync("shimin-ka", T(3, 18, 10, 0), T(3, 18, 10, 12));
        await k.Do(new StartVisit("shimin-ka", WhoCame.Holder, [], T(3, 18, 10, 13)));
        await k.PinsMatchAsync(T(3, 18, 10, 14));
        await k.Do(new RenewCertificates(Both, T(3, 18, 10, 15)));
        await k.Do(new EndVisit(VisitOutcome.Done, T(3, 18, 10, 20)));
    }
}

/// <summary>The fold's edge rules, without a database.</summary>
public sealed class RenewalReportFoldTests
{
    private static readonly Guid Id = Guid.NewGuid();
    private static readonly DateTimeOffset At = new(2026, 3, 16, 10, 0, 0, JapanTime.Offset);
    private static readonly Holder Holder = new("山田 太郎", "ヤマダ タロウ", new DateOnly(1980, 6, 15), "長野県佐久市中込3056");
    private static readonly CertificateDates Expiry = new(new DateOnly(2026, 6, 15), new DateOnly(2026, 6, 15));

    private static IEvent Stored(long seq, RenewalEvent e) => new Event<RenewalEvent>(e) { Sequence = seq, StreamId = Id, Version = seq, TenantId = "saku" };

    private static RenewalReportProjection.CaseFacts Fold(params RenewalEvent[] events)
    {
        RenewalReportProjection.CaseFacts? s = null;
        for (var i = 0; i < events.Length; i++) s = RenewalReportProjection.Fold(s, Stored(i + 1, events[i]));
        return s ?? throw new InvalidOperationException("no case");
    }

    private static RenewalEvent Noticed => new RenewalEvent.ExpiryNoticeSent("NOTICE-1", Holder, Expiry, "B", At.AddDays(-14));

    private static RenewalEvent Visit(WhoCame who, int n = 1) => new RenewalEvent.VisitStarted(n, "shimin-ka", who, [], ReplyForm.NotApplicable, true, At);

    [Fact]
    public void An_event_that_changes_no_fact_leaves_the_same_instance_and_a_stream_never_opened_has_none()
    {
        var opened = Fold(Noticed);
        Assert.Equal((new DateOnly(2026, 6, 1), "30-49", true, ReportCodes.Open, 1L), (opened.CohortMonth, opened.AgeBand, opened.NoticeSent, opened.Outcome, opened.UpdatedSeq));
        foreach (var e in new RenewalEvent[]
        {
            new RenewalEvent.CardRead("s", "x", Expiry.UserAuthenticationExpiry, 3, 5, At),
            new RenewalEvent.IdentityAccepted(1, "holder", At),
            new RenewalEvent.PinMatched(Certificate.Signing, At),
            new RenewalEvent.RenewalWindowOpened(new DateOnly(2026, 3, 16), At),
            new RenewalEvent.CertificateLapsed(Certificate.Signing, Expiry.UserAuthenticationExpiry, At),
            new RenewalEvent.VisitEnded(1, VisitOutcome.Left, At),
        })
        {
            Assert.Same(opened, RenewalReportProjection.Fold(opened, Stored(2, e)));
        }
        Assert.Null(RenewalReportProjection.Fold(null, Stored(1, new RenewalEvent.ArrivedAtOffice("shimin-ka", "A-1", At))));
    }

    [Fact]
    public void A_corrected_notice_moves_the_case_to_its_expirys_cohort_and_its_holders_age_band()
    {
        var older = Holder with { BirthDate = new DateOnly(1950, 6, 15) };
        var later = new CertificateDates(new DateOnly(2026, 8, 15), null);
        var amended = Fold(Noticed, new RenewalEvent.NoticeAmended("NOTICE-1", older, later, "B-訂正", At));
        Assert.Equal((new DateOnly(2026, 8, 1), ReportCodes.AgeBand(76), true, 2L), (amended.CohortMonth, amended.AgeBand, amended.NoticeSent, amended.UpdatedSeq));
        // A correction of the address alone changes no fact.
        var opened = Fold(Noticed);
        Assert.Same(opened, RenewalReportProjection.Fold(opened, Stored(2, new RenewalEvent.NoticeAmended("NOTICE-1", Holder with { RegisteredAddress = "長野県佐久市臼田2301" }, Expiry, "B-訂正", At))));
    }

    [Fact]
    [Trait("seed", Rule.Seeds.Hirosaki)]
    public void A_case_closed_as_renewed_without_a_renewal_event_counts_as_renewed_at_its_closing_late_after_a_lapse()
    {
        var closed = Fold(Noticed, new RenewalEvent.CaseClosed(CaseClosure.Renewed, At));
        Assert.Equal((ReportCodes.RenewedBeforeExpiry, At, At), (closed.Outcome, closed.RenewedAt!.Value, closed.ClosedAt!.Value));
        var lapsed = Fold(Noticed, new RenewalEvent.CertificateLapsed(Certificate.UserAuthentication, Expiry.UserAuthenticationExpiry, At),
            new RenewalEvent.CaseClosed(CaseClosure.Renewed, At));
        Assert.Equal(ReportCodes.RenewedLate, lapsed.Outcome);
    }

    [Fact]
    [Trait("seed", Rule.Seeds.Hirosaki)]
    public void The_user_certificate_decides_the_outcome_when_the_signing_one_was_renewed_first()
    {
        var facts = Fold(Noticed, Visit(WhoCame.Holder),
            new RenewalEvent.CertificatesRenewed([Certificate.Signing], new DateOnly(2031, 6, 15), 0, At),
            new RenewalEvent.CertificatesIssued([Certificate.UserAuthentication], new DateOnly(2031, 6, 15), 0, At));
        Assert.Equal((ReportCodes.RenewedLate, true, ReportCodes.Holder), (facts.Outcome, facts.UserAuthRenewed, facts.WhoCame));
        var signingOnly = Fold(Noticed, Visit(WhoCame.Holder), new RenewalEvent.CertificatesRenewed([Certificate.Signing], new DateOnly(2031, 6, 15), 0, At));
        Assert.Equal((ReportCodes.RenewedBeforeExpiry, false), (signingOnly.Outcome, signingOnly.UserAuthRenewed));
    }

    [Fact]
    [Trait("seed", Rule.Seeds.Hirosaki)]
    public void An_issuance_onto_a_reissued_card_is_a_report_category_of_its_own_003()
    {
        var issued = Fold(Noticed, Visit(WhoCame.Holder),
            new RenewalEvent.CertificatesIssuedOnReissuedCard([Certificate.UserAuthentication, Certificate.Signing], new DateOnly(2031, 6, 15), 200, At));
        Assert.Equal((ReportCodes.IssuedOnReissuedCard, true), (issued.Outcome, issued.UserAuthRenewed));
        // Stored before the event of its own existed: a flagged CertificatesIssued reads the same.
        var legacy = Fold(Noticed, Visit(WhoCame.Holder),
            new RenewalEvent.CertificatesIssued([Certificate.UserAuthentication], new DateOnly(2031, 6, 15), 200, At, OnReissuedCard: true));
        Assert.Equal(ReportCodes.IssuedOnReissuedCard, legacy.Outcome);
    }

    [Fact]
    public void Who_came_is_of_the_visit_that_finished_the_case_else_of_the_first()
    {
        var renewed = Fold(Noticed, Visit(WhoCame.Holder), new RenewalEvent.VisitEnded(1, VisitOutcome.MustReturn, At),
            Visit(WhoCame.GuardianOfAdultWard, 2), new RenewalEvent.CertificatesRenewed([Certificate.UserAuthentication], new DateOnly(2031, 6, 15), 0, At));
        Assert.Equal((ReportCodes.LegalRepresentative, 2), (renewed.WhoCame, renewed.Visits));
        var withdrawn = Fold(Noticed, Visit(WhoCame.Holder), new RenewalEvent.VisitEnded(1, VisitOutcome.MustReturn, At),
            Visit(WhoCame.AppointedProxy, 2), new RenewalEvent.CaseClosed(CaseClosure.Withdrawn, At));
        Assert.Equal((ReportCodes.Proxy, ReportCodes.Withdrawn), (withdrawn.WhoCame, withdrawn.Outcome));
        var leftOpen = Fold(Noticed, Visit(WhoCame.AppointedProxy), new RenewalEvent.VisitEnded(1, VisitOutcome.Refused, At), Visit(WhoCame.Holder, 2));
        Assert.Equal(ReportCodes.Proxy, leftOpen.WhoCame);
    }

    [Fact]
    public void Waits_and_service_times_are_per_visit_and_a_negative_one_is_left_out()
    {
        var facts = Fold(Noticed,
            new RenewalEvent.ArrivedAtOffice("shimin-ka", "A-1", At),
            new RenewalEvent.CalledToCounter("shimin-ka", "1", "c", At.AddMinutes(12)),
            new RenewalEvent.CalledToCounter("shimin-ka", "2", "c", At.AddMinutes(14)), // called again: the first call counts
            Visit(WhoCame.Holder),
            new RenewalEvent.VisitEnded(1, VisitOutcome.MustReturn, At.AddMinutes(20)),
            new RenewalEvent.ArrivedAtOffice("shimin-ka", "A-2", At.AddDays(1)),
            new RenewalEvent.CalledToCounter("shimin-ka", "1", "c", At.AddDays(1).AddMinutes(-1)), // clocks out of step
            Visit(WhoCame.Holder, 2),
            new RenewalEvent.VisitEnded(2, VisitOutcome.Done, At.AddDays(1).AddMinutes(4)));
        Assert.Equal([720.0], facts.WaitSeconds);
        Assert.Equal([480.0, 300.0], facts.ServiceSeconds);
        Assert.Null(facts.ArrivedAt);
        Assert.Null(facts.CalledAt);
        Assert.Null(facts.VisitWhoCame);
    }

    [Theory]
    [InlineData(0, "0-14")]
    [InlineData(14, "0-14")]
    [InlineData(15, "15-17")]
    [InlineData(17, "15-17")]
    [InlineData(18, "18-29")]
    [InlineData(29, "18-29")]
    [InlineData(30, "30-49")]
    [InlineData(49, "30-49")]
    [InlineData(50, "50-64")]
    [InlineData(64, "50-64")]
    [InlineData(65, "65-74")]
    [InlineData(74, "65-74")]
    [InlineData(75, "75+")]
    [InlineData(102, "75+")]
    public void Age_bands(int age, string band) => Assert.Equal(band, ReportCodes.AgeBand(age));

    [Fact]
    public void The_age_band_is_the_age_on_the_expiry_date()
    {
        // Born 16 June 2011: 14 on the expiry date 15 June 2026, 15 the day after.
        var holder = Holder with { BirthDate = new DateOnly(2011, 6, 16) };
        Assert.Equal("0-14", Fold(new RenewalEvent.CaseOpenedAtCounter(holder, Expiry, "shimin-ka", At)).AgeBand);
        Assert.Equal("15-17", Fold(new RenewalEvent.CaseOpenedAtCounter(holder with { BirthDate = new DateOnly(2011, 6, 15) }, Expiry, "shimin-ka", At)).AgeBand);
    }
}
