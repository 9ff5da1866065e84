using System.Text.Json;
using CaseSystem.Cases.Api;
using CaseSystem.Cases.Api.Validation;
using CaseSystem.Cases.Renewal;

namespace CaseSystem.Cases.Tests.Http.Validation;

/// <summary>The API's JSON options: strict when reading a request, unchanged when writing an answer.</summary>
public sealed class StrictJsonTests
{
    private static readonly JsonSerializerOptions Options = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        StrictJson.Configure(options);
        return options;
    }

    [Fact]
    public void Answers_are_written_as_before_anonymous_types_enums_as_names_and_keys_moments_with_offset()
    {
        var json = JsonSerializer.Serialize(new
        {
            whoCame = WhoCame.AppointedProxy,
            pins = new Dictionary<Certificate, int> { [Certificate.Signing] = 5 },
            at = new DateTimeOffset(2026, 3, 16, 10, 0, 0, JapanTime.Offset),
            note = (string?)null,
        }, Options);
        Assert.Equal("""{"whoCame":"AppointedProxy","pins":{"Signing":5},"at":"2026-03-16T10:00:00+09:00","note":null}""", json);
    }

    [Theory]
    [InlineData("""{"certificate":"Signing","result":"Matched","triesLeft":5}""", true)]
    [InlineData("""{"certificate":"signing","result":"Matched","triesLeft":5}""", false)]
    [InlineData("""{"certificate":"1","result":"Matched","triesLeft":5}""", false)]
    [InlineData("""{"certificate":"Signing, UserAuthentication","result":"Matched","triesLeft":5}""", false)]
    [InlineData("""{"certificate":"Signing","result":"Mismatched, Locked","triesLeft":5}""", false)]
    [InlineData("""{"certificate":"Signing","result":"Matched"}""", false)]
    [InlineData("""{"certificate":"Signing","result":"Matched","triesLeft":"5"}""", false)]
    [InlineData("""{"certificate":"Signing","result":"Matched","triesLeft":5,"Pin":"1234"}""", false)]
    public void Requests_are_read_strictly(string json, bool accepted)
    {
        var read = () => JsonSerializer.Deserialize<PinCheckRequest>(json, Options);
        if (accepted) Assert.Equal(new PinCheckRequest(Certificate.Signing, PinCheckResult.Matched, 5), read());
        else Assert.Throws<JsonException>(read);
    }

    [Fact]
    public void A_refusal_of_a_missing_field_says_where_it_is()
    {
        var e = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<VisitRequest>(
            """{"office":"shimin-ka","whoCame":"Holder","documents":[{"kind":"passport","owner":"Holder"},{"kind":"passport"}]}""", Options));
        Assert.Contains("'owner'", e.Message);
        Assert.Contains("Path: $.documents[1] |", e.Message);
    }
}
