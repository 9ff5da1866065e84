namespace CaseSystem.Cases.Renewal;

/// <summary>
/// A rule of the domain, named so that a refusal can say which rule refused and where it comes
/// from: <see cref="Seed"/> is the municipal page (../shared/seeds/) it was read from, or
/// "domain.md" for a documented default the seeds leave open.
/// </summary>
public sealed record Rule(string Id, string Seed, string Ja, string En)
{
    public static class Seeds
    {
        public const string Takatsuki = "000_1c29ec30be0fd34c.txt";
        public const string Saku = "001_1357219a37cf8bc2.txt";
        public const string Fujiidera = "002_2a7693c0dfa04a34.txt";
        public const string Hirosaki = "003_546c67f138d13e20.txt";
        public const string Kawasaki = "004_90c5c7590592c0d4.txt";
        public const string DomainDefaults = "domain.md";
        public const string HolidaysAct = "国民の祝日に関する法律";
    }
}

/// <summary>A command refused by a rule: the decider's domain error. Nothing is recorded.</summary>
public sealed class RuleViolation(Rule rule, string? detail = null)
    : Exception($"{rule.Id} ({rule.Seed}): {rule.En}{(detail is null ? "" : " — " + detail)}")
{
    public Rule Rule { get; } = rule;

    /// <summary>Plain Japanese for the clerk: the rule's text and what in this case broke it.</summary>
    public string? Detail { get; } = detail;
}
