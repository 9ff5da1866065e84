using CaseSystem.CardStation.Commands;
using CaseSystem.CardStation.Outbox;
using CaseSystem.CardStation.Station;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace CaseSystem.CardStation.Tui;

/// <summary>
/// The counter screen's status: the server, the card, the case, the last message and the menu.
/// The same lines are printed one after another when stdout is a pipe or a file (tests and scripts
/// read them), and shown by Spectre.Console's live display, redrawn in place, on a terminal.
/// </summary>
public static class StatusView
{
    /// <summary>The live display's console over stdout when it is a terminal; null for plain lines.</summary>
    public static IAnsiConsole? LiveConsole(StationIo io) =>
        io.OutIsTerminal ? AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(io.Out) }) : null;

    public static IReadOnlyList<string> Lines(CounterSession session, bool? serverUp, OutboxReport? lastSend, string? message)
    {
        var pending = session.Outbox.Pending.Count;
        var server = serverUp == false
            ? $"✖ サーバーに接続できません / server unreachable — 未送信 {pending} 件(接続が戻り次第、順に送信します)"
            : lastSend?.Problem is { } problem ? $"✖ {problem} — 未送信 {pending} 件"
            : serverUp == true ? $"✔ 接続中 / connected — 未送信 {pending} 件"
            : $"未確認 / not contacted yet — 未送信 {pending} 件";
        var lines = new List<string>
        {
            "━━━━ カード読取端末 CardStation ━━━━",
            $"サーバー / Server: {server}",
            session.Reading is { } r
                ? $"カード / Card: 有効期限 {CounterSession.Ja(r.UserAuthenticationExpiry)}  残り回数 利用者証明用 {r.UserAuthenticationPinTriesLeft}・署名用 {r.SigningPinTriesLeft}"
                : "カード / Card: カードを置いてください / put the card on the reader",
            session.Case is { } c
                ? $"案件 / Case: {c.Holder.NameKanji}({c.Holder.NameKana}) 通知書番号 {c.NoticeNumber ?? "-"} 有効期限 {CounterSession.Ja(c.Expiry.UserAuthenticationExpiry)}"
                  + (c.RenewedUntil is { } until ? $" → 更新後 {CounterSession.Ja(until)}" : "")
                  + (c.Checklist.Count > 0 ? $"\n  次の手順: {c.Checklist[^1].Ja}" : "")
                : session.CaseId is { } id ? $"案件 / Case: {id}(サーバーの応答待ち / awaiting the server)"
                : "案件 / Case: 未選択 / none",
        };
        if (message is not null) lines.Add(message);
        lines.Add("[1] カード読取 Read  [2] 案件を検索・紐付け Find & attach  [3] 新規作成 Open");
        lines.Add("[4] 利用者証明用暗証番号 User PIN  [5] 署名用暗証番号 Signing PIN  [6] J-LIS端末で更新済み→再読取 Re-read");
        lines.Add("[7] 未送信を送信 Send  [8] 送信できなかった記録 Set aside  [0] 終了 Quit");
        return lines;
    }

    /// <summary>As plain lines, after a blank one: what a script or a test reads.</summary>
    public static void Print(TextWriter output, IReadOnlyList<string> lines)
    {
        output.WriteLine();
        foreach (var line in lines) output.WriteLine(line);
        output.Flush();
    }

    /// <summary>For the live display: the same lines as text (never markup: they hold [1]…[8]), what is wrong in red, what is well in green.</summary>
    public static IRenderable Renderable(IReadOnlyList<string> lines) => new Rows(lines.Select((line, i) => new Text(line,
        i == 0 ? new Style(decoration: Decoration.Bold)
        : line.Contains('✖') ? new Style(Color.Red)
        : line.Contains('✔') ? new Style(Color.Green)
        : Style.Plain)));
}
