using CaseSystem.Cases.Policies;

namespace CaseSystem.Tests.Shared;

/// <summary>A counter where a clerk works: the municipality's policy, an office open for the whole run.</summary>
internal sealed record Desk(string Municipality, MunicipalPolicy Policy, string Office);

/// <summary>The counters the load programs (ops/bench http, ops/chaos) spread their clerks over.</summary>
internal static class OpenDesks
{
    public static readonly string[] Municipalities = ["takatsuki", "saku", "fujiidera", "hirosaki", "kawasaki"];

    /// <summary>
    /// Every office of the five municipalities open for reception the whole time from
    /// <paramref name="from"/> over <paramref name="span"/>, interleaved across the municipalities
    /// so that consecutive clients spread over all five.
    /// </summary>
    public static List<Desk> From(DateTimeOffset from, TimeSpan span)
    {
        var perMunicipality = Municipalities.Select(slug =>
        {
            var policy = MunicipalPolicies.For(slug);
            var open = policy.Offices
                .Where(o => Enumerable.Range(0, (int)span.TotalMinutes + 1).All(m => o.ReceptionAt(from.AddMinutes(m)).IsOpen))
                .Select(o => new Desk(slug, policy, o.Id))
                .ToList();
            return open.Count > 0 ? open : throw new InvalidOperationException($"no office of {slug} is open from {from:yyyy-MM-dd HH:mm} for {span}");
        }).ToList();
        var desks = new List<Desk>();
        for (var round = 0; desks.Count < perMunicipality.Sum(o => o.Count); round++)
        {
            desks.AddRange(perMunicipality.Where(o => round < o.Count).Select(o => o[round]));
        }
        return desks;
    }
}
