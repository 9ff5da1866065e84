namespace CaseSystem.Cases.EventStore;

public abstract class EventStoreException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The writer lost a race: the stream was not at the version it expected. Nothing was written.</summary>
public sealed class ConcurrencyException(Guid streamId, ExpectedVersion expected, string actual, Exception? inner = null)
    : EventStoreException($"stream {streamId} was expected at version {expected} but is at {actual}", inner)
{
    public Guid StreamId { get; } = streamId;
    public ExpectedVersion Expected { get; } = expected;
    public string Actual { get; } = actual;
}

/// <summary>No such stream in this municipality (whether or not another municipality has one by that id).</summary>
public sealed class StreamNotFoundException(Guid streamId, string municipality, Exception? inner = null)
    : EventStoreException($"stream {streamId} not found in municipality {municipality}", inner)
{
    public Guid StreamId { get; } = streamId;
    public string Municipality { get; } = municipality;
}

public sealed class UnknownEventTypeException(string name)
    : EventStoreException($"no event type is registered as '{name}'")
{
    public string EventTypeName { get; } = name;
}
