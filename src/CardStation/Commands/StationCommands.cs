using CaseSystem.CardStation.Card;
using CaseSystem.CardStation.Outbox;
using CaseSystem.CardStation.Server;
using CaseSystem.CardStation.Station;
using CaseSystem.CardStation.Tui;

namespace CaseSystem.CardStation.Commands;

/// <summary>
/// <c>cardstation</c> (or <c>cardstation tui</c>): the counter screen. For scripts, one JSON
/// object per line on stdout: <c>readers</c>, <c>read</c>, <c>watch</c>, <c>find</c>, <c>attach</c>,
/// <c>open</c>, <c>pin</c>, <c>reread</c>, <c>outbox</c>, <c>send</c>. An error is
/// <c>{"error": kind, "message": …}</c> on stdout, its one line on stderr, and exit code 1 (2 for usage:
/// an unknown verb or option, a missing or unreadable value). The words are parsed by
/// <see cref="StationCommandLine"/>; the verbs are run here, in one place, so that every one of them
/// ends in the same JSON line and exit code.
/// </summary>
public static class StationCommands
{
    public const string Usage = """
        使い方 / usage: cardstation [tui | readers | read | watch | find | attach | open | pin | reread | outbox | send] [--option value]…
          readers                          カードリーダーの一覧 / list readers
          read [--reader R]                カードを読む / read the card (no PIN)
          watch                            リーダーとカードの出入りを1行1イベントで / reader and card events, one per line
          find --notice N | --name X | --birth-date YYYY-MM-DD
          attach (--case ID | --notice N | --name X | --birth-date D) [--reader R]
          open --name-kanji X --name-kana X --birth-date D --address X [--signing-expiry D|none] [--reader R]
          pin --case ID --kind user|signing [--reader R]   暗証番号は伏せ字で入力 / PIN typed masked
          reread --case ID [--reader R]    J-LIS端末で更新後の再読取り / re-read after the renewal
          outbox | send                    未送信の一覧 / 送信 — pending list / send now
          help | --help | -h               この説明 / this text
        設定 / settings: --server URL --municipality M --station-id S --office O --data DIR --token-file F
          or CARDSTATION_SERVER, CARDSTATION_MUNICIPALITY, CARDSTATION_STATION_ID, CARDSTATION_OFFICE,
             CARDSTATION_DATA, CARDSTATION_TOKEN (or CARDSTATION_TOKEN_FILE)
        """;

    public static async Task<int> RunAsync(IReadOnlyList<string> args, StationIo io, Func<ICardTerminal> terminals)
    {
        try
        {
            var parsed = StationArgs.Parse(args);
            if (parsed.Verb == "help")
            {
                io.Out.WriteLine(Usage);
                return 0;
            }
            return parsed.Verb switch
            {
                "readers" => WithTerminal(terminals, io, t => Print(io, new { readers = t.ListReaders() })),
                "read" => WithTerminal(terminals, io, t => Print(io, ReadJson(Read(t, parsed.Value("reader"))))),
                "watch" => await WatchAsync(terminals, io),
                "tui" => await WithSessionAsync(parsed, io, terminals, (s, terminal) => new CounterScreen(s, io, StatusView.LiveConsole(io)).RunAsync(terminal)),
                "find" or "attach" or "open" or "pin" or "reread" or "outbox" or "send" =>
                    await WithSessionAsync(parsed, io, terminals, (s, _) => ScriptAsync(parsed, s, io)),
                _ => throw StationArgs.Usage($"知らないコマンドです: {parsed.Verb}", $"unknown command: {parsed.Verb}"),
            };
        }
        catch (CardException e)
        {
            return Fail(io, e.Kind.ToString(), e.Message, 1);
        }
        catch (StationException e)
        {
            return Fail(io, e.Kind, e.Message, e.Kind == "Usage" ? 2 : 1);
        }
    }

