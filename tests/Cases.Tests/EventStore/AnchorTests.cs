using System.Text;
using CaseSystem.Cases.Renewal;
using CaseSystem.Cases.Store.HashChain;
using CaseSystem.Cases.Tests.Auth;
using CaseSystem.Cases.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace CaseSystem.Cases.Tests.EventStore;

/// <summary>
/// Issue 14, "a chain no one can rewrite": what the hash chain alone cannot see (a case's newest
/// events deleted with their links, a case rewritten with its links recomputed) is reported
/// against the signed anchors, naming the case; so is an anchor edited, replaced or removed.
/// Each test changes the store with plain SQL, as an intruder with the database would, and the
/// anchor log as one with the file would.
/// </summary>
public sealed class AnchorTests : IAsyncLifetime
{
    private readonly TestDatabase _db = new();
    private readonly TempFolder _folder = new();
    private readonly Guid[] _cases = [Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid()];
    private readonly Guid _sakuCase = Guid.NewGuid();
    private AnchorLedger _ledger = null!;
    private Anchorer _anchorer = null!;
    private ChainVerifier _chains = null!;

    private string LogPath => _folder.File("anchors", "anchors.jsonl");

    public async Task InitializeAsync()
    {
        await _db.InitializeAsync();
        _ledger = new AnchorLedger(new FileAnchorLog(LogPath), AnchorKey.LoadOrCreate(_folder.File("keys", "anchor-key.pem")));
        _anchorer = new Anchorer(_db.DataSource, _ledger, TimeProvider.System, NullLogger<Anchorer>.Instance);
        _chains = new ChainVerifier(_db.DataSource, _ledger);
        foreach (var c in _cases)
        {
            await _db.AppendAsync("kawasaki", c, [Samples.Opened()]);
            await _db.AppendAsync("kawasaki", c, [Samples.Arrived(3), Samples.Mismatch(2)]);
        }
        await _db.AppendAsync("saku", _sakuCase, [Samples.Opened(), Samples.Arrived(1)]);
    }

    public async Task DisposeAsync()
    {
        await _db.DisposeAsync();
        _folder.Dispose();
    }

    private Task<ChainVerification> VerifyKawasakiAsync() => _chains.VerifyAllAsync("kawasaki");

    private Task AppendAsync(Guid c, int ticket) => _db.AppendAsync("kawasaki", c, [Samples.Arrived(ticket)]);

    /// <summary>Rewrites the case's first event and recomputes every link of its chain in version order, so that the chain itself holds.</summary>
    private async Task RewriteWithRecomputedLinksAsync(Guid c)
    {
        await _db.ExecuteAsync("update cases.mt_events set data = jsonb_set(data, '{office}', '\"forged\"') where stream_id = $1 and version = 1", c);
        await _db.ExecuteAsync($$"""
            do $$
            declare r cases.mt_events; previous bytea;
            begin
                for r in select * from cases.mt_events where stream_id = '{{c}}' order by version loop
                    update cases.case_event_chain set hash = sha256(coalesce(previous, ''::bytea) || cases.case_event_canonical(r))
                    where stream_id = r.stream_id and version = r.version returning hash into previous;
                end loop;
            end $$
            """);
    }

    [Fact]
    public async Task A_clean_store_anchored_verifies_intact_and_says_what_the_anchor_covers()
    {
        var outcome = (await _anchorer.AnchorAsync(wait: true))!;
        Assert.Equal(1, outcome.Written);
        Assert.Equal(4, outcome.Heads.Count);
        var head = await _db.ScalarAsync<long>("select max(seq_id) from cases.mt_events");
        Assert.Equal(head, outcome.Last!.Through);

        var report = await VerifyKawasakiAsync();
        Assert.True(report.IsIntact, string.Join("; ", report.Breaks.Select(b => b.Reason).Concat(report.AnchorBreaks.Select(b => b.Reason))));
        Assert.Equal((true, 1L, (long?)1, (long?)head), (report.Anchors!.Configured, report.Anchors.Anchors, report.Anchors.LastAnchor, report.Anchors.AnchoredThrough));
        Assert.Contains("hash chain alone", report.Anchors.Note);

        // Nothing moved: nothing to sign.
        Assert.Equal(0, (await _anchorer.AnchorAsync(wait: true))!.Written);
        // Only what moved is signed anew.
        await AppendAsync(_cases[1], 9);
        var second = (await _anchorer.AnchorAsync(wait: true))!;
        Assert.Equal((1L, 2L), (second.Written, second.Last!.Number));
        Assert.Equal((_cases[1], 4L), (Assert.Single(second.Heads).Case, second.Heads[0].Version));
        Assert.True((await VerifyKawasakiAsync()).IsIntact);
    }

