using CaseSystem.CardStation.Card;
using CaseSystem.CardStation.Jpki;
using CaseSystem.CardStation.Pcsc;
using CaseSystem.CardStation.Tests.VirtualCard;

namespace CaseSystem.CardStation.Tests.Pcsc;

/// <summary>The JPKI reader against a virtual My Number Card, through pcscd and vpcd.</summary>
[Collection(PcscdCollection.Name)]
public sealed class JpkiCardTests : IDisposable
{
    private const string Reader = VirtualJpkiCard.Reader0;
    private readonly PcscCardTerminal _terminal = new();

    public void Dispose() => _terminal.Dispose();

    // The APDU log holds the test PINs: assertions on it say what went wrong without printing it.
    private static bool IsVerifyWithData(byte[] apdu) => apdu.Length > 5 && apdu[1] == 0x20;

    private static bool SelectsCardInfoAp(byte[] apdu) =>
        apdu.Length > 5 && apdu[1] == 0xA4 && apdu.AsSpan(5).IndexOf(VirtualJpkiCard.CardInfoAid.AsSpan(0, 5)) >= 0;

    [Fact]
    public void Reading_a_card_gives_its_serial_expiry_in_Japan_and_tries_and_spends_no_try()
    {
        using var card = VirtualJpkiCard.MyNumberCard().InsertAndWait(Reader);
        using var jpki = _terminal.Connect(Reader);

        var reading = jpki.Read();

        Assert.Equal(new CardReading(Reader, "JPKIAPICCTOKEN2", "0A1B2C3D4E", new DateOnly(2031, 3, 15), 3, 5), reading);
        Assert.Equal((3, 5), (card.UserPinTries, card.SigningPinTries));
        Assert.False(card.Apdus.Any(IsVerifyWithData), "a VERIFY with a PIN reached the card");
    }

    [Fact]
    public void A_wrong_user_PIN_counts_down_three_two_one_then_locked()
    {
        using var card = VirtualJpkiCard.MyNumberCard(userPin: "1234").InsertAndWait(Reader);
        using var jpki = _terminal.Connect(Reader);

        Assert.Equal(new PinCheckResult.Mismatched(2), jpki.VerifyPin(PinKind.UserAuthentication, "9999"));
        Assert.Equal(2, jpki.Read().UserAuthenticationPinTriesLeft);
        Assert.Equal(new PinCheckResult.Mismatched(1), jpki.VerifyPin(PinKind.UserAuthentication, "9999"));
        Assert.Equal(new PinCheckResult.Locked(), jpki.VerifyPin(PinKind.UserAuthentication, "9999"));
        Assert.Equal(0, jpki.Read().UserAuthenticationPinTriesLeft);
        Assert.Equal(5, jpki.Read().SigningPinTriesLeft);
    }

    [Fact]
    public void A_wrong_signing_PIN_counts_down_from_five_then_locked()
    {
        using var card = VirtualJpkiCard.MyNumberCard(signingPin: "ABC123").InsertAndWait(Reader);
        using var jpki = _terminal.Connect(Reader);

        for (var left = 4; left >= 1; left--)
            Assert.Equal(new PinCheckResult.Mismatched(left), jpki.VerifyPin(PinKind.Signing, "WRONG1"));
        Assert.Equal(new PinCheckResult.Locked(), jpki.VerifyPin(PinKind.Signing, "WRONG1"));
        Assert.Equal((0, 3), (jpki.Read().SigningPinTriesLeft, jpki.Read().UserAuthenticationPinTriesLeft));
    }

    [Fact]
    public void A_locked_card_reads_as_no_tries_left_and_verifies_as_locked_without_the_PIN_being_sent()
    {
        using var card = VirtualJpkiCard.MyNumberCard(userPin: "1234", signingPin: "ABC123");
        card.SetTries(userTries: 0, signingTries: 0);
        card.InsertAndWait(Reader);
        using var jpki = _terminal.Connect(Reader);

        var reading = jpki.Read();
        Assert.Equal((0, 0), (reading.UserAuthenticationPinTriesLeft, reading.SigningPinTriesLeft));
        Assert.Equal(new PinCheckResult.Locked(), jpki.VerifyPin(PinKind.UserAuthentication, "1234"));
        Assert.Equal(new PinCheckResult.Locked(), jpki.VerifyPin(PinKind.Signing, "ABC123"));
        Assert.False(card.Apdus.Any(IsVerifyWithData), "a VERIFY with a PIN reached the card");
    }

