using CaseSystem.Cases.EventStore;
using CaseSystem.Cases.Renewal;
using CaseSystem.Cases.Tests.Support;

namespace CaseSystem.Cases.Tests.EventStore;

/// <summary>Each test changes the stored log with plain SQL, as an intruder or a careless fix would.</summary>
public sealed class TamperEvidenceTests : IAsyncLifetime
{
    private readonly TestDatabase _db = new();
    private TenantEventStore _store = null!;
    private readonly Guid[] _streams = [Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid()];

    public async Task InitializeAsync()
    {
        await _db.InitializeAsync();
        _store = _db.CreateStore().For("kawasaki");
        foreach (var s in _streams)
        {
            await _store.AppendAsync(s, ExpectedVersion.NoStream, [Samples.Opened()], new EventMetadata("clerk-1", "川崎区役所", IdempotencyKey: "open-" + s));
            await _store.AppendAsync(s, ExpectedVersion.Exactly(1), [Samples.Arrived(3), Samples.Mismatch(2)], new EventMetadata("clerk-2", "マイナンバーカードセンター"));
            await _store.AppendAsync(s, ExpectedVersion.Exactly(3), [new RenewalEvent.CertificatesRenewed([Certificate.UserAuthentication, Certificate.Signing], new DateOnly(2031, 2, 28), 0, Samples.At)]);
        }
        // Every character the canonical form has to escape, in metadata as well as in data.
        const string awkward = "窓口 \"A\" \\ / é\n\t\r\b\f\u0001\u001f";
        await _db.CreateStore().For("saku").AppendAsync(Guid.NewGuid(), ExpectedVersion.NoStream,
            [new RenewalEvent.IdentityRefused(1, awkward, awkward, Samples.At)], new EventMetadata(awkward, awkward, Command: awkward, IdempotencyKey: awkward));
    }

    public Task DisposeAsync() => _db.DisposeAsync();

    private Task<long> SeqOf(Guid stream, int version) =>
        _db.ScalarAsync<long>("select seq_id from event_store.events where stream_id = $1 and version = $2", stream, (long)version);

    [Fact]
    public async Task An_untouched_store_verifies_clean()
    {
        var all = await _store.VerifyAllAsync();
        Assert.True(all.IsIntact, string.Join("; ", all.Breaks));
        Assert.Equal(3, all.StreamsChecked);
        Assert.Equal(12, all.EventsChecked);
        var everything = await _db.CreateStore().VerifyAllAsync();
        Assert.True(everything.IsIntact);
        Assert.Equal(4, everything.StreamsChecked);
    }

    [Fact]
    public async Task Changed_data_names_the_event()
    {
        var seq = await SeqOf(_streams[1], 3);
        await _db.ExecuteAsync("update event_store.events set data = jsonb_set(data, '{triesLeft}', '3') where seq_id = $1", seq);

        var result = await _store.VerifyAllAsync();
        var broken = Assert.Single(result.Breaks);
        Assert.Equal((_streams[1], 3L, (long?)seq), (broken.StreamId, broken.Version, broken.Sequence));
        Assert.Contains("no longer matches", broken.Reason);
        Assert.Equal(broken, (await _store.VerifyStreamAsync(_streams[1])).FirstBreak);
        Assert.True((await _store.VerifyStreamAsync(_streams[0])).IsIntact);
    }

    [Theory]
    [InlineData("actor_id = 'clerk-9'")]
    [InlineData("actor_office = '別の窓口'")]
    [InlineData("recorded_at = recorded_at - interval '1 day'")]
    [InlineData("type = 'PinMatched'")]
    [InlineData("idempotency_key = 'forged'")]
    [InlineData("command = 'Forged'")]
    public async Task Changed_metadata_names_the_event(string change)
    {
        var seq = await SeqOf(_streams[2], 2);
        await _db.ExecuteAsync($"update event_store.events set {change} where seq_id = $1", seq);

        var broken = Assert.Single((await _store.VerifyAllAsync()).Breaks);
        Assert.Equal((_streams[2], 2L, (long?)seq), (broken.StreamId, broken.Version, broken.Sequence));
    }

