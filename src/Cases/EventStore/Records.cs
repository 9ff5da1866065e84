namespace CaseSystem.Cases.EventStore;

/// <summary>What the projection runner reads of each event's metadata (from Marten's mt_events: user_name and headers).</summary>
public sealed record EventMetadata(
    string? ActorId = null,
    string? ActorOffice = null,
    string? CorrelationId = null,
    string? Command = null);

/// <summary>An event as the projection runner reads it from the log.</summary>
public sealed record StoredEvent(
    long Sequence,
    Guid StreamId,
    long Version,
    string Municipality,
    string EventType,
    object Data,
    EventMetadata Metadata,
    DateTimeOffset RecordedAt);