    [Fact]
    public void A_correct_PIN_sets_the_tries_back_to_full()
    {
        using var card = VirtualJpkiCard.MyNumberCard(userPin: "1234", signingPin: "ABC123").InsertAndWait(Reader);
        using var jpki = _terminal.Connect(Reader);

        jpki.VerifyPin(PinKind.UserAuthentication, "0000");
        jpki.VerifyPin(PinKind.UserAuthentication, "0000");
        jpki.VerifyPin(PinKind.Signing, "XYZ999");
        Assert.Equal((1, 4), (card.UserPinTries, card.SigningPinTries));

        Assert.Equal(new PinCheckResult.Matched(), jpki.VerifyPin(PinKind.UserAuthentication, "1234"));
        Assert.Equal(new PinCheckResult.Matched(), jpki.VerifyPin(PinKind.Signing, "ABC123"));

        var reading = jpki.Read();
        Assert.Equal((3, 5), (reading.UserAuthenticationPinTriesLeft, reading.SigningPinTriesLeft));
        Assert.Equal((3, 5), (card.UserPinTries, card.SigningPinTries));
    }

    [Fact]
    public void The_signing_certificate_expiry_is_readable_only_after_the_signing_PIN_is_verified()
    {
        using var card = VirtualJpkiCard.MyNumberCard(signingPin: "ABC123").InsertAndWait(Reader);
        using var jpki = _terminal.Connect(Reader);

        var refused = Assert.Throws<CardException>(() => jpki.ReadSigningCertificateExpiry());
        Assert.Equal(CardErrorKind.SigningPinNotVerified, refused.Kind);

        Assert.Equal(new PinCheckResult.Matched(), jpki.VerifyPin(PinKind.Signing, "ABC123"));
        Assert.Equal(new DateOnly(2030, 11, 2), jpki.ReadSigningCertificateExpiry());
    }

    [Fact]
    public void A_verified_signing_PIN_does_not_outlast_the_connection()
    {
        using var card = VirtualJpkiCard.MyNumberCard(signingPin: "ABC123").InsertAndWait(Reader);
        using (var jpki = _terminal.Connect(Reader))
        {
            jpki.VerifyPin(PinKind.Signing, "ABC123");
            jpki.ReadSigningCertificateExpiry();
        }

        using var next = _terminal.Connect(Reader);
        Assert.Equal(CardErrorKind.SigningPinNotVerified, Assert.Throws<CardException>(() => next.ReadSigningCertificateExpiry()).Kind);
    }

