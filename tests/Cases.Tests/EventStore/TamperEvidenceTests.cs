using CaseSystem.Cases.Renewal;
using CaseSystem.Cases.Store.HashChain;
using CaseSystem.Cases.Tests.Support;

namespace CaseSystem.Cases.Tests.EventStore;

/// <summary>Each test changes Marten's stored log with plain SQL, as an intruder or a careless fix would.</summary>
public sealed class TamperEvidenceTests : IAsyncLifetime
{
    private readonly TestDatabase _db = new();
    private ChainVerifier _chains = null!;
    private readonly Guid[] _streams = [Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid()];

    public async Task InitializeAsync()
    {
        await _db.InitializeAsync();
        _chains = new ChainVerifier(_db.DataSource);
        foreach (var s in _streams)
        {
            await _db.AppendAsync("kawasaki", s, [Samples.Opened()], "clerk-1", "川崎区役所", "OpenCaseAtCounter");
            await _db.AppendAsync("kawasaki", s, [Samples.Arrived(3), Samples.Mismatch(2)], "clerk-2", "マイナンバーカードセンター", "RecordArrival");
            await _db.AppendAsync("kawasaki", s, [new RenewalEvent.CertificatesRenewed([Certificate.UserAuthentication, Certificate.Signing], new DateOnly(2031, 2, 28), 0, Samples.At)]);
        }
        // Every character the canonical form has to escape, in metadata as well as in data.
        const string awkward = "窓口 \"A\" \\ / é\n\t\r\b\f\u0001\u001f";
        await _db.AppendAsync("saku", Guid.NewGuid(), [new RenewalEvent.IdentityRefused(1, awkward, awkward, Samples.At)], awkward, awkward, awkward);
    }

    public Task DisposeAsync() => _db.DisposeAsync();

    private Task<long> SeqOf(Guid stream, int version) =>
        _db.ScalarAsync<long>("select seq_id from cases.mt_events where stream_id = $1 and version = $2", stream, (long)version);

    private Task<ChainVerification> VerifyKawasakiAsync() => _chains.VerifyAllAsync("kawasaki");

    [Fact]
    public async Task An_untouched_store_verifies_clean()
    {
        var all = await VerifyKawasakiAsync();
        Assert.True(all.IsIntact, string.Join("; ", all.Breaks));
        Assert.Equal(3, all.StreamsChecked);
        Assert.Equal(12, all.EventsChecked);
        var everything = await _chains.VerifyAllAsync();
        Assert.True(everything.IsIntact);
        Assert.Equal(4, everything.StreamsChecked);
    }

    [Fact]
    public async Task Changed_data_names_the_event()
    {
        var seq = await SeqOf(_streams[1], 3);
        await _db.ExecuteAsync("update cases.mt_events set data = jsonb_set(data, '{triesLeft}', '3') where seq_id = $1", seq);

        var result = await VerifyKawasakiAsync();
        var broken = Assert.Single(result.Breaks);
        Assert.Equal((_streams[1], 3L, (long?)seq), (broken.StreamId, broken.Version, broken.Sequence));
        Assert.Contains("no longer matches", broken.Reason);
        Assert.Equal(broken, (await _chains.VerifyStreamAsync("kawasaki", _streams[1]))!.FirstBreak);
        Assert.True((await _chains.VerifyStreamAsync("kawasaki", _streams[0]))!.IsIntact);
    }

    [Theory]
    [InlineData("user_name = 'clerk-9'")]
    [InlineData("headers = jsonb_set(headers, '{office}', '\"別の窓口\"')")]
    [InlineData("headers = jsonb_set(headers, '{command}', '\"Forged\"')")]
    [InlineData("timestamp = timestamp - interval '1 day'")]
    [InlineData("type = 'PinMatched'")]
    [InlineData("correlation_id = 'forged'")]
    [InlineData("id = gen_random_uuid()")]
    public async Task Changed_metadata_names_the_event(string change)
    {
        var seq = await SeqOf(_streams[2], 2);
        await _db.ExecuteAsync($"update cases.mt_events set {change} where seq_id = $1", seq);

        var broken = Assert.Single((await VerifyKawasakiAsync()).Breaks);
        Assert.Equal((_streams[2], 2L, (long?)seq), (broken.StreamId, broken.Version, broken.Sequence));
    }

    [Fact]
    public async Task A_rewritten_link_breaks_the_chain_at_the_next_event()
    {
        var seq = await SeqOf(_streams[0], 2);
        // An intruder who recomputes the changed event's own link still breaks its successor's.
        await _db.ExecuteAsync("update cases.mt_events set data = jsonb_set(data, '{ticketNumber}', '\"A-999\"') where seq_id = $1", seq);
        await _db.ExecuteAsync(
            """
            update cases.case_event_chain c set hash = sha256(p.hash || cases.case_event_canonical(e))
            from cases.mt_events e, cases.case_event_chain p
            where e.seq_id = $1 and c.stream_id = e.stream_id and c.version = e.version
              and p.stream_id = e.stream_id and p.version = e.version - 1
            """, seq);

        var broken = Assert.Single((await VerifyKawasakiAsync()).Breaks);
        Assert.Equal((_streams[0], 3L), (broken.StreamId, broken.Version));
    }

