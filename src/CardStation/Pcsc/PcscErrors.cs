using CaseSystem.CardStation.Card;

namespace CaseSystem.CardStation.Pcsc;

/// <summary>What a PC/SC return code means to the station, in the words the clerk reads.</summary>
public static class PcscErrors
{
    public static CardException NoService(Exception? inner = null) => new(CardErrorKind.NoService,
        "カードリーダーのサービス(pcscd)が動いていません。端末の管理者に連絡してください。",
        "The smart card service (pcscd) is not running. Call the terminal's administrator.", inner);

    public static CardException NoReader(string? reader, Exception? inner = null) => new(CardErrorKind.NoReader,
        $"カードリーダー{Quoted(reader)}が見つかりません。接続を確かめてください。",
        $"Card reader {(string.IsNullOrEmpty(reader) ? "" : $"'{reader}' ")}not found. Check that it is connected.", inner);

    public static CardException NoCard(string reader, Exception? inner = null) => new(CardErrorKind.NoCard,
        $"カードリーダー「{reader}」にカードがありません。カードを置いてください。",
        $"No card in reader '{reader}'. Place the card on the reader.", inner);

    public static CardException CardRemoved(string reader, Exception? inner = null) => new(CardErrorKind.CardRemoved,
        $"読み取り中にカードがカードリーダー「{reader}」から外れました。カードを置き直してください。",
        $"The card left reader '{reader}' while it was being read. Place it on the reader again.", inner);

    public static CardException Communication(string reader, string what, Exception? inner = null) => new(CardErrorKind.Communication,
        $"カードとの通信に失敗しました({what})。カードを置き直してください。",
        $"Communication with the card in '{reader}' failed ({what}). Place the card again.", inner);

    /// <summary>
    /// The station's error for a failed call. While connecting, a card gone is "no card"; once
    /// connected, it is "card removed" (a reset by someone else counts too: our session on the card is gone).
    /// </summary>
    public static CardException For(string function, uint code, string? reader, bool connecting = false)
    {
        var inner = new PcscException(function, code);
        return code switch
        {
            PcscCode.NoService or PcscCode.ServiceStopped => NoService(inner),
            PcscCode.UnknownReader or PcscCode.ReaderUnavailable or PcscCode.NoReadersAvailable => NoReader(reader, inner),
            PcscCode.NoSmartcard or PcscCode.RemovedCard or PcscCode.ResetCard or PcscCode.UnpoweredCard
                => connecting ? NoCard(reader ?? "", inner) : CardRemoved(reader ?? "", inner),
            _ => Communication(reader ?? "", $"{function}: {PcscCode.Name(code)}", inner),
        };
    }

    private static string Quoted(string? reader) => string.IsNullOrEmpty(reader) ? "" : $"「{reader}」";
}