    [Fact]
    public async Task The_newest_event_deleted_with_its_link_is_a_truncation_naming_the_case()
    {
        await _anchorer.AnchorAsync(wait: true);
        await _db.ExecuteAsync("delete from cases.case_event_chain where stream_id = $1 and version = 3", _cases[1]);
        await _db.ExecuteAsync("delete from cases.mt_events where stream_id = $1 and version = 3", _cases[1]);
        await _db.ExecuteAsync("update cases.mt_streams set version = 2 where id = $1", _cases[1]);

        var report = await VerifyKawasakiAsync();
        // The chain alone holds: what is left is a shorter chain.
        Assert.Empty(report.Breaks);
        var cut = Assert.Single(report.AnchorBreaks);
        Assert.Equal((_cases[1], AnchorBreak.Truncation, 3L, 2L, 1L), (cut.StreamId, cut.Kind, cut.AnchoredVersion, cut.Version, cut.Anchor));
        Assert.Contains("newest events of the case were deleted", cut.Reason);
        Assert.False(report.IsIntact);
        Assert.Equal(cut, Assert.Single((await _chains.VerifyStreamAsync("kawasaki", _cases[1]))!.AnchorBreaks));
        Assert.True((await _chains.VerifyStreamAsync("kawasaki", _cases[0]))!.IsIntact);
    }

    [Fact]
    public async Task A_case_deleted_whole_is_a_truncation_to_nothing_also_for_its_own_check()
    {
        await _anchorer.AnchorAsync(wait: true);
        await _db.ExecuteAsync("delete from cases.case_event_chain where stream_id = $1", _cases[2]);
        await _db.ExecuteAsync("delete from cases.mt_events where stream_id = $1", _cases[2]);
        await _db.ExecuteAsync("delete from cases.mt_streams where id = $1", _cases[2]);

        var report = await VerifyKawasakiAsync();
        Assert.Empty(report.Breaks);
        var gone = Assert.Single(report.AnchorBreaks);
        Assert.Equal((_cases[2], AnchorBreak.Truncation, 3L, 0L), (gone.StreamId, gone.Kind, gone.AnchoredVersion, gone.Version));
        Assert.Contains("every event of the case was deleted", gone.Reason);
        Assert.Equal(gone, Assert.Single((await _chains.VerifyStreamAsync("kawasaki", _cases[2]))!.AnchorBreaks));
        // Another municipality neither sees it nor is told of it.
        Assert.Null(await _chains.VerifyStreamAsync("saku", _cases[2]));
        Assert.True((await _chains.VerifyAllAsync("saku")).IsIntact);
    }

    [Fact]
    public async Task A_whole_case_rewritten_with_its_links_recomputed_is_a_rewrite_naming_the_case()
    {
        await _anchorer.AnchorAsync(wait: true);
        await RewriteWithRecomputedLinksAsync(_cases[0]);

        var report = await VerifyKawasakiAsync();
        Assert.Empty(report.Breaks);
        var rewritten = Assert.Single(report.AnchorBreaks);
        Assert.Equal((_cases[0], AnchorBreak.Rewrite, 3L, 3L), (rewritten.StreamId, rewritten.Kind, rewritten.AnchoredVersion, rewritten.Version));
        Assert.Contains("the case was rewritten", rewritten.Reason);

        // The next anchoring does not bless the rewrite when the case moves on: its old head stays, and is still reported.
        await AppendAsync(_cases[0], 7);
        var next = (await _anchorer.AnchorAsync(wait: true))!;
        Assert.Equal(_cases[0], Assert.Single(next.Refused).Case);
        Assert.Empty(next.Heads);
        var still = Assert.Single((await VerifyKawasakiAsync()).AnchorBreaks);
        Assert.Equal((_cases[0], AnchorBreak.Rewrite, 3L, 4L), (still.StreamId, still.Kind, still.AnchoredVersion, still.Version));
    }

