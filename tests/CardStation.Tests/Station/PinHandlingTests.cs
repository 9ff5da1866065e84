using CaseSystem.CardStation.Card;
using CaseSystem.CardStation.Station;

namespace CaseSystem.CardStation.Tests.Station;

/// <summary>The PIN: typed masked into a char array, sent to the card only, wiped after; never in the database.</summary>
public sealed class PinHandlingTests : IAsyncLifetime
{
    private static readonly DateOnly Expiry = new(2026, 6, 15);
    private readonly StationHarness _h = new();

    public Task InitializeAsync() => _h.InitializeAsync();

    public Task DisposeAsync() => _h.DisposeAsync();

    private static Func<ConsoleKeyInfo> Keys(params ConsoleKeyInfo[] keys)
    {
        var queue = new Queue<ConsoleKeyInfo>(keys);
        return queue.Dequeue;
    }

    private static ConsoleKeyInfo Key(char c) => new(c, c is >= '0' and <= '9' ? ConsoleKey.D0 + (c - '0') : ConsoleKey.A + (char.ToUpperInvariant(c) - 'A'), false, false, false);
    private static readonly ConsoleKeyInfo Enter = new('\r', ConsoleKey.Enter, false, false, false);
    private static readonly ConsoleKeyInfo Backspace = new('\b', ConsoleKey.Backspace, false, false, false);
    private static readonly ConsoleKeyInfo Escape = new('\u001b', ConsoleKey.Escape, false, false, false);

    [Fact]
    public void The_PIN_is_read_key_by_key_masked_with_backspace_and_digits_only_for_the_user_PIN()
    {
        using var pin = new PinBuffer();
        var screen = new StringWriter();
        Assert.True(PinEntry.Read(Keys(Key('1'), Key('2'), Key('x'), Key('9'), Backspace, Key('3'), Key('4'), Enter), screen, pin, PinKind.UserAuthentication));
        Assert.Equal("1234", new string(pin.Span));
        Assert.DoesNotContain("1", screen.ToString());
        Assert.StartsWith("***", screen.ToString());
        Assert.Equal('\0', pin.Chars[4]);

        using var signing = new PinBuffer();
        Assert.True(PinEntry.Read(Keys(Key('a'), Key('b'), Key('7'), Enter), new StringWriter(), signing, PinKind.Signing));
        Assert.Equal("AB7", new string(signing.Span));
        Assert.False(PinEntry.Read(Keys(Key('c'), Escape), new StringWriter(), signing, PinKind.Signing));
        Assert.All(signing.Chars, c => Assert.Equal('\0', c));
    }

    [Fact]
    public async Task The_PIN_chars_are_cleared_after_the_check_and_when_the_card_fails_during_it()
    {
        var path = await _h.NoticeAsync("N-6001");
        var card = new FakeCard("0A1B", Expiry);
        var station = _h.Station(new FakeTerminal(card));
        station.ReadCard();
        await station.AttachAsync(Guid.Parse(path.Split('/')[^1]));
        await _h.HolderVisitsAsync(station.CaseId!.Value);

        var pin = new PinBuffer();
        foreach (var c in "1234") pin.TryAdd(c);
        var chars = pin.Chars;
        await station.CheckPinAsync(PinKind.UserAuthentication, pin);
        Assert.Equal([4], card.PinLengthsSeen);
        Assert.All(chars, c => Assert.Equal('\0', c));
        Assert.Equal(0, pin.Length);

        card.Removed = true;
        foreach (var c in "1234") pin.TryAdd(c);
        var removed = await Assert.ThrowsAsync<CardException>(() => station.CheckPinAsync(PinKind.UserAuthentication, pin));
        Assert.Equal(CardErrorKind.NoCard, removed.Kind);
        Assert.All(chars, c => Assert.Equal('\0', c));
    }

    [Fact]
    public async Task No_table_of_the_database_holds_the_PIN_used()
    {
        const string SigningPin = "QZX9PIN7";
        var path = await _h.NoticeAsync("N-6002");
        var card = new FakeCard("0A1B", Expiry, userPin: "8642", signingPin: SigningPin);
        var station = _h.Station(new FakeTerminal(card));
        station.ReadCard();
        await station.AttachAsync(Guid.Parse(path.Split('/')[^1]));
        await _h.HolderVisitsAsync(station.CaseId!.Value);
        foreach (var typed in new[] { "QZX9PIN8", SigningPin })
        {
            using var pin = new PinBuffer();
            foreach (var c in typed) pin.TryAdd(c);
            await station.CheckPinAsync(PinKind.Signing, pin);
        }
        await _h.CaughtUpAsync();
        Assert.Equal(2, (await _h.EventsAsync(station.CaseId.Value)).Count(e => e.Type is "PinMatched" or "PinMismatchRecorded"));

        var tables = new List<string>();
        await using (var cmd = _h.Db.DataSource.CreateCommand("""
            select format('%I.%I', table_schema, table_name) from information_schema.tables
            where table_schema not in ('pg_catalog', 'information_schema') and table_type in ('BASE TABLE', 'VIEW')
            """))
        await using (var r = await cmd.ExecuteReaderAsync())
        {
            while (await r.ReadAsync()) tables.Add(r.GetString(0));
        }
        Assert.Contains("cases.mt_events", tables);
        Assert.Contains("cases.wolverine_deduplicated_responses", tables);
        foreach (var table in tables)
        {
            var hits = await _h.Db.ScalarAsync<long>($"select count(*) from {table} t where strpos(t::text, 'QZX9PIN') > 0");
            Assert.True(hits == 0, $"{table} holds the PIN");
        }
    }
}
