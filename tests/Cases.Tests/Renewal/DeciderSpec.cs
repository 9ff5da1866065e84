using CaseSystem.Cases.Renewal;
using CaseSystem.Cases.Store;

namespace CaseSystem.Cases.Tests.Renewal;

/// <summary>Given(events) / When(command) / Then(events or the rule that refuses).</summary>
public abstract class DeciderSpec
{
    private readonly List<RenewalEvent> _given = [];
    private IRenewalPolicy _policy = new TestPolicy();

    protected static readonly DateTimeOffset Monday10 = new(2026, 3, 16, 10, 0, 0, JapanTime.Offset);

    /// <summary>A spec of its own, for a second scenario in one test.</summary>
    protected static DeciderSpec Fresh() => new Scratch();

    private sealed class Scratch : DeciderSpec;

    public DeciderSpec Policy(IRenewalPolicy policy) { _policy = policy; return this; }

    public DeciderSpec Given(params RenewalEvent[] events) { _given.AddRange(events); return this; }

    public IReadOnlyList<RenewalEvent> When(RenewalCommand command) =>
        new RenewalDecider(_policy).Decide(command, RenewalState.Fold(_given));

    public void Then(RenewalCommand command, params RenewalEvent[] expected) =>
        Assert.Equal(expected.Select(Json), When(command).Select(Json));

    public RuleViolation ThenRefused(RenewalCommand command, Rule rule)
    {
        var violation = Assert.Throws<RuleViolation>(() => When(command));
        Assert.Equal(rule, violation.Rule);
        return violation;
    }

    private static string Json(RenewalEvent e) => e.GetType().Name + System.Text.Json.JsonSerializer.Serialize(e, e.GetType(), CaseStore.EventJson);

    /// <summary>A municipality that is open at all hours and accepts the usual documents: for rules common to all five.</summary>
    protected sealed class TestPolicy : IRenewalPolicy
    {
        public string Municipality => "saku";
        public bool ProxyMayShowTwoFromListB { get; init; }
        public bool ProxyIdentified(int listA, int listB) => listA >= 1 || (ProxyMayShowTwoFromListB && listB >= 2);
        public string ProxyIdentityJa => ProxyMayShowTwoFromListB ? "A1点またはB2点" : "A1点";
        public bool ReservationRequired { get; init; }
        public int InquiryReplyDays => 30;

        /// <summary>The visit after an inquiry as Kawasaki's profile has it (004); else the usual proxy rule.</summary>
        public bool KawasakiSecondVisit { get; init; }

        public IdentityTerms? SecondVisit => KawasakiSecondVisit
            ? new IdentityTerms((a, b) => a + b >= 1, (a, b) => a >= 1 && a + b >= 2, LetterOfAttorney: true, "委任状、本人の本人確認書類1点、代理人の本人確認書類2点(うち1点はA)")
            {
                HolderJa = "本人の本人確認書類1点", ActingJa = "代理人の本人確認書類2点(うち1点はA)",
            }
            : null;

        public DocumentTerms TermsOf(string documentKind) => documentKind switch
        {
            "my-number-card" => new DocumentTerms(null, 6),
            "driving-history-certificate" => new DocumentTerms(new DateOnly(2012, 4, 1), 0),
            _ => DocumentTerms.Usual,
        };

        public DocumentList? ListOf(string documentKind) => documentKind switch
        {
            "my-number-card" or "driving-licence" or "driving-history-certificate" or "passport" => DocumentList.A,
            "health-insurance-card" or "pension-certificate" or "bank-passbook" => DocumentList.B,
            _ => null,
        };

        public (Rule Rule, string Detail)? ReceptionClosed(string office, DateTimeOffset at) => null;
    }
}

/// <summary>People and dates the scenarios share.</summary>
internal static class Cases
{
    public static readonly Holder Adult = new("山田 太郎", "ヤマダ タロウ", new DateOnly(1980, 6, 15), "長野県佐久市中込3056");
    public static readonly Holder Child = new("山田 花", "ヤマダ ハナ", new DateOnly(2014, 6, 15), "長野県佐久市中込3056");

    /// <summary>Expiring 2026-06-15: the window opens 2026-03-16.</summary>
    public static readonly CertificateDates Expiring = new(new DateOnly(2026, 6, 15), new DateOnly(2026, 6, 15));

    public static RenewalEvent Noticed(Holder holder, CertificateDates? expiry = null, DateTimeOffset? at = null) =>
        new RenewalEvent.ExpiryNoticeSent("N-0001", holder, expiry ?? Expiring, "JLIS-2026-03", at ?? new DateTimeOffset(2026, 3, 1, 9, 0, 0, JapanTime.Offset));

    public static PresentedDocument Licence(DocumentOwner owner = DocumentOwner.Representative) => new("driving-licence", owner, ValidUntil: new DateOnly(2030, 1, 1));

    public static PresentedDocument InsuranceCard(DocumentOwner owner = DocumentOwner.Representative) => new("health-insurance-card", owner);
}
