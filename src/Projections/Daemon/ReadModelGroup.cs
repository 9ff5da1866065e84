using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Weasel.Postgresql.Tables;

namespace CaseSystem.Projections.Daemon;

/// <summary>
/// Read models that fold the same events, run by Marten's daemon as one projection: one reading of
/// the log (and one deserialising of each event) for all of them, each page handed to every member
/// with the events it reads, their upserts committed together with the group's progress (issue 12:
/// with the case finder, the worklists and the report as one group, ops/bench import measured
/// 5,455 and 5,793 lines/s run alternately with 5,031 and 4,377 for the three apart, CPU per line
/// 327–344 µs against 375–429, 2026-12-03).
/// <para>
/// The group is what the operators see and act on: one shard, one status, one rebuild, one set of
/// dead letters (an event a member cannot fold is set aside for the group, and a replay folds the
/// case anew in every member). Its members take the group's version for their schemas, so that a
/// new version of any member builds all of them beside the ones that serve (blue/green), instead of
/// replaying the log into the serving tables of the others.
/// </para>
/// </summary>
public sealed class ReadModelGroup : ProjectionBase, IReadModel
{
    private readonly IReadOnlyList<(IReadModel Model, HashSet<Type>? Types)> _members;

    public ReadModelGroup(string name, uint version, params IReadModel[] members)
    {
        Name = name;
        Version = version;
        foreach (var member in members)
        {
            if (member.Version != version) throw new ArgumentException($"{member.Name} is at version {member.Version}, its group {name} at {version}: a member takes its group's version", nameof(members));
        }
        _members = [.. members.Select(m => (m, ((ProjectionBase)m).IncludedEventTypes is { Count: > 0 } types ? types.ToHashSet() : null))];
        // A member that reads every event type makes the group read them all; else the union.
        if (_members.All(m => m.Types is not null))
        {
            foreach (var type in _members.SelectMany(m => m.Types!).Distinct()) IncludeType(type);
        }
        var first = (ProjectionBase)members[0];
        Options.BatchSize = first.Options.BatchSize;
        Options.MaximumHopperSize = first.Options.MaximumHopperSize;
    }

    public IReadOnlyList<IReadModel> Members => [.. _members.Select(m => m.Model)];

    public ShardName Shard => new(Name, ShardName.All, Version);

    public IReadOnlyList<Table> Tables => [.. _members.SelectMany(m => m.Model.Tables)];

    public async Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        foreach (var (model, types) in _members)
        {
            var mine = ReadBy(types, events);
            if (mine.Count > 0) await model.ApplyAsync(operations, mine, cancellation);
        }
    }

    public async Task RefoldAsync(IDocumentSession session, IReadOnlyList<IEvent> events, CancellationToken ct)
    {
        QueueRefold(session, events);
        await session.SaveChangesAsync(ct);
    }

    public void QueueRefold(IDocumentSession session, IReadOnlyList<IEvent> events)
    {
        foreach (var (model, types) in _members) model.QueueRefold(session, ReadBy(types, events));
    }

    /// <summary>The events of the types a member reads (all of them for a member that reads every type).</summary>
    private static IReadOnlyList<IEvent> ReadBy(HashSet<Type>? types, IReadOnlyList<IEvent> events) =>
        types is null ? events : [.. events.Where(e => types.Contains(e.EventType))];
}

/// <summary>The versions of the read model groups: a change to any member's tables or fold raises its group's.</summary>
public static class ReadModelGroupVersions
{
    /// <summary>
    /// The case finder, the worklists and the report (ReadModels.CaseViews). 3: the three as one
    /// group (2026-12-03), above every version any of them had alone (the finder was at 2), so that
    /// their schemas (case_finder_v3, worklists_v3, renewal_report_v3) are new and built beside the old.
    /// </summary>
    public const uint CaseViews = 3;
}
