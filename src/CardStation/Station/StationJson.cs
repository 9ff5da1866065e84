using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CaseSystem.CardStation.Station;

public static class StationJson
{
    /// <summary>camelCase, enums by name, Japanese left readable; one object per line.</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static string Line<T>(T value) => JsonSerializer.Serialize(value, Options);
}
