namespace CaseSystem.Cases.EventStore;

/// <summary>
/// What every event carries besides its data. The municipality comes from the tenant the store
/// was opened for; the server timestamp is set by the database. An idempotency key is scoped to
/// its stream: a repeat of a command that creates a stream must address the same stream id.
/// </summary>
public sealed record EventMetadata(
    string? ActorId = null,
    string? ActorOffice = null,
    Guid? CorrelationId = null,
    Guid? CausationId = null,
    string? IdempotencyKey = null,
    string? Command = null);

/// <summary>The outcome of an append; <see cref="Repeated"/> when the idempotency key had been seen and nothing was written.</summary>
public sealed record AppendResult(Guid StreamId, long FirstVersion, long LastVersion, long LastSequence, bool Repeated);

public sealed record StoredEvent(
    long Sequence,
    Guid StreamId,
    long Version,
    string Municipality,
    string EventType,
    object Data,
    EventMetadata Metadata,
    DateTimeOffset RecordedAt);

/// <summary>A stream as read: its events in order and the version they bring it to.</summary>
public sealed record StreamSlice(Guid StreamId, string Municipality, long Version, IReadOnlyList<StoredEvent> Events);

/// <summary>A timer an append sets on its stream: at most one per kind, set again to move it.</summary>
public sealed record TimerSchedule(string Kind, DateTimeOffset DueAt);

/// <summary>A timer that has fallen due.</summary>
public sealed record DueTimer(Guid StreamId, string Municipality, string Kind, DateTimeOffset DueAt);
