using CaseSystem.Cases.Renewal;
using JasperFx.Events;
using Marten.Events.Aggregation;

namespace CaseSystem.Cases.Store;

/// <summary>
/// A case as the command endpoints load it (Marten's FetchForWriting): the decider's state and
/// the stream version it is at. A case that has no events yet is null, which the endpoints read
/// as <see cref="RenewalState.NoCase"/>.
/// </summary>
public sealed class RenewalCase
{
    public Guid Id { get; set; }

    public long Version { get; set; }

    public RenewalState State { get; set; } = RenewalState.Initial;

    public static RenewalState StateOf(RenewalCase? loaded) => loaded?.State ?? RenewalState.Initial;
}

/// <summary>Folds a case's events with the decider's own <see cref="RenewalState.Evolve"/>: live, never stored.</summary>
public sealed class RenewalCaseProjection : SingleStreamProjection<RenewalCase, Guid>
{
    public override RenewalCase? Evolve(RenewalCase? snapshot, Guid id, IEvent e) => e.Data is RenewalEvent renewal
        ? new RenewalCase { Id = id, Version = e.Version, State = RenewalState.Evolve(RenewalCase.StateOf(snapshot), renewal) }
        : snapshot;
}
