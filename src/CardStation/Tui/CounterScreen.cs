using CaseSystem.Contracts;
using System.Collections.Concurrent;
using CaseSystem.CardStation.Card;
using CaseSystem.CardStation.Commands;
using CaseSystem.CardStation.Outbox;
using CaseSystem.CardStation.Server;
using CaseSystem.CardStation.Station;
using Spectre.Console;

namespace CaseSystem.CardStation.Tui;

/// <summary>
/// The clerk's screen: watches the reader, reads a card when it is put in, finds or opens the
/// case, checks the PINs (typed masked), and re-reads the card after the J-LIS renewal; says
/// whether the server is reachable and how many results wait to be sent, and sends them again in
/// the background (<see cref="StationRetries.Resend"/>) while any wait.
/// <para>
/// With <paramref name="live"/> (stdout a terminal) the status is Spectre.Console's live display,
/// redrawn in place while the clerk has not pressed a key (a card put in, the server back); a key
/// ends it, its last drawing stays, and the action's questions and the masked PIN entry are written
/// below it as plain lines, never under a live display. Without it, the status is printed again
/// whenever it changes.
/// </para>
/// </summary>
public sealed class CounterScreen(CounterSession session, StationIo io, IAnsiConsole? live = null)
{
    private readonly ConcurrentQueue<ReaderEvent> _events = new();
    // The background resend's tries, read by the screen's loop: the screen's state is the loop's alone.
    private readonly ConcurrentQueue<(OutboxReport? Report, string? Problem)> _resent = new();
    private readonly CancellationTokenSource _stopResending = new();
    private Task _resending = Task.CompletedTask;
    private readonly TextWriter _out = io.Out;
    private OutboxReport? _lastSend;
    // Whether the server answered when last asked; null until the station has had something to ask it.
    private bool? _serverUp;
    private string? _message;

    public async Task<int> RunAsync(ICardTerminal? watched = null)
    {
        using var stopWatching = CancellationTokenSource.CreateLinkedTokenSource(io.Cancel);
        var watching = watched is null ? Task.CompletedTask : WatchAsync(watched, stopWatching.Token);
        try
        {
            await SendPendingAsync();
            while (await NextKeyAsync() is { } key)
            {
                if (key.KeyChar == '0' || key.Key == ConsoleKey.Q || io.InputEnded?.Invoke() == true) break;
                _message = await ActAsync(key.KeyChar);
                Drain();
            }
        }
        finally
        {
            await stopWatching.CancelAsync();
            await _stopResending.CancelAsync();
            await watching;
            await _resending;
            _stopResending.Dispose();
        }
        return 0;
    }

    /// <summary>The status shown, and shown again as it changes until a key comes; null when the screen is stopped.</summary>
    private async Task<ConsoleKeyInfo?> NextKeyAsync()
    {
        if (live is null)
        {
            Draw();
            return await IdleAsync(Draw);
        }
        return await live.Live(StatusView.Renderable(Status())).AutoClear(false)
            .StartAsync(display =>
            {
                // The live display draws on a refresh only: drawn at once, not at the first change.
                display.Refresh();
                return IdleAsync(() => display.UpdateTarget(StatusView.Renderable(Status())));
            });
    }

    private async Task<ConsoleKeyInfo?> IdleAsync(Action redraw)
    {
        while (!io.Cancel.IsCancellationRequested)
        {
            if (io.KeyAvailable()) return io.ReadKey();
            if (Drain() | DrainResent()) redraw();
            await Task.Delay(100, io.Cancel).ContinueWith(_ => { }, TaskScheduler.Default);
        }
        return null;
    }

    private async Task<string?> ActAsync(char choice)
    {
        try
        {
            return choice switch
            {
                '1' => Describe(session.ReadCard()),
                '2' => await FindAndAttachAsync(),
                '3' => await OpenAsync(),
                '4' => await PinAsync(PinKind.UserAuthentication),
                '5' => await PinAsync(PinKind.Signing),
                '6' => Show(await session.ReReadAfterRenewalAsync(io.Cancel)),
                '7' => (await SendPendingAsync()).StatusJa,
                '8' => ShowSetAside(),
                _ => null,
            };
        }
        catch (CardException e)
        {
            return "✖ " + e.Message;
        }
        catch (StationException e)
        {
            if (e.Kind == "ServerUnreachable") _serverUp = false;
            return "✖ " + e.Message;
        }
    }

