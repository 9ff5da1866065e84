using CaseSystem.Cases.Renewal;

namespace CaseSystem.Cases.Policies;

/// <summary>One municipality's policy profile (tenant), read from Profiles/{slug}.json.</summary>
public sealed record MunicipalPolicy(
    string Slug,
    string LocalGovernmentCode,
    string NameJa,
    string Seed,
    ReservationPolicy Reservation,
    bool? PostOfficeRenewal,
    IReadOnlyList<OfficePolicy> Offices,
    IReadOnlyList<IdentityDocumentKind> IdentityDocuments,
    IdentityRequirement? HolderIdentityWhenPinFails,
    IdentityRequirement ProxyIdentity,
    IdentityRequirement? LegalRepresentativeIdentity,
    DocumentInquiryPolicy DocumentInquiry) : IRenewalPolicy
{
    string IRenewalPolicy.Municipality => Slug;

    /// <summary>What a legal representative resetting the holder's PIN shows, where the seed says more (004).</summary>
    public RepresentativePinReset? RepresentativePinResetTerms { get; init; }

    /// <summary>
    /// Days before the user-authentication certificate's expiry from which the health-insurance use
    /// registration cannot be applied for (002: 「有効期限までが5日以内になると…申し込みができなくなる」).
    /// </summary>
    public int? InsuranceRegistrationClosedDaysBeforeExpiry { get; init; }

    /// <summary>A proxy has certificates issued only on the visit after an answered inquiry (003).</summary>
    public bool ProxyIssuanceNeedsInquiry { get; init; }

    /// <summary>
    /// The smallest group the reports show counts and rates for (the profile's reportSuppressBelow):
    /// an analyst may raise it for a report, never lower it (issue 14).
    /// </summary>
    public int ReportSuppressBelow { get; init; } = 5;

    /// <summary>Where residents ask, as the seed gives it (printed on the handouts); null where it names no number.</summary>
    public MunicipalContact? Contact { get; init; }

    DocumentTerms IRenewalPolicy.TermsOf(string documentKind) =>
        Document(documentKind) is { } d ? new DocumentTerms(d.IssuedOnOrAfter, d.GraceAfterExpiryMonths ?? 0) : DocumentTerms.Usual;

    string? IRenewalPolicy.WardOf(string office) => Offices.FirstOrDefault(o => o.Id == office)?.Ward;

    IReadOnlyCollection<string> IRenewalPolicy.Wards => [.. Offices.Select(o => o.Ward).OfType<string>()];

    bool IRenewalPolicy.InquiryAtResidenceWardOfficeOnly => DocumentInquiry.ApplicationAtResidenceWardOfficeOnly;

    bool IRenewalPolicy.InquiryNeedsLetterOfAttorney => DocumentInquiry.LetterOfAttorneyAtApplication;

    bool IRenewalPolicy.ProxyIssuanceNeedsInquiry => ProxyIssuanceNeedsInquiry;

    IdentityTerms? IRenewalPolicy.SecondVisit => DocumentInquiry.SecondVisit is { } s ? SecondVisitTerms(s) : null;

    private static IdentityTerms SecondVisitTerms(InquirySecondVisit s)
    {
        var holder = $"本人の本人確認書類(マイナンバーカードのほかに{s.HolderIdentity.DescriptionJa})";
        var proxy = $"代理人の本人確認書類({s.ProxyIdentity.DescriptionJa})";
        string[] parts = [.. s.LetterOfAttorneyRequired ? ["委任状"] : Array.Empty<string>(), holder, proxy];
        return new IdentityTerms(s.HolderIdentity.IsSatisfiedBy, s.ProxyIdentity.IsSatisfiedBy, s.LetterOfAttorneyRequired, string.Join("、", parts))
        {
            Parts = parts,
            HolderJa = holder,
            ActingJa = proxy,
        };
    }

    IdentityTerms? IRenewalPolicy.RepresentativePinReset => RepresentativePinResetTerms is { } r
        ? new IdentityTerms(r.HolderIdentity.IsSatisfiedBy, r.RepresentativeIdentity.IsSatisfiedBy, false,
            $"申請者の本人確認書類(マイナンバーカードのほかに{r.HolderIdentity.DescriptionJa})と法定代理人の本人確認書類({r.RepresentativeIdentity.DescriptionJa})")
        : null;

    DocumentList? IRenewalPolicy.ListOf(string documentKind) => Document(documentKind)?.List switch
    {
        IdentityDocumentList.A => DocumentList.A,
        IdentityDocumentList.B => DocumentList.B,
        _ => null,
    };

    bool IRenewalPolicy.ProxyIdentified(int listA, int listB) => ProxyIdentity.Alternatives.Any(c => c.IsSatisfiedBy(listA, listB));

    string IRenewalPolicy.ProxyIdentityJa => ProxyIdentity.DescriptionJa;

    string? IRenewalPolicy.ProxyIdentityShortfallJa(int listA, int listB) => ProxyIdentity.ShortfallJa(listA, listB);

    bool IRenewalPolicy.ReservationRequired => Reservation.Required;

    (Rule Rule, string Detail)? IRenewalPolicy.ReceptionClosed(string office, DateTimeOffset at) =>
        Offices.FirstOrDefault(o => o.Id == office) is not { } known
            ? (Rules.UnknownOffice, $"{NameJa}に「{office}」という窓口はありません。")
            : known.ReceptionAt(at) is { IsOpen: false } closed ? (closed.Rule, closed.Detail) : null;

    int IRenewalPolicy.InquiryReplyDays => DocumentInquiry.OverdueAfterDays;

    public OfficePolicy Office(string id) =>
        Offices.FirstOrDefault(o => o.Id == id)
        ?? throw new KeyNotFoundException($"{Slug} has no office '{id}' (offices: {string.Join(", ", Offices.Select(o => o.Id))}).");

    public IdentityDocumentKind? Document(string code) => IdentityDocuments.FirstOrDefault(d => d.Code == code);

    /// <summary>The lists of the documents shown; codes this municipality does not know count for nothing.</summary>
    public IReadOnlyList<IdentityDocumentList> Classify(IEnumerable<string> codes) =>
        codes.Select(Document).OfType<IdentityDocumentKind>().Select(d => d.List).ToList();

    public bool AcceptsProxyIdentity(IEnumerable<string> codes) => ProxyIdentity.IsSatisfiedBy(Classify(codes));
}

