namespace CaseSystem.Cases.Renewal;

/// <summary>What the decider needs to know of a municipality's policy.</summary>
public interface IRenewalPolicy
{
    string Municipality { get; }

    /// <summary>List A or B for an identity document kind, or null when the municipality does not accept it as identity.</summary>
    DocumentList? ListOf(string documentKind);

    /// <summary>When a document of that kind counts: issued on or after a date, months of grace after its expiry.</summary>
    DocumentTerms TermsOf(string documentKind) => DocumentTerms.Usual;

    /// <summary>Whether a proxy showing these many documents of lists A and B is identified (000: A×1; 001: A×1 or B×2).</summary>
    bool ProxyIdentified(int listA, int listB);

    /// <summary>What a proxy must show, for the clerk: 「A1点またはB2点」.</summary>
    string ProxyIdentityJa { get; }

    /// <summary>What a proxy who showed these still has to show (「あとB1点、またはあとA1点」), or null when nothing: a refusal names only that (issue 13).</summary>
    string? ProxyIdentityShortfallJa(int listA, int listB) => null;

    bool ReservationRequired { get; }

    /// <summary>How far from the reserved time a visit may start (004: 予約した日時に来所); null where visits need no reservation.</summary>
    ReservationTerms? Reservation => ReservationRequired ? ReservationTerms.Default : null;

    /// <summary>Why the office does not receive visitors at that moment, or null when it does.</summary>
    (Rule Rule, string Detail)? ReceptionClosed(string office, DateTimeOffset at);

    /// <summary>The ward an office serves, where visits go to the ward office of the holder's address (004); null elsewhere.</summary>
    string? WardOf(string office) => null;

    /// <summary>The wards whose offices serve only their residents (004); empty elsewhere.</summary>
    IReadOnlyCollection<string> Wards => [];

    /// <summary>Days after mailing after which an unanswered inquiry is overdue.</summary>
    int InquiryReplyDays { get; }

    /// <summary>The document inquiry is applied for at the ward office of the holder's address (004).</summary>
    bool InquiryAtResidenceWardOfficeOnly => false;

    /// <summary>The proxy shows a letter of attorney (委任状) when applying for the inquiry (004).</summary>
    bool InquiryNeedsLetterOfAttorney => false;

    /// <summary>A proxy has certificates issued (not renewed) only on the visit after an answered inquiry (003); elsewhere the usual proxy rules.</summary>
    bool ProxyIssuanceNeedsInquiry => false;

    /// <summary>
    /// The proxy's visit after the inquiry, where the municipality sets its own requirement (004):
    /// whether the documents shown satisfy it (counts of lists A and B: the holder's besides their
    /// card, the proxy's), with the requirement in words; null where the usual proxy rule applies.
    /// </summary>
    IdentityTerms? SecondVisit => null;

    /// <summary>A legal representative resetting the holder's PIN, where the municipality asks for more (004); null elsewhere.</summary>
    IdentityTerms? RepresentativePinReset => null;
}

/// <summary>A document counts if issued on or after <see cref="IssuedOnOrAfter"/> and, where it has a validity, until <see cref="GraceAfterExpiryMonths"/> after it.</summary>
public sealed record DocumentTerms(DateOnly? IssuedOnOrAfter, int GraceAfterExpiryMonths)
{
    public static readonly DocumentTerms Usual = new(null, 0);
}

/// <summary>A visit may start from <see cref="EarliestBefore"/> before the reserved time to <see cref="LatestAfter"/> after it, on the reserved day.</summary>
public sealed record ReservationTerms(TimeSpan EarliestBefore, TimeSpan LatestAfter)
{
    /// <summary>The seed says only 「予約した日時に来所」: 30 minutes early to 60 minutes late is a documented default (domain.md).</summary>
    public static readonly ReservationTerms Default = new(TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(60));
}

