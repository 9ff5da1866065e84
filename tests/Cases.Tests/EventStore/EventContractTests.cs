using System.Text.Encodings.Web;
using System.Text.Json;
using CaseSystem.Cases.Renewal;
using CaseSystem.Cases.Store;
using CaseSystem.Cases.Tests.Support;
using Marten;
using static CaseSystem.Cases.Renewal.RenewalEvent;

namespace CaseSystem.Cases.Tests.EventStore;

/// <summary>
/// Freezes the stored JSON of every registered event type: a change to an event's shape shows
/// up as a snapshot diff to review, not as old events that silently stop reading back.
/// </summary>
public sealed class EventContractTests(TestDatabase db) : IClassFixture<TestDatabase>
{

    public static IEnumerable<object[]> Examples() => EventExamples.All.Select(e => new object[] { e });

    [Fact]
    public void Every_registered_event_type_has_an_example()
    {
        var registered = RenewalEvent.Types.Select(t => t.Name).Order();
        var examples = Examples().Select(e => e[0].GetType().Name).Order();
        Assert.Equal(registered, examples);
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public async Task Every_event_type_round_trips_through_the_store_as_frozen(RenewalEvent example)
    {
        var stream = Guid.NewGuid();
        await db.AppendAsync("takatsuki", stream, [example]);

        var read = Assert.Single(await db.EventsAsync("takatsuki", stream));
        Assert.Equal(example.GetType(), read.Data.GetType());
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(example, example.GetType(), CaseStore.EventJson), System.Text.Json.JsonSerializer.Serialize(read.Data, read.Data.GetType(), CaseStore.EventJson));

        // The stored contract: Marten's type name and its jsonb, as written by the server's configuration.
        var type = await db.ScalarAsync<string>("select type from cases.mt_events where stream_id = $1", stream);
        Assert.Equal(example.GetType().Name, type);
        var stored = await db.ScalarAsync<string>("select data::text from cases.mt_events where stream_id = $1", stream);
        var snapshot = new { type, data = JsonDocument.Parse(stored).RootElement };
        Snapshot.Match(type, JsonSerializer.Serialize(snapshot, new JsonSerializerOptions
        {
            WriteIndented = true,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        }));
    }

    [Fact]
    public void An_issuance_stored_before_OnReissuedCard_existed_reads_as_not_on_a_reissued_card()
    {
        var old = """{"at": "2026-03-16T10:05:30+09:00", "feeYen": 0, "newExpiry": "2031-04-01", "certificates": ["UserAuthentication"]}""";
        var read = Assert.IsType<CertificatesIssued>(db.Store.Options.Serializer().FromJson(typeof(CertificatesIssued), new MemoryStream(System.Text.Encoding.UTF8.GetBytes(old))));
        Assert.False(read.OnReissuedCard);
        Assert.Equal(new DateOnly(2031, 4, 1), read.NewExpiry);
    }
}