    [Fact]
    public void A_card_pulled_in_the_middle_of_reading_is_reported_as_removed_without_hanging()
    {
        using var card = VirtualJpkiCard.MyNumberCard().InsertAndWait(Reader);
        using var jpki = _terminal.Connect(Reader);
        // Opening read the token info; Read reads it again, then the certificate's header, then its chunks.
        card.PullOnReadBinary = card.Apdus.Count(a => a[1] == 0xB0) + 3;

        var started = DateTime.UtcNow;
        var error = Assert.Throws<CardException>(() => jpki.Read());

        Assert.Equal(CardErrorKind.CardRemoved, error.Kind);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10), "the read hung");
        Assert.False(card.IsInserted);
        PcscdFixture.WaitForCard(Reader, present: false);
    }

    [Fact]
    public void A_card_without_the_JPKI_application_is_not_a_My_Number_Card()
    {
        using var card = VirtualJpkiCard.OtherCard().InsertAndWait(Reader);

        var error = Assert.Throws<CardException>(() => _terminal.Connect(Reader));

        Assert.Equal(CardErrorKind.NotMyNumberCard, error.Kind);
        Assert.Contains("マイナンバーカードではありません", error.MessageJa);
    }

    [Fact]
    public void A_card_whose_token_info_is_not_a_My_Number_Cards_is_refused()
    {
        using var card = VirtualJpkiCard.MyNumberCard(tokenInfo: "JPKIAPGPSTOKEN").InsertAndWait(Reader);

        Assert.Equal(CardErrorKind.NotMyNumberCard, Assert.Throws<CardException>(() => _terminal.Connect(Reader)).Kind);
    }

    [Theory]
    [InlineData(PinKind.UserAuthentication, "123")]
    [InlineData(PinKind.UserAuthentication, "12345")]
    [InlineData(PinKind.UserAuthentication, "12a4")]
    [InlineData(PinKind.UserAuthentication, "１２３４")]
    [InlineData(PinKind.UserAuthentication, "")]
    [InlineData(PinKind.Signing, "ABC12")]
    [InlineData(PinKind.Signing, "abc123")]
    [InlineData(PinKind.Signing, "ABC-123")]
    [InlineData(PinKind.Signing, "ABCDEFGHIJ1234567")]
    public void A_PIN_of_the_wrong_format_is_refused_and_never_reaches_the_card(PinKind kind, string pin)
    {
        using var card = VirtualJpkiCard.MyNumberCard().InsertAndWait(Reader);
        using var jpki = _terminal.Connect(Reader);
        var sentBefore = card.Apdus.Count;

        var error = Assert.Throws<CardException>(() => jpki.VerifyPin(kind, pin));

        Assert.Equal(CardErrorKind.PinFormat, error.Kind);
        Assert.Equal(sentBefore, card.Apdus.Count);
        Assert.False(card.Apdus.Any(IsVerifyWithData), "a VERIFY with a PIN reached the card");
        Assert.Equal((3, 5), (card.UserPinTries, card.SigningPinTries));
        if (pin.Length > 0) Assert.DoesNotContain(pin, error.Message);
    }

    [Fact]
    public void The_card_info_application_is_never_selected_in_a_whole_session()
    {
        using var card = VirtualJpkiCard.MyNumberCard(userPin: "1234", signingPin: "ABC123").InsertAndWait(Reader);
        using (var jpki = _terminal.Connect(Reader))
        {
            jpki.Read();
            jpki.VerifyPin(PinKind.UserAuthentication, "1234");
            jpki.VerifyPin(PinKind.Signing, "ABC123");
            jpki.ReadSigningCertificateExpiry();
        }

        Assert.NotEmpty(card.Apdus);
        Assert.False(card.Apdus.Any(SelectsCardInfoAp), "the card-info AP was selected");
        Assert.All(card.Apdus.Where(a => a[1] == 0xA4 && a[2] == 0x04), a => Assert.Equal(VirtualJpkiCard.JpkiAid, a[5..]));
    }

    [Fact]
    public void The_transmit_path_refuses_to_select_the_card_info_application_before_it_reaches_the_card()
    {
        using var card = VirtualJpkiCard.MyNumberCard().InsertAndWait(Reader);
        using var context = PcscContext.Establish();
        using var connection = context.Connect(Reader);
        byte[] selectCardInfo = [0x00, 0xA4, 0x04, 0x0C, 0x0A, .. VirtualJpkiCard.CardInfoAid];

        Assert.Throws<InvalidOperationException>(() => connection.Transmit(selectCardInfo, new byte[258]));
        Assert.Throws<InvalidOperationException>(() => connection.Transmit(selectCardInfo[..10], new byte[258]));

        byte[] selectJpki = [0x00, 0xA4, 0x04, 0x0C, 0x0A, .. VirtualJpkiCard.JpkiAid];
        var response = new byte[258];
        Assert.Equal(2, connection.Transmit(selectJpki, response));
        Assert.Equal([0x90, 0x00], response[..2]);
        Assert.False(card.Apdus.Any(SelectsCardInfoAp), "the card-info AP was selected");
    }

    [Fact]
    public void A_renewed_card_read_again_shows_the_new_serial_and_expiry()
    {
        using var card = VirtualJpkiCard.MyNumberCard(signingPin: "ABC123").InsertAndWait(Reader);
        using (var jpki = _terminal.Connect(Reader))
            Assert.Equal(new DateOnly(2031, 3, 15), jpki.Read().UserAuthenticationExpiry);
        card.RemoveAndWait(Reader);

        card.Renew(new DateTimeOffset(2036, 3, 14, 14, 59, 59, TimeSpan.Zero), new DateTimeOffset(2036, 3, 14, 14, 59, 59, TimeSpan.Zero));
        card.InsertAndWait(Reader);

        using var renewed = _terminal.Connect(Reader);
        var reading = renewed.Read();
        Assert.Equal(new DateOnly(2036, 3, 14), reading.UserAuthenticationExpiry);
        Assert.Equal("0A1B2C3D4F", reading.UserAuthenticationSerial);
        renewed.VerifyPin(PinKind.Signing, "ABC123");
        Assert.Equal(new DateOnly(2036, 3, 14), renewed.ReadSigningCertificateExpiry());
    }

    [Fact]
    public void Connecting_to_an_empty_reader_is_no_card()
    {
        PcscdFixture.WaitForCard(VirtualJpkiCard.Reader1, present: false);

        var error = Assert.Throws<CardException>(() => _terminal.Connect(VirtualJpkiCard.Reader1));

        Assert.Equal(CardErrorKind.NoCard, error.Kind);
    }

    [Fact]
    public void Connecting_to_a_reader_that_is_not_there_is_no_reader()
    {
        var error = Assert.Throws<CardException>(() => _terminal.Connect("No Such Reader 00 00"));

        Assert.Equal(CardErrorKind.NoReader, error.Kind);
    }

    [Fact]
    public void Both_virtual_readers_are_listed()
    {
        var readers = _terminal.ListReaders();

        Assert.Contains(VirtualJpkiCard.Reader0, readers);
        Assert.Contains(VirtualJpkiCard.Reader1, readers);
    }

    [Fact]
    public void A_card_in_the_second_reader_is_read_there()
    {
        using var card = VirtualJpkiCard.MyNumberCard(userSerialHex: "7F0001").InsertAndWait(VirtualJpkiCard.Reader1);
        using var jpki = _terminal.Connect(VirtualJpkiCard.Reader1);

        var reading = jpki.Read();

        Assert.Equal((VirtualJpkiCard.Reader1, "7F0001"), (reading.Reader, reading.UserAuthenticationSerial));
    }
}
