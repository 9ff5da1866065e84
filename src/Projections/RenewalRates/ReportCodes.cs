using CaseSystem.Cases.Renewal;

namespace CaseSystem.Projections.RenewalRates;

/// <summary>The codes the report's columns hold: stable, lower case, in English.</summary>
public static class ReportCodes
{
    public const string RenewedBeforeExpiry = "renewed-before-expiry";
    public const string RenewedLate = "renewed-late";

    /// <summary>Certificates issued onto a re-issued card (003 ※, 200 yen): an issuance of its own, counted as renewed in the rate.</summary>
    public const string IssuedOnReissuedCard = "issued-on-reissued-card";
    public const string Lapsed = "lapsed";
    public const string Open = "open";
    public const string Withdrawn = "withdrawn";
    public const string MovedOut = "moved-out";

    public const string Holder = "holder";
    public const string Proxy = "proxy";

    /// <summary>A parent of a holder under 15, or the guardian of an adult ward.</summary>
    public const string LegalRepresentative = "legal-representative";

    public static readonly IReadOnlyList<string> AgeBands = ["0-14", "15-17", "18-29", "30-49", "50-64", "65-74", "75+"];

    public static string WhoCame(WhoCame whoCame) => whoCame switch
    {
        Cases.Renewal.WhoCame.Holder => Holder,
        Cases.Renewal.WhoCame.AppointedProxy => Proxy,
        Cases.Renewal.WhoCame.LegalRepresentativeOfMinor or Cases.Renewal.WhoCame.GuardianOfAdultWard => LegalRepresentative,
        _ => throw new ArgumentOutOfRangeException(nameof(whoCame), whoCame, null),
    };

    /// <summary>The holder's age band on the expiry date of the user-authentication certificate.</summary>
    public static string AgeBand(int age) => age switch
    {
        < 15 => "0-14",
        < 18 => "15-17",
        < 30 => "18-29",
        < 50 => "30-49",
        < 65 => "50-64",
        < 75 => "65-74",
        _ => "75+",
    };
}
