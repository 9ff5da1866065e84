namespace CaseSystem.CardStation.Card;

/// <summary>The one place the station makes its PC/SC terminal.</summary>
public static class CardTerminals
{
    // When the PC/SC layer lands: => new CaseSystem.CardStation.Pcsc.PcscCardTerminal();
    public static ICardTerminal Create() =>
        throw new CardException(CardErrorKind.NoService,
            "カードリーダーの接続部(PC/SC)がまだ組み込まれていません", "the PC/SC card terminal is not built into this station yet");
}
