using CaseSystem.Cases.EventStore;
using CaseSystem.Cases.Policies;

namespace CaseSystem.Cases.Renewal;

/// <summary>
/// What a command did: the events it recorded (for a repeat, those its first send recorded) and
/// whether it was a repeat; and the case as it left it, when that is known without reading the
/// case again (not when a concurrent send of the same command got there first).
/// </summary>
public sealed record CommandOutcome(Guid CaseId, IReadOnlyList<RenewalEvent> Events, bool Repeated, RenewalState? StateAfter, long VersionAfter);

/// <summary>A case as read: its events' state and the version that state is at.</summary>
public sealed record LoadedCase(Guid CaseId, RenewalState State, long Version, IReadOnlyList<StoredEvent> Events);

/// <summary>
/// The application layer, which is one function: load the stream, fold, decide, append at the
/// expected version. A repeat of a command (same idempotency key) is recognised among the loaded
/// events before anything is decided, since deciding it again on a state that already holds its
/// outcome would refuse it.
/// </summary>
public sealed class CaseApplication(PostgresEventStore store)
{
    public async Task<CommandOutcome> HandleAsync(
        string municipality, Guid caseId, RenewalCommand command, long? ifMatch, EventMetadata metadata, CancellationToken ct = default)
    {
        var loaded = await LoadAsync(municipality, caseId, ct);

        if (metadata.IdempotencyKey is { } key && loaded.Events.Where(e => e.Metadata.IdempotencyKey == key).ToList() is { Count: > 0 } first)
        {
            return new CommandOutcome(caseId, [.. first.Select(e => (RenewalEvent)e.Data)], Repeated: true, loaded.State, loaded.Version);
        }
        if (ifMatch is { } expected && expected != loaded.Version)
        {
            throw new ConcurrencyException(caseId, ExpectedVersion.Exactly(expected), loaded.Version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var events = new RenewalDecider(MunicipalPolicies.For(municipality)).Decide(command, loaded.State);
        if (events.Count == 0) return new CommandOutcome(caseId, [], Repeated: false, loaded.State, loaded.Version);

        var after = events.Aggregate(loaded.State, RenewalState.Evolve);
        var timers = RenewalTimers.SetBy(events, after);
        var result = await store.For(municipality).AppendAsync(caseId, ExpectedVersion.Exactly(loaded.Version), [.. events], metadata, timers, ct);
        return result.Repeated
            ? new CommandOutcome(caseId, events, Repeated: true, StateAfter: null, result.LastVersion)
            : new CommandOutcome(caseId, events, Repeated: false, after, result.LastVersion);
    }

    /// <summary>The case's state; a case that does not exist yet is <see cref="RenewalState.NoCase"/> at version 0.</summary>
    public async Task<LoadedCase> LoadAsync(string municipality, Guid caseId, CancellationToken ct = default, DateTimeOffset? asOf = null)
    {
        try
        {
            var slice = await store.For(municipality).ReadStreamAsync(caseId, asOf: asOf, ct: ct);
            return new LoadedCase(caseId, RenewalState.Fold(slice.Events.Select(e => (RenewalEvent)e.Data)), slice.Version, slice.Events);
        }
        catch (StreamNotFoundException)
        {
            return new LoadedCase(caseId, RenewalState.Initial, 0, []);
        }
    }
}