    private async Task<string?> FindAndAttachAsync()
    {
        var reading = session.Reading ?? throw StationException.NoReading();
        _out.WriteLine("検索 / Search — 空欄は指定なし / blank to skip");
        var notice = Ask("通知書番号 / notice number");
        var name = Ask("氏名(漢字・かな、一部でも可) / name");
        var birth = Ask(BirthPrompt);
        var born = birth is null ? (JapaneseDates.Reading?)null : JapaneseDates.Parse(birth);
        DateOnly? birthDate = born is not { } r ? null
            : r.Date ?? throw StationArgs.Usage($"生年月日: {r.ProblemJa}", $"birth date: {r.ProblemEn}");
        var hits = await session.FindAsync(new CaseQuery(notice, name, birthDate), io.Cancel);
        _serverUp = true;
        if (hits.Count == 0) return "該当する案件がありません。[3] で新規作成できます。 / No case found: [3] opens one.";
        for (var i = 0; i < hits.Count; i++)
        {
            var h = hits[i];
            var mark = h.UserAuthenticationExpiry == reading.UserAuthenticationExpiry ? "✔" : "✖ 有効期限不一致";
            _out.WriteLine($"  [{i + 1}] {h.NameKanji}({h.NameKana}) 生年月日 {JapaneseDates.WithWareki(h.BirthDate)} 通知書番号 {h.NoticeNumber ?? "-"} 有効期限 {CounterSession.Ja(h.UserAuthenticationExpiry)} {mark}");
        }
        var pick = Ask("番号を選んでください / pick");
        if (!int.TryParse(pick, out var n) || n < 1 || n > hits.Count) return "紐付けを取り消しました。 / Not attached.";
        return Show(await session.AttachAsync(hits[n - 1].CaseId, io.Cancel));
    }

    private const string BirthPrompt = "生年月日(例 1980-01-20、S55.1.20、昭和55年1月20日) / birth date";

    private async Task<string?> OpenAsync()
    {
        var reading = session.Reading ?? throw StationException.NoReading();
        _out.WriteLine($"案件の新規作成 / Open a case — カードの有効期限 {CounterSession.Ja(reading.UserAuthenticationExpiry)}");
        var kanji = Ask("氏名(漢字) / name in kanji");
        var kana = Ask("氏名(カナ) / name in kana");
        var birth = Ask(BirthPrompt);
        var address = Ask("住民票の住所 / registered address");
        if (kanji is null || kana is null || address is null || birth is null)
        {
            return "✖ 入力が足りません。作成しませんでした。 / Incomplete: not opened.";
        }
        var born = JapaneseDates.Parse(birth);
        if (born.Date is not { } birthDate)
        {
            return $"✖ 生年月日: {born.ProblemJa} 作成しませんでした。 / Birth date: {born.ProblemEn} Not opened.";
        }
        var signing = Ask("署名用の有効期限(空欄=利用者証明用と同じ、none=なし) / signing expiry");
        DateOnly? signingExpiry;
        if (signing is null) signingExpiry = reading.UserAuthenticationExpiry;
        else if (signing == "none") signingExpiry = null;
        // A date that cannot be read is refused, never taken as another.
        else
        {
            var typed = JapaneseDates.Parse(signing);
            if (typed.Date is not { } s) return $"✖ 署名用の有効期限: {typed.ProblemJa} 作成しませんでした。 / Signing expiry: {typed.ProblemEn} Not opened.";
            signingExpiry = s;
        }
        return Show(await session.OpenCaseAsync(new NewHolder(kanji, kana, birthDate, address, signingExpiry), io.Cancel));
    }

    private async Task<string?> PinAsync(PinKind kind)
    {
        if (session.CaseId is null) throw StationException.NotAttached();
        using var pin = new PinBuffer();
        _out.Write($"{CounterSession.NameJa(kind)}の暗証番号を入力してください(Enterで確定、Escで取消) / PIN: ");
        if (!PinEntry.Read(io.ReadKey, _out, pin, kind)) return "入力を取り消しました。 / Cancelled.";
        var result = await session.CheckPinAsync(kind, pin, io.Cancel);
        var said = result.Result switch
        {
            PinCheckResult.Matched => $"✔ {CounterSession.NameJa(kind)}: 暗証番号が一致しました / PIN matched",
            PinCheckResult.Mismatched m => $"✖ {CounterSession.NameJa(kind)}: 暗証番号が違います。残り{m.TriesLeft}回 / wrong PIN, {m.TriesLeft} tries left",
            _ => $"✖ {CounterSession.NameJa(kind)}: 暗証番号がロックされています。窓口で初期化が必要です / PIN locked: reset at the counter",
        };
        if (result.SigningExpiry is { } signingExpiry) said += $"\n  署名用電子証明書の有効期限(カード) {CounterSession.Ja(signingExpiry)} / signing certificate expiry on the card";
        return said + "\n" + Show(result.Recorded);
    }

    private string Show(Recorded recorded)
    {
        Sent(recorded.Outbox);
        var lines = new List<string> { $"記録: {recorded.What} — {recorded.Outbox.StatusJa}" };
        lines.AddRange(recorded.Outbox.SetAside.Select(SetAsideLine));
        return string.Join('\n', lines);
    }

