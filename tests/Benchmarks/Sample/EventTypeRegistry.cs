using System.Text.Json;
using System.Text.Json.Serialization;

namespace CaseSystem.Benchmarks.Sample;

/// <summary>
/// The event types the benchmarks write straight into Marten's tables (the sample's COPY, the raw
/// insert baseline) and read back, each under the name Marten stores it by, in the store's JSON.
/// </summary>
public sealed class EventTypeRegistry
{
    private readonly Dictionary<string, Type> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<Type, string> _byType = [];

    public static JsonSerializerOptions DefaultJsonOptions => CaseSystem.Cases.Store.CaseStore.EventJson;

    public EventTypeRegistry(JsonSerializerOptions? json = null)
    {
        Json = json ?? DefaultJsonOptions;
    }

    /// <summary>The renewal events, under the names Marten stores them by (CaseStore).</summary>
    public static EventTypeRegistry ForRenewalEvents()
    {
        var registry = new EventTypeRegistry();
        foreach (var type in CaseSystem.Cases.Renewal.RenewalEvent.Types) registry.Register(type, type.Name);
        return registry;
    }

    public JsonSerializerOptions Json { get; }

    public IReadOnlyCollection<Type> Types => _byType.Keys;

    public EventTypeRegistry Register(Type type, string? name = null)
    {
        name ??= type.Name;
        if (_byName.TryGetValue(name, out var existing) && existing != type)
        {
            throw new InvalidOperationException($"event type name '{name}' is registered for {existing} already");
        }
        if (_byType.TryGetValue(type, out var existingName) && existingName != name)
        {
            throw new InvalidOperationException($"{type} is registered as '{existingName}' already");
        }
        _byName[name] = type;
        _byType[type] = name;
        return this;
    }

    public EventTypeRegistry Register<T>(string? name = null) => Register(typeof(T), name);

    public string NameOf(Type type) =>
        _byType.TryGetValue(type, out var name)
            ? name
            : throw new InvalidOperationException($"{type} is not a registered event type");

    public Type TypeOf(string name) =>
        _byName.TryGetValue(name, out var type) ? type : throw new InvalidOperationException($"no event type is registered as '{name}'");

    public string Serialize(object @event) => JsonSerializer.Serialize(@event, @event.GetType(), Json);

    public object Deserialize(string name, string json) =>
        JsonSerializer.Deserialize(json, TypeOf(name), Json)
        ?? throw new InvalidOperationException($"event of type '{name}' deserialized to null");

}
