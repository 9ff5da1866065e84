using CaseSystem.CardStation.Card;

namespace CaseSystem.CardStation.Tests;

public class ContractTests
{
    [Fact]
    public void A_card_error_carries_Japanese_and_English_text()
    {
        var error = new CardException(CardErrorKind.NoService, "カードリーダーのサービス(pcscd)が動いていません", "pcscd is not running");
        Assert.Equal(CardErrorKind.NoService, error.Kind);
        Assert.Contains("pcscd", error.MessageJa);
        Assert.Equal("カードリーダーのサービス(pcscd)が動いていません / pcscd is not running", error.Message);
    }
}
