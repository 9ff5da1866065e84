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

    DocumentList? IRenewalPolicy.ListOf(string documentKind) => Document(documentKind)?.List switch
    {
        IdentityDocumentList.A => DocumentList.A,
        IdentityDocumentList.B => DocumentList.B,
        _ => null,
    };

    bool IRenewalPolicy.ProxyIdentified(int listA, int listB) => ProxyIdentity.Alternatives.Any(c => c.IsSatisfiedBy(listA, listB));

    string IRenewalPolicy.ProxyIdentityJa => ProxyIdentity.DescriptionJa;

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
    public bool IsSatisfiedBy(IEnumerable<IdentityDocumentList> shown)
    {
        var list = shown.ToList();
        int a = list.Count(l => l == IdentityDocumentList.A), b = list.Count - a;
        return Alternatives.Any(c => c.IsSatisfiedBy(a, b));
    }

    public string DescriptionJa => string.Join("または", Alternatives.Select(c => c.DescriptionJa));

    public override string ToString() => DescriptionJa;
}

/// <summary>At least <see cref="A"/> documents of list A, <see cref="B"/> of list B and <see cref="Any"/> more of either.</summary>
public sealed record IdentityCombination(int A, int B, int Any)
{
    public int Total => A + B + Any;

    /// <summary>A document of list A also counts where one of list B is asked for.</summary>
    public bool IsSatisfiedBy(int shownA, int shownB) =>
        shownA >= A && shownA - A + shownB >= B && shownA + shownB >= Total;

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

/// <summary>The mailed document inquiry (文書照会) and the visit after it.</summary>
public sealed record DocumentInquiryPolicy(
    int OverdueAfterDays,
    string OverdueAfterDaysSource,
    bool ApplicationAtResidenceWardOfficeOnly,
    InquirySecondVisit? SecondVisit)
{
    public DateOnly DueOn(DateOnly mailedOn) => mailedOn.AddDays(OverdueAfterDays);
}

public sealed record InquirySecondVisit(
    IdentityRequirement HolderIdentity,
    IdentityRequirement ProxyIdentity,
    bool LetterOfAttorneyRequired);
