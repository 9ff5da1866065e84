using CaseSystem.Cases.Renewal;
using CaseSystem.Projections.Daemon;
using CaseSystem.Cases.Tests.Support;
using CaseSystem.Projections.Tests.Support;

namespace CaseSystem.Projections.Tests.Daemon;

/// <summary>Two real server processes on one database: one runs the projections (Marten's daemon, HotCold); killed, the other takes over.</summary>
public sealed class TwoProcessTests : IAsyncLifetime
{
    private static readonly DateTimeOffset At = new(2026, 3, 16, 10, 0, 0, TimeSpan.FromHours(9));
    private readonly ProcessesOnDatabase<ProjectionsDatabase> _on = new(new ProjectionsDatabase());

    private ProjectionsDatabase Db => _on.Database;

    private ServerProcesses Servers => _on.Servers;

    public Task InitializeAsync() => _on.InitializeAsync();

    public Task DisposeAsync() => _on.DisposeAsync();

    /// <summary>The process owning every projection, or null while none or several do.</summary>
    private static async Task<string?> OwnerAsync(ProjectionAdmin admin) =>
        (await admin.StatusAsync()).Select(s => s.Owner).Distinct().ToList() is [var only] ? only : null;

    private static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan within)
    {
        var until = DateTimeOffset.UtcNow + within;
        while (true)
        {
            var value = await read();
            if (done(value)) return value;
            if (DateTimeOffset.UtcNow > until) throw new TimeoutException($"still {value} after {within}");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task Only_one_server_process_runs_the_projections_and_another_takes_over_within_seconds_when_it_is_killed()
    {
        var admin = new ProjectionAdmin(Db.Store, Db.DataSource, Db.Models);
        var first = await Servers.StartAsync();
        await EventuallyAsync(() => OwnerAsync(admin), o => o?.Contains($":{first.Id} ") == true, TimeSpan.FromSeconds(60));
        // Started: its hosted services, Marten's projection coordinator among them, are running.
        var second = await Servers.StartAsync();

        for (var i = 0; i < 20; i++)
        {
            await Db.AppendAsync("saku", Guid.NewGuid(),
                [new RenewalEvent.CaseOpenedAtCounter(new Holder("佐藤 一郎", "サトウ イチロウ", new DateOnly(1980, 6, 15), "長野県佐久市"),
                    new CertificateDates(new DateOnly(2026, 6, 15), null), "shimin-ka", At)], command: "OpenCaseAtCounter");
        }
        var head = await Db.ScalarAsync<long>("select max(seq_id) from cases.mt_events");
        await EventuallyAsync(async () => (await admin.StatusAsync()).Min(s => s.Position), c => c == head, TimeSpan.FromSeconds(30));
        // The second server is up and trying, yet the first still owns every projection.
        Assert.All(await admin.StatusAsync(), s => Assert.True(s.Owner?.Contains($":{first.Id} ") == true,
            $"{s.Name} v{s.Version} is owned by '{s.Owner}', not by the first server ({first.Id}; the second is {second.Id})"));

        await first.KillAsync();
        // Taken over within the wait (about a second on a quiet machine; how fast is a benchmark's
        // question, not this test's: it measured 7.8 s at a load average of 12 on 2 cores).
        await EventuallyAsync(() => OwnerAsync(admin), o => o?.Contains($":{second.Id} ") == true, TimeSpan.FromSeconds(30));

        await Db.AppendAsync("saku", Guid.NewGuid(),
            [new RenewalEvent.CaseOpenedAtCounter(new Holder("鈴木 花子", "スズキ ハナコ", new DateOnly(1990, 1, 2), "長野県佐久市"),
                new CertificateDates(new DateOnly(2026, 6, 15), null), "shimin-ka", At)], command: "OpenCaseAtCounter");
        await EventuallyAsync(async () => (await admin.StatusAsync()).Min(s => s.Position), c => c == head + 1, TimeSpan.FromSeconds(30));
        Assert.Equal(21, await Db.ScalarAsync<long>($"select count(*) from {Db.Models.CaseFinder.Cases}"));
    }
}