    private string ShowSetAside()
    {
        var refused = session.Outbox.SetAside;
        if (refused.Count == 0) return "保留中の拒否はありません。 / Nothing set aside.";
        _out.WriteLine(string.Join('\n', refused.Select(SetAsideLine)));
        // Asked first: a refusal cleared unread is an observation no one will ever record.
        var answer = Ask("一覧から消しますか? y=消す / clear them? (y/N)");
        if (answer is not ("y" or "Y" or "yes"))
        {
            return "一覧に残しました / kept";
        }
        session.Outbox.ClearSetAside();
        return "確認済みとして一覧から消しました / cleared as seen";
    }

    private static string SetAsideLine(SetAsideEntry a) =>
        $"⚠ 送信できず保留: {a.Entry.What} — {a.Title}{(a.Detail is null ? "" : " " + a.Detail)} (HTTP {a.Status})";

    private async Task<OutboxReport> SendPendingAsync() => Sent(await session.SendPendingAsync(io.Cancel));

    /// <summary>An empty outbox sends nothing and so asks the server nothing: it says nothing of the server either.</summary>
    private OutboxReport Sent(OutboxReport report)
    {
        _lastSend = report;
        if (report.Sent > 0 || report.Pending > 0 || report.SetAside.Count > 0 || report.Problem is not null) _serverUp = report.ServerReachable;
        ResendInBackground(report);
        return report;
    }

    /// <summary>
    /// A send that left something waiting starts the background resend, unless one runs: the send
    /// just made counts as its first try, so the next waits as <see cref="StationRetries.Resend"/>
    /// says. It ends when nothing waits, or the screen ends.
    /// </summary>
    private void ResendInBackground(OutboxReport failed)
    {
        if (failed.Pending == 0 || !_resending.IsCompleted || _stopResending.IsCancellationRequested) return;
        var stop = _stopResending.Token;
        var first = true;
        _resending = Task.Run(async () =>
        {
            try
            {
                await StationRetries.Resend.ExecuteAsync(async ct =>
                {
                    if (first)
                    {
                        first = false;
                        return failed;
                    }
                    var report = await session.SendPendingAsync(ct);
                    _resent.Enqueue((report, null));
                    return report;
                }, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            catch (Exception e) when (e is StationException or IOException)
            {
                _resent.Enqueue((null, "✖ " + e.Message));
            }
        }, CancellationToken.None);
    }

    /// <summary>The background resend's tries since the last look; true when one changed what the screen says.</summary>
    private bool DrainResent()
    {
        var changed = false;
        while (_resent.TryDequeue(out var tried))
        {
            if (tried.Report is not { } report)
            {
                _message = tried.Problem;
                changed = true;
                continue;
            }
            var before = (_lastSend?.Pending, _serverUp, _lastSend?.Problem);
            Sent(report);
            if (report.SetAside.Count > 0) _message = string.Join('\n', report.SetAside.Select(SetAsideLine));
            changed |= report.SetAside.Count > 0 || before != (report.Pending, _serverUp, report.Problem);
        }
        return changed;
    }

    private async Task WatchAsync(ICardTerminal terminal, CancellationToken ct)
    {
        try
        {
            await foreach (var e in terminal.WatchAsync(ct)) _events.Enqueue(e);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (CardException e)
        {
            _message = "✖ " + e.Message;
        }
    }

    /// <summary>Card events since the last look: a card put in is read at once; taken out, the holder is done.</summary>
    private bool Drain()
    {
        var any = false;
        while (_events.TryDequeue(out var e))
        {
            any = true;
            switch (e)
            {
                case ReaderEvent.CardInserted inserted:
                    try
                    {
                        _message = Describe(session.ReadCard(inserted.Reader));
                    }
                    catch (CardException error)
                    {
                        _message = "✖ " + error.Message;
                    }
                    break;
                case ReaderEvent.CardRemoved:
                    session.Forget();
                    _message = "カードが取り出されました。次の方のカードを置いてください。 / Card removed.";
                    break;
                case ReaderEvent.ReaderRemoved removed:
                    _message = $"✖ カードリーダーが外されました: {removed.Reader} / reader removed";
                    break;
            }
        }
        return any;
    }

    private static string Describe(CardReading r) =>
        $"カードを読み取りました / Card read: 利用者証明用の有効期限 {CounterSession.Ja(r.UserAuthenticationExpiry)}、" +
        $"残り回数 利用者証明用 {r.UserAuthenticationPinTriesLeft}/3・署名用 {r.SigningPinTriesLeft}/5"
        + (StationCommands.ReadJson(r).Message is { } locked ? "\n✖ " + locked : "");

    private string? Ask(string label)
    {
        _out.Write($"  {label}: ");
        _out.Flush();
        var line = io.ReadLine()?.Trim();
        return string.IsNullOrEmpty(line) ? null : line;
    }

    private IReadOnlyList<string> Status() => StatusView.Lines(session, _serverUp, _lastSend, _message);

    private void Draw() => StatusView.Print(_out, Status());
}
