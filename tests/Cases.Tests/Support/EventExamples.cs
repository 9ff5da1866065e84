using CaseSystem.Cases.Renewal;
using static CaseSystem.Cases.Renewal.RenewalEvent;

namespace CaseSystem.Cases.Tests.Support;

/// <summary>One example of every event type, roughly in the order of a case's life (the stored-JSON snapshots and the read models' type filters use them).</summary>
public static class EventExamples
{
    private static readonly DateTimeOffset At = new(2026, 3, 16, 10, 5, 30, TimeSpan.FromHours(9));
    private static readonly Holder Holder = new("佐藤 一郎", "サトウ イチロウ", new DateOnly(1990, 4, 1), "大阪府高槻市桃園町2番1号");

    public static readonly IReadOnlyList<RenewalEvent> All = new RenewalEvent[]
    {
        new ExpiryNoticeSent("N-2026-000123", Holder, new CertificateDates(new DateOnly(2026, 6, 15), new DateOnly(2026, 6, 15)), "JLIS-2026-03", At),
        new NoticeAmended("N-2026-000123", Holder with { RegisteredAddress = "大阪府高槻市桃園町2番2号" },
            new CertificateDates(new DateOnly(2026, 7, 15), new DateOnly(2026, 7, 15)), "JLIS-2026-03-訂正", At),
        new CaseOpenedAtCounter(Holder, new CertificateDates(new DateOnly(2026, 5, 31), null), "市民課", At),
        new RenewalWindowOpened(new DateOnly(2026, 3, 1), At),
        new ReservationMade("マイナンバーカードセンター", At.AddDays(3), At),
        new ArrivedAtOffice("市民課", "A-042", At),
        new CalledToCounter("市民課", "3番窓口", "clerk-12", At),
        new CardRead("station-1", "0A1B2C3D", new DateOnly(2026, 6, 15), 3, 5, At),
        new VisitStarted(1, "市民課", WhoCame.AppointedProxy,
            [new ShownDocument("driving-licence", DocumentList.A, DocumentOwner.Representative, null, new DateOnly(2028, 5, 1)),
             new ShownDocument("letter-of-attorney", DocumentList.LetterOfAttorney, DocumentOwner.Holder, new DateOnly(2026, 3, 10), null)],
            ReplyForm.Missing, false, At),
        new IdentityAccepted(1, "proxy-a1", At),
        new IdentityRefused(1, "proxy-reply-form-sealed", "照会書兼回答書が封入されていません", At),
        new PinMatched(Certificate.Signing, At),
        new PinMismatchRecorded(Certificate.UserAuthentication, 2, At),
        new PinLocked(Certificate.UserAuthentication, At),
        new PinReset([Certificate.UserAuthentication, Certificate.Signing], At),
        new DocumentInquiryMailed("reply-form-missing", "大阪府高槻市桃園町2番1号", new DateOnly(2026, 3, 16), new DateOnly(2026, 4, 15), At),
        new InquiryReplyReceived(2, At),
        new InquiryOverdue(new DateOnly(2026, 4, 15), At),
        new CertificatesRenewed([Certificate.UserAuthentication, Certificate.Signing], new DateOnly(2031, 4, 1), 0, At),
        new CertificatesIssued([Certificate.UserAuthentication], new DateOnly(2031, 4, 1), 200, At, OnReissuedCard: true),
        new CertificatesIssuedOnReissuedCard([Certificate.UserAuthentication, Certificate.Signing], new DateOnly(2031, 4, 1), 200, At),
        new VisitEnded(1, VisitOutcome.MustReturn, At),
        new CertificateLapsed(Certificate.Signing, new DateOnly(2026, 6, 15), At),
        new RegistryChangeReported(RegistryChange.Address, At),
        new RegistryChangeCompleted(RegistryChange.Address, At),
        new CaseClosed(CaseClosure.Renewed, At),
        new TicketDropped("市民課", "A-043", TicketDrop.NoShow, At),
        new EntryVoided(5, "ArrivedAtOffice", "別の方の案件に来庁を記録したため", At),
        new VisitOutcomeAmended(1, VisitOutcome.Left, "結果の選択誤り(途中で帰られた)", At),
        new VisitDocumentsAmended(1,
            [new ShownDocument("passport", DocumentList.A, DocumentOwner.Representative, null, new DateOnly(2030, 1, 31))],
            ReplyForm.Sealed, "運転免許証ではなく旅券を提示されていた", At),
    };
}