    [Fact]
    public async Task A_rewritten_hash_breaks_the_chain_at_the_next_event()
    {
        var seq = await SeqOf(_streams[0], 2);
        // An intruder who recomputes the changed event's own hash still breaks its successor's link.
        await _db.ExecuteAsync(
            """
            update event_store.events e set data = jsonb_set(e.data, '{ticketNumber}', '"A-999"'),
              hash = sha256(p.hash || event_store.canonical_form(e.seq_id, e.stream_id, e.version, e.municipality, e.type,
                 jsonb_set(e.data, '{ticketNumber}', '"A-999"'), e.actor_id, e.actor_office, e.correlation_id, e.causation_id,
                 e.idempotency_key, e.command, e.recorded_at))
            from event_store.events p
            where e.seq_id = $1 and p.stream_id = e.stream_id and p.version = e.version - 1
            """, seq);

        var broken = Assert.Single((await _store.VerifyAllAsync()).Breaks);
        Assert.Equal((_streams[0], 3L), (broken.StreamId, broken.Version));
    }

    [Fact]
    public async Task A_deleted_event_is_named_as_missing()
    {
        await _db.ExecuteAsync("delete from event_store.events where seq_id = $1", await SeqOf(_streams[1], 2));
        var broken = Assert.Single((await _store.VerifyAllAsync()).Breaks);
        Assert.Equal((_streams[1], 2L), (broken.StreamId, broken.Version));
        Assert.Contains("missing", broken.Reason);
    }

    [Fact]
    public async Task An_event_whose_stream_record_was_deleted_is_named()
    {
        await _db.ExecuteAsync("delete from event_store.streams where id = $1", _streams[2]);
        var broken = Assert.Single((await _store.VerifyAllAsync()).Breaks);
        Assert.Equal((_streams[2], 1L, (long?)await SeqOf(_streams[2], 1)), (broken.StreamId, broken.Version, broken.Sequence));
        Assert.Contains("no record", broken.Reason);
    }

    [Fact]
    public async Task A_stream_emptied_of_its_events_is_named()
    {
        await _db.ExecuteAsync("delete from event_store.events where stream_id = $1", _streams[1]);
        var broken = Assert.Single((await _store.VerifyAllAsync()).Breaks);
        Assert.Equal((_streams[1], 1L), (broken.StreamId, broken.Version));
        Assert.Equal(broken, (await _store.VerifyStreamAsync(_streams[1])).FirstBreak);
    }

    [Fact]
    public async Task An_event_moved_to_another_municipality_is_named()
    {
        var seq = await SeqOf(_streams[0], 1);
        await _db.ExecuteAsync("update event_store.events set municipality = 'saku' where seq_id = $1", seq);
        var broken = Assert.Single((await _store.VerifyAllAsync()).Breaks);
        Assert.Equal((_streams[0], 1L, (long?)seq), (broken.StreamId, broken.Version, broken.Sequence));
    }

    [Fact]
    public async Task The_verifier_rebuilds_the_same_bytes_the_database_hashed()
    {
        // The C# canonical form must equal the SQL one for every stored event, Japanese text included.
        await using var cmd = _db.DataSource.CreateCommand(
            "select seq_id, stream_id, version, municipality, type, data::text, actor_id, actor_office, correlation_id, causation_id, " +
            "idempotency_key, command, recorded_at, hash, event_store.canonical_form(seq_id, stream_id, version, municipality, type, data, " +
            "actor_id, actor_office, correlation_id, causation_id, idempotency_key, command, recorded_at) from event_store.events");
        await using var reader = await cmd.ExecuteReaderAsync();
        var count = 0;
        while (await reader.ReadAsync())
        {
            var raw = new RawEvent(reader.GetInt64(0), reader.GetGuid(1), reader.GetInt64(2), reader.GetString(3), reader.GetString(4),
                reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetString(7),
                reader.IsDBNull(8) ? null : reader.GetGuid(8), reader.IsDBNull(9) ? null : reader.GetGuid(9),
                reader.IsDBNull(10) ? null : reader.GetString(10), reader.IsDBNull(11) ? null : reader.GetString(11),
                reader.GetDateTime(12), (byte[])reader[13]);
            Assert.Equal((byte[])reader[14], HashChain.CanonicalForm(raw));
            count++;
        }
        Assert.Equal(13, count);
    }
}