    [Fact]
    public async Task An_anchor_edited_in_the_log_is_reported_with_its_cases_and_the_earlier_anchor_still_catches_the_rewrite()
    {
        await _anchorer.AnchorAsync(wait: true);
        await AppendAsync(_cases[0], 7);
        await _anchorer.AnchorAsync(wait: true);
        // The intruder rewrites the case and puts its new head into the second anchor, which they cannot sign.
        await RewriteWithRecomputedLinksAsync(_cases[0]);
        var forged = Convert.ToHexStringLower(await _db.ScalarAsync<byte[]>("select hash from cases.case_event_chain where stream_id = $1 and version = 4", _cases[0]));
        var lines = await File.ReadAllLinesAsync(LogPath);
        lines[1] = System.Text.RegularExpressions.Regex.Replace(lines[1], "\"hash\":\"[0-9a-f]{64}\"", $"\"hash\":\"{forged}\"");
        await File.WriteAllLinesAsync(LogPath, lines);

        var report = await VerifyKawasakiAsync();
        var problem = Assert.Single(report.Anchors!.Problems);
        Assert.Equal((2L, (long?)2), (problem.Line, problem.Anchor));
        Assert.Contains("signature does not hold", problem.Reason);
        Assert.Equal([_cases[0]], problem.Cases);
        // Anchor #1 still holds the case at version 3, with the hash before the rewrite.
        var rewritten = Assert.Single(report.AnchorBreaks);
        Assert.Equal((_cases[0], AnchorBreak.Rewrite, 3L, 1L), (rewritten.StreamId, rewritten.Kind, rewritten.AnchoredVersion, rewritten.Anchor));
        // The forged line names no case of Saku: Saku's report lists none, but says the log is not to be trusted.
        var saku = await _chains.VerifyAllAsync("saku");
        Assert.Empty(Assert.Single(saku.Anchors!.Problems).Cases);
        Assert.False(saku.IsIntact);
    }

