using System.Net;
using System.Net.Http.Json;
using System.Text;
using CaseSystem.Cases.Renewal;
using CaseSystem.Cases.Tests.Support;
using CaseSystem.Cases.Timers;
using Xunit.Abstractions;

namespace CaseSystem.Cases.Tests.Http;

/// <summary>
/// Issue 11 with real server processes and kill -9 (no orderly stop of any kind): two processes on
/// one database, their clock shifted (CASES_CLOCK_OFFSET) to a little before the midnight, Japan
/// time, at which the cases' certificates lapse; one is killed before, during or after the lapse
/// timers fire, and every case must end with its lapse recorded exactly once. The tests wait on
/// conditions in the database, never on a fixed sleep; how late the timers fired is printed, not
/// asserted (how fast is the benchmark's question).
/// </summary>
public sealed class TimerProcessTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly DateOnly Expiry = new(2026, 6, 15);

    /// <summary>When the lapse timers fall due: 00:00 Japan time the day after the expiry.</summary>
    private static readonly DateTimeOffset Due = new(2026, 6, 16, 0, 0, 0, JapanTime.Offset);

    /// <summary>How long a wait for the processes may take before the test fails (a loaded 2-core machine is slow).</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(4);

    private static readonly string TimerType = typeof(CaseTimerDue).FullName!;

    /// <summary>These processes only serve and fire timers: the projections are not what is tested, and cost CPU.</summary>
    private static readonly Dictionary<string, string> ServeOnly = new() { ["CASES_PROJECTIONS"] = "off" };

    private readonly TestDatabase _db = new();
    private ServerProcesses _servers = null!;
    private TimeSpan _offset;

    /// <summary>The lapses each case must end with: both certificates when both expire that day, else one.</summary>
    private readonly Dictionary<Guid, int> _expected = [];

    public Task InitializeAsync() => _db.InitializeAsync();

    public async Task DisposeAsync()
    {
        if (_servers is not null) await _servers.DisposeAsync();
        await _db.DisposeAsync();
    }

    /// <summary>The moment, on the real clock, at which the processes' clock reads <see cref="Due"/>.</summary>
    private DateTimeOffset DueReal => Due - _offset;

    /// <summary>
    /// Two processes whose clock will read <see cref="Due"/> in <paramref name="lead"/> from now: time
    /// enough to start them and to open the cases, since a timer already due when its case opens
    /// fires at once rather than from the schedule.
    /// </summary>
    private async Task<(ServerProcess First, ServerProcess Second)> StartTwoAsync(TimeSpan lead)
    {
        _offset = Due - (DateTimeOffset.UtcNow + lead);
        _servers = new ServerProcesses(_db.ConnectionString, _offset);
        // One after the other: the first applies the schema changes, the second finds them done.
        var first = await _servers.StartAsync(ServeOnly);
        var second = await _servers.StartAsync(ServeOnly);
        output.WriteLine($"started {first.Id} (node {first.NodeNumber}) and {second.Id} (node {second.NodeNumber}); {DueReal - DateTimeOffset.UtcNow:mm\\:ss\\.f} before the due time");
        return (first, second);
    }

    /// <summary>Cases opened at the counter through the API, a few at a time; every other one holds only the user-authentication certificate.</summary>
    private async Task OpenAtCounterAsync(ServerProcess server, int count)
    {
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, ct) =>
        {
            var signing = i % 2 == 0 ? Expiry.ToString("yyyy-MM-dd") : null;
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/saku/cases")
            {
                Content = JsonContent.Create(new
                {
                    holder = new { nameKanji = "佐藤 一郎", nameKana = "サトウ イチロウ", birthDate = "1980-06-15", registeredAddress = "長野県佐久市中込3056" },
                    expiry = new { userAuthenticationExpiry = Expiry.ToString("yyyy-MM-dd"), signingExpiry = signing },
                    office = "shimin-ka",
                }, options: TestServer.Json),
            };
            request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
            using var response = await server.Http.SendAsync(request, ct);
            Assert.True(response.StatusCode == HttpStatusCode.Created, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
            var caseId = Guid.Parse(response.Headers.Location!.ToString().Split('/').Last());
            lock (_expected) _expected.Add(caseId, signing is null ? 1 : 2);
        });
    }

    /// <summary>A J-LIS notice batch through the API: many cases, and so many timers due at one moment, in one request.</summary>
    private async Task ImportNoticesAsync(ServerProcess server, int count)
    {
        var csv = new StringBuilder("notice_number,name_kanji,name_kana,birth_date,registered_address,user_authentication_expiry,signing_expiry\n");
        for (var i = 0; i < count; i++)
        {
            var number = $"SAKU-KILL-{i:D5}";
            var signing = i % 3 == 0 ? "" : Expiry.ToString("yyyy-MM-dd");
            csv.Append($"{number},鈴木 花子,スズキ ハナコ,1990-01-02,長野県佐久市中込3056,{Expiry:yyyy-MM-dd},{signing}\n");
            _expected.Add(CaseIds.ForNotice("saku", number), signing.Length == 0 ? 1 : 2);
        }
        using var response = await server.Http.PostAsync("/api/saku/notices?batch=kill-9", new StringContent(csv.ToString(), Encoding.UTF8, "text/csv"));
        var report = await response.Content.ReadFromJsonAsync<NoticeReport>(TestServer.Json);
        Assert.True(response.StatusCode == HttpStatusCode.OK && report?.Imported == count, $"{response.StatusCode}: {report}");
    }

    private sealed record NoticeReport(int Lines, int Imported, int AlreadyImported);

    /// <summary>
    /// Waits until every case has its lapse timer in the stored schedule (its only timer: the cases
    /// open in their renewal window, which their dates hold open with no event and no timer); then
    /// checks that the processes' clock has not reached the due time yet.
    /// </summary>
    private async Task ScheduledAsync()
    {
        // Or the due time passed first (the machine too slow for the lead): then StillBeforeDue says so, at once.
        await EventuallyAsync("the lapses scheduled", async () => await PendingTimersAsync() == _expected.Count || DateTimeOffset.UtcNow >= DueReal);
        Assert.Equal(0L, await CountAsync("select count(*) from cases.mt_events where type = 'RenewalWindowOpened'"));
        StillBeforeDue("the cases were opened and their timers scheduled");
    }

    private void StillBeforeDue(string what)
    {
        var left = DueReal - DateTimeOffset.UtcNow;
        output.WriteLine($"{what} {left.TotalSeconds:0.0} s before the due time");
        Assert.True(left > TimeSpan.Zero,
            $"{what} only {-left.TotalSeconds:0.0} s after the due time: the machine is too slow for the lead this test gives itself, so it proves nothing");
    }

    /// <summary>Lapse timers stored and not done: scheduled, or taken by a process and not handled yet.</summary>
    private Task<long> PendingTimersAsync() => CountAsync(
        "select count(*) from cases.wolverine_incoming_envelopes where message_type = $1 and status in ('Scheduled', 'Incoming')", TimerType);

    /// <summary>How many CertificateLapsed events each case has.</summary>
    private async Task<Dictionary<Guid, int>> LapsesAsync()
    {
        var lapses = new Dictionary<Guid, int>();
        await using var cmd = _db.DataSource.CreateCommand("select stream_id, count(*) from cases.mt_events where type = 'CertificateLapsed' group by stream_id");
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync()) lapses[reader.GetGuid(0)] = (int)reader.GetInt64(1);
        return lapses;
    }

    /// <summary>Waits until every case has all its lapses and no lapse timer is left to fire; then checks each case has exactly its lapses, once.</summary>
    private async Task AllLapsedExactlyOnceAsync()
    {
        await EventuallyAsync("every case lapsed and no timer left", async () =>
            (await LapsesAsync()).Values.Sum() >= _expected.Values.Sum() && await PendingTimersAsync() == 0);
        var lapses = await LapsesAsync();
        var wrong = _expected.Where(e => lapses.GetValueOrDefault(e.Key) != e.Value).Select(e => $"{e.Key}: {lapses.GetValueOrDefault(e.Key)} of {e.Value}").ToList();
        Assert.True(wrong.Count == 0, $"{wrong.Count} of {_expected.Count} cases have the wrong number of lapses:\n{string.Join('\n', wrong.Take(20))}");
        Assert.Equal(_expected.Count, lapses.Count);
        // No window event either: every case opened in its window.
        Assert.Equal(0L, await CountAsync("select count(*) from cases.mt_events where type = 'RenewalWindowOpened'"));
        await LatenessAsync();
    }

    /// <summary>Prints how late the lapses were recorded (the events' commit time against the due time, both on the real clock).</summary>
    private async Task LatenessAsync()
    {
        var late = new List<double>();
        await using var cmd = _db.DataSource.CreateCommand("select timestamp from cases.mt_events where type = 'CertificateLapsed' order by timestamp");
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync()) late.Add((reader.GetFieldValue<DateTimeOffset>(0) - DueReal).TotalSeconds);
        output.WriteLine($"{late.Count} lapses recorded after the due time: first {late[0]:0.00} s, median {late[late.Count / 2]:0.00} s, last {late[^1]:0.00} s");
    }

    private async Task<long> CountAsync(string sql, params object[] parameters) => await _db.ScalarAsync<long>(sql, parameters);

    private async Task EventuallyAsync(string what, Func<Task<bool>> done, int everyMs = 50)
    {
        var until = DateTimeOffset.UtcNow + Patience;
        while (!await done())
        {
            if (DateTimeOffset.UtcNow > until)
            {
                throw new TimeoutException($"not within {Patience}: {what}\n" +
                    string.Join("\n", _servers.Started.Select(s => $"--- server {s.Id} (node {s.NodeNumber}, {(s.Process.HasExited ? "gone" : "running")}):\n{s.Tail}")));
            }
            await Task.Delay(everyMs);
        }
    }

    [Fact]
    public async Task Killed_before_the_timers_fall_due_the_process_that_set_them_leaves_them_to_the_other()
    {
        var (first, _) = await StartTwoAsync(lead: TimeSpan.FromSeconds(30));
        await OpenAtCounterAsync(first, 20);
        await ScheduledAsync();

        await first.KillAsync();
        StillBeforeDue($"server {first.Id}, which opened the cases, was killed");

        await AllLapsedExactlyOnceAsync();
    }

    [Fact]
    public async Task Killed_while_firing_many_timers_due_at_once_the_other_fires_the_rest_and_none_twice()
    {
        var (first, _) = await StartTwoAsync(lead: TimeSpan.FromSeconds(35));
        // 600: with the import written in chunks (issue 12) 200 cases fired before the kill could land (2026-12-02).
        await ImportNoticesAsync(first, 600);
        await ScheduledAsync();

        // A process has taken a batch of the due timers and is handling them: a first lapse is
        // recorded and due timers are held by a node. Both are polled together: on a loaded machine
        // a batch can be finished before the next is taken, with none held at the moment of one
        // look (CI, 2026-12-02).
        int? firing = null;
        await EventuallyAsync("a first lapse while a process holds due timers", async () =>
        {
            if (await CountAsync("select count(*) from cases.mt_events where type = 'CertificateLapsed'") == 0) return false;
            firing = await _db.ScalarAsync<object>(
                "select owner_id from cases.wolverine_incoming_envelopes where message_type = $1 and status = 'Incoming' and owner_id <> 0 group by owner_id order by count(*) desc limit 1",
                TimerType) as int?;
            return firing is not null || await CountAsync("select count(*) from cases.wolverine_incoming_envelopes where message_type = $1", TimerType) == 0;
        }, everyMs: 10);
        var victim = _servers.Started.SingleOrDefault(s => s.NodeNumber == firing);
        Assert.True(victim is not null, $"no process held due timers when the first lapse was recorded (owner {firing})");
        await victim.KillAsync();

        var lapsed = (await LapsesAsync()).Count;
        var held = await CountAsync("select count(*) from cases.wolverine_incoming_envelopes where message_type = $1 and status = 'Incoming' and owner_id = $2",
            TimerType, victim.NodeNumber);
        output.WriteLine($"server {victim.Id} (node {victim.NodeNumber}) killed while firing: {lapsed} of {_expected.Count} cases lapsed, {held} timers taken by it and not handled");
        Assert.True(lapsed < _expected.Count && held > 0, "the kill came after the firing, so this run proves nothing about a kill during it");

        await AllLapsedExactlyOnceAsync();
    }

    [Fact]
    public async Task Killed_after_the_timers_fired_and_replaced_by_a_new_process_nothing_fires_again()
    {
        var (first, second) = await StartTwoAsync(lead: TimeSpan.FromSeconds(30));
        await OpenAtCounterAsync(first, 20);
        await ScheduledAsync();
        await AllLapsedExactlyOnceAsync();

        // The process running Wolverine's durability agent (the recovery of what a dead process
        // held) is the one killed: the new holder of the agent then looks at everything it left.
        var agentNode = await DurabilityAgentNodeAsync();
        var victim = new[] { first, second }.Single(s => s.NodeNumber == agentNode);
        await victim.KillAsync();
        var replacement = await _servers.StartAsync(ServeOnly);
        output.WriteLine($"server {victim.Id} (node {victim.NodeNumber}) killed after the firing; {replacement.Id} (node {replacement.NodeNumber}) started");

        // Settled: the dead process's node ejected (whatever it owned released for recovery), the
        // durability agent running in a live process, and no lapse timer stored and not done. (Every
        // process polls the stored schedule from before it says it has started.)
        var live = _servers.Started.Where(s => !s.Process.HasExited).Select(s => s.NodeNumber).ToArray();
        await EventuallyAsync("the killed process ejected, the durability agent on a live one, nothing to fire", async () =>
            await CountAsync("select count(*) from cases.wolverine_nodes where node_number = $1", victim.NodeNumber) == 0
            && await CountAsync("select count(*) from cases.wolverine_incoming_envelopes where owner_id = $1", victim.NodeNumber) == 0
            && await DurabilityAgentNodeAsync() is { } node && live.Contains(node)
            && await PendingTimersAsync() == 0, everyMs: 200);

        await AllLapsedExactlyOnceAsync();
    }

    /// <summary>The node running Wolverine's durability agent for the database, if one does.</summary>
    private async Task<int?> DurabilityAgentNodeAsync() => await _db.ScalarAsync<object>(
        "select n.node_number from cases.wolverine_node_assignments a join cases.wolverine_nodes n on n.id = a.node_id where a.id like 'wolverinedb://%' limit 1") as int?;
}
