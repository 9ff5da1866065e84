namespace CaseSystem.Cases.EventStore;

public sealed class UnknownEventTypeException(string name) : Exception($"no event type is registered as '{name}'")
{
    public string EventTypeName { get; } = name;
}