    [Fact]
    public async Task An_anchor_removed_or_replaced_by_a_copy_of_another_breaks_the_anchors_own_chain()
    {
        await _anchorer.AnchorAsync(wait: true);
        foreach (var ticket in (int[])[7, 8])
        {
            await AppendAsync(_cases[2], ticket);
            await _anchorer.AnchorAsync(wait: true);
        }
        var lines = await File.ReadAllLinesAsync(LogPath);
        Assert.Equal(3, lines.Length);

        await File.WriteAllLinesAsync(LogPath, [lines[0], lines[2]]);
        var removed = Assert.Single((await VerifyKawasakiAsync()).Anchors!.Problems);
        Assert.Equal((2L, (long?)3), (removed.Line, removed.Anchor));
        Assert.Contains("anchor #2 is missing", removed.Reason);
        // What the removed anchor named, nothing says; the anchors before it still hold each case at its head then.
        Assert.Empty(removed.Cases);

        await File.WriteAllLinesAsync(LogPath, [lines[0], lines[0], lines[2]]);
        var problems = (await VerifyKawasakiAsync()).Anchors!.Problems;
        Assert.Contains(problems, p => p.Line == 2 && p.Reason.Contains("repeats or goes back", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_anchor_signed_with_another_key_is_not_believed()
    {
        await _anchorer.AnchorAsync(wait: true);
        await AppendAsync(_cases[1], 5);
        using var folder = new TempFolder();
        var intruder = new AnchorLedger(new FileAnchorLog(LogPath), AnchorKey.LoadOrCreate(folder.File("other.pem")));
        await new Anchorer(_db.DataSource, intruder, TimeProvider.System, NullLogger<Anchorer>.Instance).AnchorAsync(wait: true);

        var report = await VerifyKawasakiAsync();
        var problem = Assert.Single(report.Anchors!.Problems);
        Assert.Equal(2L, problem.Line);
        Assert.Contains("signed by another key", problem.Reason);
        // The intruder's log knew no anchor of this key, so theirs signed every head anew: Kawasaki's three cases are named.
        Assert.Equal(_cases.ToHashSet(), problem.Cases.ToHashSet());
        Assert.Equal(1L, report.Anchors.Anchors);
    }

    [Fact]
    public async Task An_anchor_waits_for_appends_still_in_flight_below_its_mark()
    {
        // A transaction that holds a transaction id and has not committed: what an append is between taking its sequence number and committing.
        await using var conn = await _db.DataSource.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await using (var xid = new NpgsqlCommand("select pg_current_xact_id()", conn, tx)) await xid.ExecuteScalarAsync();

        var anchoring = _anchorer.AnchorAsync(wait: true);
        var until = DateTime.UtcNow.AddSeconds(20);
        while (await _db.ScalarAsync<long>("select count(*) from pg_stat_activity where query like '%pg_snapshot_xmin%' and query not like '%pg_stat_activity%'") == 0)
        {
            Assert.True(DateTime.UtcNow < until, "the anchorer never waited for the open transaction ");
            await Task.Delay(20);
        }
        Assert.False(anchoring.IsCompleted);
        await tx.CommitAsync();
        Assert.Equal(1, (await anchoring)!.Written);
    }

    [Fact]
    public async Task The_command_anchors_and_verifies_naming_the_case_and_fails_when_not_intact()
    {
        var environment = new Dictionary<string, string?>
        {
            ["CASES_DB"] = _db.ConnectionString,
            [AnchorOptions.KeyVariable] = _folder.File("keys", "anchor-key.pem"),
            [AnchorOptions.LogVariable] = LogPath,
        };
        async Task<(int Code, string Output)> RunAsync(params string[] args)
        {
            using var output = new StringWriter();
            using var error = new StringWriter();
            var code = await AnchorsCommand.RunAsync(args, name => environment.GetValueOrDefault(name), output, error);
            return (code, output + error.ToString());
        }

        Assert.Equal(2, (await RunAsync("verify", "--municipality", "osaka")).Code);
        var anchored = await RunAsync("anchor");
        Assert.Equal(0, anchored.Code);
        Assert.Contains("written=1 heads=4 last=#1", anchored.Output);
        var clean = await RunAsync("verify", "--municipality", "kawasaki");
        Assert.Equal((0, true), (clean.Code, clean.Output.StartsWith("intact kawasaki streams=3 events=9 anchors=1", StringComparison.Ordinal)));

        await _db.ExecuteAsync("delete from cases.case_event_chain where stream_id = $1 and version = 3", _cases[2]);
        await _db.ExecuteAsync("delete from cases.mt_events where stream_id = $1 and version = 3", _cases[2]);
        var broken = await RunAsync("verify");
        Assert.Equal(1, broken.Code);
        Assert.Contains($"truncation {_cases[2]} anchored=3 now=2 anchor=#1", broken.Output);
        Assert.Contains("NOT INTACT all", broken.Output);
        Assert.Contains("BEGIN PUBLIC KEY", (await RunAsync("public-key")).Output);
    }

    [Fact]
    public async Task The_key_is_made_once_mode_600_and_the_log_lines_are_signed_json()
    {
        var keyFile = _folder.File("keys", "anchor-key.pem");
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        Assert.Contains("BEGIN PRIVATE KEY", await File.ReadAllTextAsync(keyFile));
        using var again = AnchorKey.LoadOrCreate(keyFile);
        Assert.Equal(_ledger.Key!.Id, again.Id);
        using var verifierOnly = AnchorKey.FromPem(again.PublicKeyPem(), "public");
        Assert.False(verifierOnly.CanSign);

        await _anchorer.AnchorAsync(wait: true);
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(LogPath));
        var line = Assert.Single(await File.ReadAllLinesAsync(LogPath));
        var (body, signature) = AnchorRecord.Split(Encoding.UTF8.GetBytes(line))!.Value;
        Assert.True(verifierOnly.Verify(body, signature));
        var record = AnchorRecord.Parse(body)!;
        Assert.Equal((1L, (string?)null, _ledger.Key.Id, 4), (record.Number, record.Previous, record.Key, record.Heads.Count));
        Assert.Contains(record.Heads, h => h.Case == _sakuCase && h.Municipality == "saku" && h.Version == 2);
    }
}