    private static async Task<int> ScriptAsync(StationArgs args, CounterSession session, StationIo io)
    {
        var ct = io.Cancel;
        switch (args.Verb)
        {
            case "find":
                return Print(io, new { cases = await session.FindAsync(Query(args), ct) });
            case "attach":
                session.ReadCard(args.Value("reader"));
                var attached = args.Value("case") is { } id
                    ? await session.AttachAsync(CaseIdOf(id), ct)
                    : await session.AttachFoundAsync(Query(args), ct);
                return Print(io, RecordedJson(attached, session.Reading));
            case "open":
                session.ReadCard(args.Value("reader"));
                return Print(io, RecordedJson(await session.OpenCaseAsync(Holder(args, session.Reading!), ct), session.Reading));
            case "pin":
                return await PinAsync(args, session, io);
            case "reread":
                session.Resume(CaseIdOf(Required(args, "case")));
                var reread = await session.ReReadAfterRenewalAsync(ct);
                return Print(io, RecordedJson(reread, session.Reading));
            case "outbox":
                return Print(io, new { pending = session.Outbox.Pending.Select(PendingJson), setAside = session.Outbox.SetAside });
            default:
                var report = await session.SendPendingAsync(ct);
                Print(io, OutboxJson(report));
                return report.Pending == 0 ? 0 : 1;
        }
    }

    private static async Task<int> PinAsync(StationArgs args, CounterSession session, StationIo io)
    {
        var kind = Required(args, "kind") switch
        {
            "user" or "user-authentication" => PinKind.UserAuthentication,
            "signing" => PinKind.Signing,
            var other => throw StationArgs.Usage($"--kind は user か signing です: {other}", $"--kind is user or signing: {other}"),
        };
        session.ReadCard(args.Value("reader"));
        await session.CheckAndAttachAsync(CaseIdOf(Required(args, "case")), io.Cancel);
        using var pin = new PinBuffer();
        io.Error.Write($"{CounterSession.NameJa(kind)}の暗証番号 / PIN: ");
        if (!PinEntry.Read(io.ReadKey, io.Error, pin, kind))
        {
            throw new StationException("Cancelled", "暗証番号の入力を取り消しました", "PIN entry cancelled");
        }
        var checkedPin = await session.CheckPinAsync(kind, pin, io.Cancel);
        return Print(io, new
        {
            caseId = checkedPin.Recorded.CaseId,
            certificate = kind,
            result = checkedPin.Result switch { PinCheckResult.Matched => "matched", PinCheckResult.Mismatched => "mismatched", _ => "locked" },
            triesLeft = checkedPin.Result switch { PinCheckResult.Matched => kind == PinKind.Signing ? 5 : 3, PinCheckResult.Mismatched m => m.TriesLeft, _ => 0 },
            signingExpiry = checkedPin.SigningExpiry,
            outbox = OutboxJson(checkedPin.Recorded.Outbox),
        });
    }

    private static async Task<int> WatchAsync(Func<ICardTerminal> terminals, StationIo io)
    {
        using var terminal = terminals();
        try
        {
            await foreach (var e in terminal.WatchAsync(io.Cancel))
            {
                io.Out.WriteLine(StationJson.Line(EventJson(e)));
                io.Out.Flush();
            }
        }
        catch (OperationCanceledException) when (io.Cancel.IsCancellationRequested)
        {
        }
        return 0;
    }

    public sealed record ReaderEventJson(string Event, string Reader, string? Atr);

    public static ReaderEventJson EventJson(ReaderEvent e) => e switch
    {
        ReaderEvent.CardInserted c => new("cardInserted", c.Reader, Convert.ToHexString(c.Atr)),
        ReaderEvent.CardRemoved => new("cardRemoved", e.Reader, null),
        ReaderEvent.ReaderAdded => new("readerAdded", e.Reader, null),
        _ => new("readerRemoved", e.Reader, null),
    };

    /// <summary>The reading, and a locked PIN said in words, not only as 0 tries left.</summary>
    public sealed record CardReadJson(string Reader, string TokenInfo, string UserAuthenticationSerial, DateOnly UserAuthenticationExpiry,
        int UserAuthenticationPinTriesLeft, int SigningPinTriesLeft, bool UserAuthenticationPinLocked, bool SigningPinLocked, string? Message);

    public static CardReadJson ReadJson(CardReading r)
    {
        var locked = new List<PinKind>();
        if (r.UserAuthenticationPinTriesLeft == 0) locked.Add(PinKind.UserAuthentication);
        if (r.SigningPinTriesLeft == 0) locked.Add(PinKind.Signing);
        return new(r.Reader, r.TokenInfo, r.UserAuthenticationSerial, r.UserAuthenticationExpiry, r.UserAuthenticationPinTriesLeft, r.SigningPinTriesLeft,
            locked.Contains(PinKind.UserAuthentication), locked.Contains(PinKind.Signing), LockedMessage(locked));
    }

