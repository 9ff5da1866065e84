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

    private static readonly DateTimeOffset At = new(2026, 3, 16, 10, 5, 30, TimeSpan.FromHours(9));
    private static readonly Holder Holder = new("佐藤 一郎", "サトウ イチロウ", new DateOnly(1990, 4, 1), "大阪府高槻市桃園町2番1号");

    public static IEnumerable<object[]> Examples() => new RenewalEvent[]
    {
        new ExpiryNoticeSent("N-2026-000123", Holder, new CertificateDates(new DateOnly(2026, 6, 15), new DateOnly(2026, 6, 15)), "JLIS-2026-03", At),
        new CaseOpenedAtCounter(Holder, new CertificateDates(new DateOnly(2026, 5, 31), null), "市民課", At),
        new RenewalWindowOpened(new DateOnly(2026, 3, 1), At),
        new ReservationMade("マイナンバーカードセンター", At.AddDays(3), At),
        new ArrivedAtOffice("市民課", "A-042", At),
        new CalledToCounter("市民課", "3番窓口", "clerk-12", At),
        new CardRead("station-1", "0A1B2C3D", new DateOnly(2026, 6, 15), 3, 5, At),
        new VisitStarted(1, "市民課", WhoCame.AppointedProxy,
            [new ShownDocument("driving-licence", DocumentList.A, DocumentOwner.Representative, null, new DateOnly(2028, 5, 1)),
             new ShownDocument("letter-of-attorney", DocumentList.LetterOfAttorney, DocumentOwner.Holder, new DateOnly(2026, 3, 10), null)],
            ReplyForm.Missing, false, At),
        new IdentityAccepted(1, "proxy-a1", At),
        new IdentityRefused(1, "proxy-reply-form-sealed", "照会書兼回答書が封入されていません", At),
        new PinMatched(Certificate.Signing, At),
        new PinMismatchRecorded(Certificate.UserAuthentication, 2, At),
        new PinLocked(Certificate.UserAuthentication, At),
        new PinReset([Certificate.UserAuthentication, Certificate.Signing], At),
        new DocumentInquiryMailed("reply-form-missing", "大阪府高槻市桃園町2番1号", new DateOnly(2026, 3, 16), new DateOnly(2026, 4, 15), At),
        new InquiryReplyReceived(2, At),
        new InquiryOverdue(new DateOnly(2026, 4, 15), At),
        new CertificatesRenewed([Certificate.UserAuthentication, Certificate.Signing], new DateOnly(2031, 4, 1), 0, At),
        new CertificatesIssued([Certificate.UserAuthentication], new DateOnly(2031, 4, 1), 200, At, OnReissuedCard: true),
        new VisitEnded(1, VisitOutcome.MustReturn, At),
        new CertificateLapsed(Certificate.Signing, new DateOnly(2026, 6, 15), At),
        new RegistryChangeReported(RegistryChange.Address, At),
        new RegistryChangeCompleted(RegistryChange.Address, At),
        new CaseClosed(CaseClosure.Renewed, At),
    }.Select(e => new object[] { e });

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