public enum OfficeKind { Main, Branch, Centre, WardOffice }

public sealed record ReservationPolicy(bool Required, IReadOnlyList<string> ChannelsJa);

public enum IdentityDocumentList { A, B }

/// <summary>An identity document (本人確認書類) kind with a stable code such as "driving-licence".</summary>
public sealed record IdentityDocumentKind(
    string Code,
    string NameJa,
    IdentityDocumentList List,
    DateOnly? IssuedOnOrAfter,
    int? GraceAfterExpiryMonths);

/// <summary>Documents needed: any one of <see cref="Alternatives"/> (e.g. A×1 or B×2).</summary>
public sealed record IdentityRequirement(IReadOnlyList<IdentityCombination> Alternatives)
{
    public bool IsSatisfiedBy(int a, int b) => Alternatives.Any(c => c.IsSatisfiedBy(a, b));

    public bool IsSatisfiedBy(IEnumerable<IdentityDocumentList> shown)
    {
        var list = shown.ToList();
        int a = list.Count(l => l == IdentityDocumentList.A), b = list.Count - a;
        return Alternatives.Any(c => c.IsSatisfiedBy(a, b));
    }

    public string DescriptionJa => string.Join("または", Alternatives.Select(c => c.DescriptionJa));

    /// <summary>What is still to be shown after these, in each way the requirement allows (「あとB1点、またはあとA1点」); null when it is met.</summary>
    public string? ShortfallJa(int a, int b) =>
        IsSatisfiedBy(a, b) ? null : string.Join("、または", Alternatives.Select(c => c.ShortfallJa(a, b)).OfType<string>().Distinct());

    public override string ToString() => DescriptionJa;
}

/// <summary>At least <see cref="A"/> documents of list A, <see cref="B"/> of list B and <see cref="Any"/> more of either.</summary>
public sealed record IdentityCombination(int A, int B, int Any)
{
    public int Total => A + B + Any;

    /// <summary>A document of list A also counts where one of list B is asked for.</summary>
    public bool IsSatisfiedBy(int shownA, int shownB) =>
        shownA >= A && shownA - A + shownB >= B && shownA + shownB >= Total;

    /// <summary>What this combination still needs after <paramref name="shownA"/> and <paramref name="shownB"/> documents (「あとB1点」), or null when it is met.</summary>
    public string? ShortfallJa(int shownA, int shownB)
    {
        if (IsSatisfiedBy(shownA, shownB)) return null;
        var needA = Math.Max(0, A - shownA);
        var needB = Math.Max(0, B - Math.Max(0, shownA - A) - shownB);
        var needAny = Math.Max(0, Total - (shownA + shownB + needA + needB));
        var parts = new List<string>();
        if (needA > 0) parts.Add($"A{needA}点");
        if (needB > 0) parts.Add($"B{needB}点");
        if (needAny > 0) parts.Add(parts.Count == 0 ? $"AまたはBから{needAny}点" : $"ほかに{needAny}点");
        return "あと" + string.Join("と", parts);
    }

    public string DescriptionJa
    {
        get
        {
            var parts = new List<string>();
            if (A > 0) parts.Add($"A{A}点");
            if (B > 0) parts.Add($"B{B}点");
            if (parts.Count == 0) return $"AまたはBから{Any}点";
            var named = string.Join("と", parts);
            return Any == 0 ? named : $"{named}を含む{Total}点";
        }
    }
}

/// <summary>Who answers residents' questions, by telephone.</summary>
public sealed record MunicipalContact(string NameJa, string Phone, string? HoursJa);

/// <summary>The mailed document inquiry (文書照会) and the visit after it.</summary>
public sealed record DocumentInquiryPolicy(
    int OverdueAfterDays,
    string OverdueAfterDaysSource,
    bool ApplicationAtResidenceWardOfficeOnly,
    InquirySecondVisit? SecondVisit)
{
    /// <summary>The proxy shows a letter of attorney when applying for the inquiry (004: 持ち物 ・委任状).</summary>
    public bool LetterOfAttorneyAtApplication { get; init; }

    public DateOnly DueOn(DateOnly mailedOn) => mailedOn.AddDays(OverdueAfterDays);
}

public sealed record InquirySecondVisit(
    IdentityRequirement HolderIdentity,
    IdentityRequirement ProxyIdentity,
    bool LetterOfAttorneyRequired);

/// <summary>A legal representative resetting the holder's PIN (004): the holder's documents besides the card, and the representative's.</summary>
public sealed record RepresentativePinReset(IdentityRequirement HolderIdentity, IdentityRequirement RepresentativeIdentity);
