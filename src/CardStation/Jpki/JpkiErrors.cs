using CaseSystem.CardStation.Card;

namespace CaseSystem.CardStation.Jpki;

/// <summary>The JPKI side's errors, Japanese for the clerk with English beside it. None ever carries a PIN.</summary>
public static class JpkiErrors
{
    public static CardException NotMyNumberCard(string why) => new(CardErrorKind.NotMyNumberCard,
        "マイナンバーカードではありません。カードを確かめてください。",
        $"This is not a My Number Card ({why}). Check the card.");

    public static CardException PinFormat(PinKind kind) => kind == PinKind.UserAuthentication
        ? new(CardErrorKind.PinFormat, "利用者証明用電子証明書の暗証番号は数字4桁です。", "The user-authentication PIN is 4 digits.")
        : new(CardErrorKind.PinFormat, "署名用電子証明書の暗証番号は英大文字と数字の6〜16文字です。", "The signing PIN is 6 to 16 upper-case letters (A–Z) and digits.");

    public static CardException SigningPinNotVerified() => new(CardErrorKind.SigningPinNotVerified,
        "署名用電子証明書を読むには、先に署名用電子証明書の暗証番号の照合が必要です。",
        "The signing PIN must be verified before the signing certificate can be read.");

    public static CardException Unexpected(string reader, string what, StatusWord sw) => new(CardErrorKind.Communication,
        $"カードが想定外の応答をしました({what}: {sw})。カードを置き直してください。",
        $"The card in '{reader}' gave an unexpected answer ({what}: {sw}). Place the card again.");

    public static CardException NoCertificate(string reader, ushort ef, Exception? inner = null) => new(CardErrorKind.Communication,
        $"カードの{CertificateJa(ef)}を読めませんでした。",
        $"The {CertificateEn(ef)} on the card in '{reader}' could not be read.", inner);

    private static string CertificateJa(ushort ef) => ef switch
    {
        JpkiAp.SigningCertificate => "署名用電子証明書",
        JpkiAp.UserAuthenticationCertificate => "利用者証明用電子証明書",
        _ => $"証明書(EF {ef:X4})",
    };

    private static string CertificateEn(ushort ef) => ef switch
    {
        JpkiAp.SigningCertificate => "signing certificate",
        JpkiAp.UserAuthenticationCertificate => "user-authentication certificate",
        _ => $"certificate (EF {ef:X4})",
    };
}
