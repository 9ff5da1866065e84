using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CaseSystem.Cases.Store;

namespace CaseSystem.Chaos;

/// <summary>
/// What a fault left behind: acknowledged commands missing from the log, the hash chain, and how
/// long the read models took to catch up with the log after the fault ended.
/// </summary>
internal sealed class Verifier(ChaosDatabase db, Counter counter, ServerPool pool, HttpClient http)
{
    /// <summary>How long the read models may take after a fault before the run says they never caught up.</summary>
    public static readonly TimeSpan LagCap = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Acknowledged commands whose effect is not in the log, read straight from mt_events: the case's
    /// event at the acknowledged version must exist in its municipality, and when the answer moved
    /// the case past what the client knew, that event must name the command and the staff member in
    /// its metadata (a rolled-back append whose version a later event took would otherwise pass).
    /// </summary>
    public async Task<List<Ack>> MissingAsync(IReadOnlyCollection<Ack> acks, CancellationToken ct)
    {
        var found = new Dictionary<(Guid, long), (string Tenant, string? Command, string? User)>();
        foreach (var chunk in acks.Select(a => a.CaseId).Distinct().Chunk(5000))
        {
            await using var cmd = db.Db.CreateCommand(
                $"select stream_id, version, tenant_id, headers->>'command', user_name from {CaseStore.Schema}.mt_events where stream_id = any($1)");
            cmd.Parameters.AddWithValue(chunk);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                found[(reader.GetGuid(0), reader.GetInt64(1))] = (reader.GetString(2),
                    reader.IsDBNull(3) ? null : reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4));
            }
        }
        var missing = new List<Ack>();
        foreach (var ack in acks)
        {
            var ok = found.TryGetValue((ack.CaseId, ack.Version), out var e) && e.Tenant == ack.Municipality
                     && (ack.Command is null || (e.Command == ack.Command && e.User == ack.StaffId));
            if (ok) continue;
            missing.Add(ack);
            if (missing.Count <= 10)
            {
                Log.Line($"MISSING: {ack.Municipality} case {ack.CaseId} version {ack.Version} ({ack.Command ?? "version only"}): " +
                         (e == default ? "no such event" : $"the event there is {e.Command} by {e.User} in {e.Tenant}"));
            }
        }
        return missing;
    }

    /// <summary>
    /// The hash chain of every municipality, through the API as an auditor checks it
    /// (GET /api/{m}/integrity, a supervisor's token): ok when every one answers 200 with no break.
    /// </summary>
    public async Task<bool> ChainAsync(CancellationToken ct)
    {
        var intact = true;
        foreach (var m in Counter.Municipalities)
        {
            if (pool.UrlFor(0) is not { } server) throw new InvalidOperationException("no server is up to check the chain");
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(server, $"/api/{m}/integrity"));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", counter.SupervisorToken(m));
            using var response = await http.SendAsync(request, ct);
            if (!response.IsSuccessStatusCode)
            {
                Log.Line($"chain check of {m}: {(int)response.StatusCode}");
                intact = false;
                continue;
            }
            var result = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
            var breaks = result.GetProperty("breaks");
            Log.Line($"chain of {m}: {result.GetProperty("streamsChecked")} cases, {result.GetProperty("eventsChecked")} events, {breaks.GetArrayLength()} breaks");
            foreach (var b in breaks.EnumerateArray().Take(5)) Log.Line($"  chain break in {m}: {b}");
            intact &= breaks.GetArrayLength() == 0;
        }
        return intact;
    }

    /// <summary>
    /// Seconds from <paramref name="faultEnd"/> (a Stopwatch timestamp) until every read model has
    /// applied every event committed when the fault ended (the log's high-water mark then), polled
    /// every 50 ms; null when they had not within <see cref="LagCap"/>. Read errors (PostgreSQL just
    /// back) are polled through.
    /// </summary>
    public async Task<double?> LagRecoveredAsync(long faultEnd, CancellationToken ct)
    {
        long? target = null;
        // When each read model got there, for the log: which one was slow.
        var reached = new Dictionary<string, double>(StringComparer.Ordinal);
        while (Stopwatch.GetElapsedTime(faultEnd) < LagCap)
        {
            try
            {
                target ??= await db.HeadAsync(ct);
                var now = Stopwatch.GetElapsedTime(faultEnd).TotalSeconds;
                foreach (var (shard, position) in await db.PositionsAsync(ct))
                {
                    if (position >= target) reached.TryAdd(shard, now);
                }
                if (reached.Count == db.Shards.Length)
                {
                    Log.Line($"read models at event {target} (the log's head when the fault ended): " +
                             string.Join(", ", reached.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Key} {r.Value:0.00} s"))));
                    return now;
                }
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
            {
                // PostgreSQL is restarting or the pool's connections died with it: poll again.
            }
            await Task.Delay(50, ct);
        }
        Log.Line($"the read models had not reached event {target} {LagCap.TotalSeconds:0} s after the fault's end; there in time: {string.Join(", ", reached.Keys)}");
        return null;
    }

    /// <summary>Waits (bounded) until the read models have applied the whole log, after the load stopped, and says how it went.</summary>
    public async Task CaughtUpAsync(CancellationToken ct)
    {
        var head = await db.HeadAsync(ct);
        var started = Stopwatch.GetTimestamp();
        while (await db.ShardsAtAsync(head, ct) < db.Shards.Length)
        {
            if (Stopwatch.GetElapsedTime(started) > LagCap)
            {
                foreach (var s in await db.Admin.StatusAsync(ct: ct))
                {
                    Log.Line($"  {s.Name}: position {s.Position} of {s.Head}, state {s.State ?? "-"}, owner {s.Owner ?? "none"}{(s.PauseReason is { } r ? ", paused: " + r : "")}");
                }
                Log.Line($"the read models did not reach the end of the log ({head}) within {LagCap.TotalSeconds:0} s of the load's end");
                return;
            }
            await Task.Delay(50, ct);
        }
        Log.Line($"read models at the end of the log ({head} events) {Stopwatch.GetElapsedTime(started).TotalSeconds:0.00} s after the load stopped");
    }
}
