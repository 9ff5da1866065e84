using System.Diagnostics.CodeAnalysis;
using CaseSystem.Cases.Renewal;

namespace CaseSystem.Cases.Policies;

/// <summary>Whether an office receives visitors at a moment; when not, the rule that says so and a detail for the clerk.</summary>
public sealed class ReceptionDecision
{
    private ReceptionDecision(Rule? rule, string? detail)
    {
        Rule = rule;
        Detail = detail;
    }

    public static ReceptionDecision Open { get; } = new(null, null);

    public static ReceptionDecision Closed(Rule rule, string detail) => new(rule, detail);

    [MemberNotNullWhen(false, nameof(Rule), nameof(Detail))]
    public bool IsOpen => Rule is null;

    public Rule? Rule { get; }

    /// <summary>Plain Japanese for the clerk, e.g. 「受付時間は平日8時45分から17時15分です」.</summary>
    public string? Detail { get; }

    public RuleViolation ToViolation() =>
        IsOpen ? throw new InvalidOperationException("The office is open: nothing to refuse.") : new RuleViolation(Rule, Detail);

    public override string ToString() => IsOpen ? "open" : $"closed: {Rule.Id} — {Detail}";
}