    public static string? LockedMessage(IReadOnlyList<PinKind> locked) => locked.Count == 0 ? null
        : $"{string.Join("・", locked.Select(CounterSession.NameJa))}の暗証番号がロックされています。窓口で初期化が必要です。 / "
          + $"{string.Join(" and ", locked.Select(k => k == PinKind.Signing ? "signing" : "user-authentication"))} PIN locked: reset at the counter";

    private static CardReading Read(ICardTerminal terminal, string? reader)
    {
        var name = reader ?? (terminal.ListReaders() is { Count: > 0 } readers ? readers[0]
            : throw new CardException(CardErrorKind.NoReader, "カードリーダーが接続されていません", "no card reader is connected"));
        using var card = terminal.Connect(name);
        return card.Read();
    }

    private static int WithTerminal(Func<ICardTerminal> terminals, StationIo io, Func<ICardTerminal, int> action)
    {
        using var terminal = terminals();
        return action(terminal);
    }

    private static async Task<int> WithSessionAsync(StationArgs args, StationIo io, Func<ICardTerminal> terminals, Func<CounterSession, ICardTerminal, Task<int>> action)
    {
        var options = StationOptions.From(args, io.Environment);
        using var server = new CaseServer(options);
        using var terminal = args.Verb is "find" or "outbox" or "send" ? new NoTerminal() : terminals();
        var session = new CounterSession(terminal, server, new DurableOutbox(Path.Combine(options.DataFolder, "outbox"), io.Clock), options, io.Clock);
        return await action(session, terminal);
    }

    private static int Print(StationIo io, object value)
    {
        io.Out.WriteLine(StationJson.Line(value));
        return 0;
    }

    private static int Fail(StationIo io, string kind, string message, int exitCode)
    {
        io.Out.WriteLine(StationJson.Line(new { error = kind, message }));
        io.Error.WriteLine(message);
        if (kind == "Usage") io.Error.WriteLine(Usage);
        return exitCode;
    }

    public static object OutboxJson(OutboxReport r) => new
    {
        sent = r.Sent,
        pending = r.Pending,
        serverReachable = r.ServerReachable,
        problem = r.Problem,
        setAside = r.SetAside.Select(a => new { what = a.Entry.What, status = a.Status, type = a.ProblemType, title = a.Title, detail = a.Detail }),
        status = r.StatusJa,
    };

    private static object PendingJson(OutboxEntry e) => new { idempotencyKey = e.IdempotencyKey, command = e.Command, caseId = e.CaseId, what = e.What, observedAt = e.ObservedAt };

    private static object RecordedJson(Recorded r, CardReading? card) => new
    {
        caseId = r.CaseId,
        recorded = r.What,
        card,
        outbox = OutboxJson(r.Outbox),
        @case = r.Case,
    };

    private static CaseQuery Query(StationArgs args) => new(args.Value("notice"), args.Value("name"), args.Date("birth-date"));

    private static NewHolder Holder(StationArgs args, CardReading reading) => new(
        Required(args, "name-kanji"), Required(args, "name-kana"),
        args.Date("birth-date") ?? throw StationArgs.Usage("--birth-date が必要です", "--birth-date is required"),
        Required(args, "address"),
        args.Value("signing-expiry") == "none" ? null : args.Date("signing-expiry") ?? reading.UserAuthenticationExpiry);

    private static string Required(StationArgs args, string option) =>
        args.Value(option) ?? throw StationArgs.Usage($"--{option} が必要です", $"--{option} is required");

    private static Guid CaseIdOf(string text) => Guid.TryParse(text, out var id) ? id
        : throw StationArgs.Usage($"案件IDが正しくありません: {text}", $"not a case id: {text}");

    /// <summary>For the commands that only talk to the server.</summary>
    private sealed class NoTerminal : ICardTerminal
    {
        public IReadOnlyList<string> ListReaders() => [];
        public IAsyncEnumerable<ReaderEvent> WatchAsync(CancellationToken cancellationToken) => throw new InvalidOperationException();
        public IJpkiCard Connect(string reader) => throw new InvalidOperationException();
        public void Dispose() { }
    }
}
