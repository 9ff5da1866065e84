using CaseSystem.CardStation.Jpki;

namespace CaseSystem.CardStation.Card;

/// <summary>The one place the station makes its PC/SC terminal.</summary>
public static class CardTerminals
{
    public static ICardTerminal Create() => new PcscCardTerminal();
}