/// <summary>
/// A requirement on two people's documents: the holder's (besides the card) and the acting
/// person's, counted by list; <see cref="LetterOfAttorney"/>: a 委任状 must be among them.
/// </summary>
public sealed record IdentityTerms(Func<int, int, bool> Holder, Func<int, int, bool> Acting, bool LetterOfAttorney, string Ja)
{
    /// <summary>The requirement as the things to bring, one per entry (<see cref="Ja"/> is them in one sentence).</summary>
    public IReadOnlyList<string> Parts { get; init; } = [Ja];

    /// <summary>The holder's part and the acting person's, in words, so that a refusal names only what is missing.</summary>
    public string? HolderJa { get; init; }

    public string? ActingJa { get; init; }

    /// <summary>What these counts and the letter leave missing, in words: only the parts not met (issue 13: "which document is missing, not all four").</summary>
    public IReadOnlyList<string> Missing(int holderA, int holderB, int actingA, int actingB, bool letter) =>
    [
        .. LetterOfAttorney && !letter ? ["委任状"] : Array.Empty<string>(),
        .. Holder(holderA, holderB) ? Array.Empty<string>() : [HolderJa ?? Ja],
        .. Acting(actingA, actingB) ? Array.Empty<string>() : [ActingJa ?? Ja],
    ];

    public bool IsSatisfiedBy(int holderA, int holderB, int actingA, int actingB, bool letter) =>
        Holder(holderA, holderB) && Acting(actingA, actingB) && (letter || !LetterOfAttorney);
}

/// <summary>Document kinds with a role of their own; identity documents are classified by the policy.</summary>
public static class DocumentKinds
{
    public const string MyNumberCard = "my-number-card";
    public const string FamilyRegisterCertificate = "family-register-certificate";
    public const string MaternalChildHandbook = "maternal-and-child-health-handbook";
    public const string GuardianshipCertificate = "guardianship-certificate";
    public const string LetterOfAttorney = "letter-of-attorney";
    public const string ReplyForm = "reply-form";

    /// <summary>
    /// The identity documents that carry an expiry (有効期限・有効期間) printed on them, for which
    /// the desk asks the date so that 「有効期限がある場合は、有効期限内の書類に限ります」 (004, 001)
    /// can be checked. The seeds do not list them; this is what the documents themselves print
    /// (a documented default, domain.md). A kind not listed has no such field at the desk: a
    /// 運転経歴証明書, a 身体障害者手帳, a pension certificate, a passbook. Some kinds here do not
    /// always print one (an older 健康保険証, a 学生証): the date is then left empty.
    /// </summary>
    public static readonly IReadOnlySet<string> WithValidity = new HashSet<string>(StringComparer.Ordinal)
    {
        MyNumberCard, "my-number-card-without-photo", "driving-licence", "passport",
        "resident-register-card-with-photo", "residence-card", "residence-card-without-photo",
        "special-permanent-resident-certificate", "special-permanent-resident-certificate-without-photo",
        "temporary-refuge-permit", "provisional-stay-permit", "mental-disability-certificate",
        "health-insurance-card", "long-term-care-insurance-card", "welfare-medical-expense-certificate",
        "medical-benefit-certificate", "pediatric-medical-certificate", "disability-welfare-service-certificate",
        "independence-support-medical-certificate", "public-assistance-certificate", "student-id",
        "firearm-permit", "real-estate-broker-licence", "marine-officer-licence", "seafarer-handbook",
    };

    /// <summary>
    /// The kinds the decider classifies itself whatever the municipality's profile lists (proofs of
    /// authority, the letter of attorney, the reply form); every other kind, the My Number Card
    /// too, is an identity document only if the profile lists it.
    /// </summary>
    public static readonly IReadOnlySet<string> WithRole = new HashSet<string>(StringComparer.Ordinal)
    {
        FamilyRegisterCertificate, MaternalChildHandbook, GuardianshipCertificate, LetterOfAttorney, ReplyForm,
    };
}