    [Fact]
    public async Task A_deleted_event_is_named_as_missing()
    {
        await _db.ExecuteAsync("delete from cases.mt_events where seq_id = $1", await SeqOf(_streams[1], 2));
        var broken = Assert.Single((await VerifyKawasakiAsync()).Breaks);
        Assert.Equal((_streams[1], 2L), (broken.StreamId, broken.Version));
        Assert.Contains("missing", broken.Reason);
    }

    [Fact]
    public async Task An_event_deleted_with_its_link_is_named_as_missing()
    {
        await _db.ExecuteAsync("delete from cases.case_event_chain where stream_id = $1 and version = 2", _streams[1]);
        await _db.ExecuteAsync("delete from cases.mt_events where seq_id = $1", await SeqOf(_streams[1], 2));
        var broken = Assert.Single((await VerifyKawasakiAsync()).Breaks);
        Assert.Equal((_streams[1], 2L), (broken.StreamId, broken.Version));
        Assert.Contains("missing", broken.Reason);
    }

    [Fact]
    public async Task An_event_inserted_around_the_chain_is_named()
    {
        // Written with the trigger disabled: the event has no link.
        var seq = await SeqOf(_streams[0], 3);
        await _db.ExecuteAsync("delete from cases.case_event_chain where stream_id = $1 and version = 3", _streams[0]);
        var broken = Assert.Single((await VerifyKawasakiAsync()).Breaks);
        Assert.Equal((_streams[0], 3L, (long?)seq), (broken.StreamId, broken.Version, broken.Sequence));
        Assert.Contains("no link", broken.Reason);
    }

    [Fact]
    public async Task An_event_whose_stream_record_was_deleted_is_named()
    {
        // Marten's foreign key from events to their stream holds this back, unless its triggers are off, as a superuser can set.
        await _db.ExecuteAroundTriggersAsync(("delete from cases.mt_streams where id = $1", [_streams[2]]));
        var broken = Assert.Single((await VerifyKawasakiAsync()).Breaks);
        Assert.Equal((_streams[2], 1L, (long?)await SeqOf(_streams[2], 1)), (broken.StreamId, broken.Version, broken.Sequence));
        Assert.Contains("no record", broken.Reason);
    }

    [Fact]
    public async Task A_stream_emptied_of_its_events_and_links_is_named()
    {
        await _db.ExecuteAsync("delete from cases.mt_events where stream_id = $1", _streams[1]);
        await _db.ExecuteAsync("delete from cases.case_event_chain where stream_id = $1", _streams[1]);
        var broken = Assert.Single((await VerifyKawasakiAsync()).Breaks);
        Assert.Equal((_streams[1], 1L), (broken.StreamId, broken.Version));
        Assert.Equal(broken, (await _chains.VerifyStreamAsync("kawasaki", _streams[1]))!.FirstBreak);
    }

    [Fact]
    public async Task An_event_moved_to_another_municipality_is_named()
    {
        var seq = await SeqOf(_streams[0], 1);
        await _db.ExecuteAroundTriggersAsync(("update cases.mt_events set tenant_id = 'saku' where seq_id = $1", [seq]));
        var broken = Assert.Single((await VerifyKawasakiAsync()).Breaks);
        Assert.Equal((_streams[0], 1L, (long?)seq), (broken.StreamId, broken.Version, broken.Sequence));
        Assert.Contains("municipality", broken.Reason);
    }

    [Fact]
    public async Task A_whole_case_moved_to_another_municipality_is_named()
    {
        await _db.ExecuteAroundTriggersAsync(
            ("update cases.mt_streams set tenant_id = 'saku' where id = $1", [_streams[0]]),
            ("update cases.mt_events set tenant_id = 'saku' where stream_id = $1", [_streams[0]]));
        var broken = Assert.Single((await _chains.VerifyAllAsync("saku")).Breaks);
        Assert.Equal((_streams[0], 1L), (broken.StreamId, broken.Version));
        Assert.Contains("municipality", broken.Reason);
        Assert.True((await VerifyKawasakiAsync()).IsIntact);
    }

    [Fact]
    public async Task The_verifier_rebuilds_the_same_bytes_the_database_hashed()
    {
        // The C# canonical form must equal the SQL one for every stored event, Japanese text and escapes included.
        await using var cmd = _db.DataSource.CreateCommand(
            "select e.seq_id, e.id, e.stream_id, e.version, e.tenant_id, e.type, e.user_name, e.correlation_id, e.causation_id, e.timestamp, " +
            "e.headers::text, e.data::text, cases.case_event_canonical(e) from cases.mt_events e");
        await using var reader = await cmd.ExecuteReaderAsync();
        var count = 0;
        while (await reader.ReadAsync())
        {
            string? Text(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
            var row = new StoredEventRow(reader.GetInt64(0), reader.GetGuid(1), reader.GetGuid(2), reader.GetInt64(3), reader.GetString(4),
                reader.GetString(5), Text(6), Text(7), Text(8), reader.GetDateTime(9), Text(10), reader.GetString(11));
            Assert.Equal((byte[])reader[12], CanonicalForm.Of(row));
            count++;
        }
        Assert.Equal(13, count);
    }
}
