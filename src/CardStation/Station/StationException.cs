namespace CaseSystem.CardStation.Station;

/// <summary>A plain error of the station itself (not of the card): Japanese for the clerk, English beside it.</summary>
public sealed class StationException(string kind, string messageJa, string messageEn, Exception? inner = null)
    : Exception($"{messageJa} / {messageEn}", inner)
{
    public string Kind { get; } = kind;
    public string MessageJa { get; } = messageJa;
    public string MessageEn { get; } = messageEn;

    public static StationException Unreachable(string server, Exception? inner = null) => new("ServerUnreachable",
        $"サーバー({server})に接続できません。結果は端末に保存し、接続が戻り次第送信します。",
        $"cannot reach the server ({server}); results are kept here and sent when it is back", inner);

    public static StationException NoReading() => new("NoCardRead",
        "先にカードを読み取ってください。", "read the card first");

    public static StationException NotAttached() => new("NoCaseAttached",
        "先に案件を選んでください(通知書番号・氏名・生年月日で検索、または新規作成)。", "attach a case first (find by notice number, name or birth date, or open one)");
}
