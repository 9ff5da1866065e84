using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using CaseSystem.Cases.Tests.Support;

namespace CaseSystem.Cases.Tests.Http.Validation;

/// <summary>
/// Every command endpoint × every kind of field it takes, refused at the edge: a 400
/// invalid-request problem whose errors name the field by its JSON path, in Japanese and English,
/// without the value refused, and nothing appended. Validation comes before the case is loaded,
/// so one case serves every row.
/// </summary>
public sealed class RequestValidationTests(TestDatabase db) : IClassFixture<TestDatabase>, IAsyncLifetime
{
    private static readonly DateTimeOffset Monday10 = new(2026, 3, 16, 10, 0, 0, JapanTime.Offset);

    private const string Holder = """{"nameKanji":"佐藤 一郎","nameKana":"サトウ イチロウ","birthDate":"1980-06-15","registeredAddress":"長野県佐久市中込3056"}""";
    private const string Expiry = """{"userAuthenticationExpiry":"2026-06-15","signingExpiry":"2026-06-15"}""";
    private const string Doc = """{"kind":"driving-licence","owner":"Representative"}""";

    private TestServer _server = null!;
    private string _case = "";

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync(db, Monday10);
        (_case, _) = await _server.OpenCaseAsync();
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static string Open(string holder = Holder, string expiry = Expiry, string office = "\"shimin-ka\"") =>
        $$"""{"holder":{{holder}},"expiry":{{expiry}},"office":{{office}}}""";

    /// <summary>The holder with one field's JSON replaced.</summary>
    private static string Person(string field, string json)
    {
        var fields = JsonDocument.Parse(Holder).RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetRawText());
        fields[field] = json;
        return "{" + string.Join(",", fields.Select(f => $"\"{f.Key}\":{f.Value}")) + "}";
    }

    private static readonly string LongName = new('名', 101);

    /// <summary>(endpoint under the case, or "" to open one; body; the field refused; a value that must not come back).</summary>
    public static TheoryData<string, string, string, string?> Refused() => new()
    {
        // Opening a case: the holder, names, dates, the office.
        { "", "{}", "holder", null },
        { "", "{}", "office", null },
        { "", Open(holder: "null"), "holder", null },
        { "", Open(holder: """{"nameKanji":"佐藤 一郎","birthDate":"1980-06-15","registeredAddress":"長野県"}"""), "holder.nameKana", null },
        { "", Open(holder: Person("nameKanji", "\"  \"")), "holder.nameKanji", null },
        { "", Open(holder: Person("nameKanji", $"\"{LongName}\"")), "holder.nameKanji", LongName },
        { "", Open(holder: Person("nameKana", "\"サトウ\\u0000\"")), "holder.nameKana", null },
        { "", Open(holder: Person("registeredAddress", $"\"{new string('町', 201)}\"")), "holder.registeredAddress", null },
        // A My Number pasted into a person's text is refused, and not repeated in the answer.
        { "", Open(holder: Person("registeredAddress", "\"長野県佐久市中込 1234 5678 9012\"")), "holder.registeredAddress", "1234 5678 9012" },
        { "", Open(holder: Person("birthDate", "\"1899-12-31\"")), "holder.birthDate", "1899-12-31" },
        { "", Open(holder: Person("birthDate", "\"2026-03-17\"")), "holder.birthDate", null },
        { "", Open(holder: Person("birthDate", "\"15/06/1980\"")), "holder.birthDate", "15/06/1980" },
        { "", Open(holder: Person("birthDate", "19800615")), "holder.birthDate", "19800615" },
        { "", Open(expiry: """{"userAuthenticationExpiry":"2015-12-31"}"""), "expiry.userAuthenticationExpiry", null },
        { "", Open(expiry: """{"userAuthenticationExpiry":"2026-06-15","signingExpiry":"2036-03-17"}"""), "expiry.signingExpiry", null },
        { "", Open(expiry: """{"signingExpiry":"2026-06-15"}"""), "expiry.userAuthenticationExpiry", null },
        { "", Open(office: "\"nowhere-office\""), "office", "nowhere-office" },
        { "", Open(office: "7"), "office", null },
        { "", Open().Replace("\"office\"", "\"myNumber\":\"123456789012\",\"office\""), "myNumber", "123456789012" },
        { "", "null", "$", null },
        { "", "[]", "$", null },
        // A reservation: a moment with its offset, within a year.
        { "/reservations", """{"office":"shimin-ka","slotStart":"2026-03-20T10:00:00"}""", "slotStart", null },
        { "/reservations", """{"office":"shimin-ka","slotStart":"2027-03-20T10:00:00+09:00"}""", "slotStart", null },
        { "/reservations", """{"office":"shimin-ka","slotStart":"2026-02-01T10:00:00+09:00"}""", "slotStart", null },
        { "/reservations", """{"slotStart":"2026-03-20T10:00:00+09:00"}""", "office", null },
        // An arrival: the office and a ticket number for the wall display.
        { "/arrivals", "{}", "ticketNumber", null },
        { "/arrivals", """{"office":null,"ticketNumber":"A-1"}""", "office", null },
        { "/arrivals", """{"office":"shimin-ka","ticketNumber":"A-12345678901234567"}""", "ticketNumber", "A-12345678901234567" },
        { "/arrivals", """{"office":"shimin-ka","ticketNumber":" "}""", "ticketNumber", null },
        { "/arrivals", """{"office":"shimin-ka","ticketNumber":"A-\u202E1"}""", "ticketNumber", null },
        { "/arrivals", """{"office":"shimin-ka","ticketNumber":"A-\ud8001"}""", "ticketNumber", null },
        { "/arrivals", """{"office":"shimin-ka","ticketNumber":12}""", "ticketNumber", null },
        { "/arrivals", """{"office":"shimin-ka","ticketNumber":"A-1","ticketNumber":"A-2"}""", "ticketNumber", null },
        // A call: the office, a counter's label, the clerk.
        { "/calls", """{"office":"shimin-ka","counter":"1番窓口"}""", "clerkId", null },
        { "/calls", $$"""{"office":"shimin-ka","counter":"{{new string('1', 33)}}","clerkId":"clerk-1"}""", "counter", null },
        { "/calls", """{"office":"usuda-x","counter":"1番窓口","clerkId":"clerk-1"}""", "office", "usuda-x" },
        // A counter the office does not have (its profile's counters, here the default three).
        { "/calls", """{"office":"shimin-ka","counter":"9番窓口","clerkId":"clerk-1"}""", "counter", "9番窓口" },
        // A card read: ids, the expiry, tries left as counts.
        { "/card-reads", """{"stationId":"st-1","userAuthenticationSerial":"0A1B","userAuthenticationExpiry":"2026-06-15","userAuthenticationPinTriesLeft":6,"signingPinTriesLeft":5}""", "userAuthenticationPinTriesLeft", null },
        { "/card-reads", """{"stationId":"st-1","userAuthenticationSerial":"0A1B","userAuthenticationExpiry":"2026-06-15","userAuthenticationPinTriesLeft":3,"signingPinTriesLeft":-1}""", "signingPinTriesLeft", null },
        // Tries left as a card counts them (003): user authentication at most 3, signing at most 5.
        { "/card-reads", """{"stationId":"st-1","userAuthenticationSerial":"0A1B","userAuthenticationExpiry":"2026-06-15","userAuthenticationPinTriesLeft":4,"signingPinTriesLeft":5}""", "userAuthenticationPinTriesLeft", null },
        { "/card-reads", """{"stationId":"st-1","userAuthenticationSerial":"0A1B","userAuthenticationExpiry":"2026-06-15","userAuthenticationPinTriesLeft":3,"signingPinTriesLeft":6}""", "signingPinTriesLeft", null },
        { "/card-reads", """{"stationId":"st-1","userAuthenticationSerial":"0A1B","userAuthenticationExpiry":"2026-06-15","userAuthenticationPinTriesLeft":"3","signingPinTriesLeft":5}""", "userAuthenticationPinTriesLeft", null },
        { "/card-reads", """{"stationId":"st-1","userAuthenticationSerial":"0A1B","userAuthenticationExpiry":"2026-06-15","userAuthenticationPinTriesLeft":2.5,"signingPinTriesLeft":5}""", "userAuthenticationPinTriesLeft", null },
        { "/card-reads", """{"stationId":"st-1","userAuthenticationExpiry":"2026-06-15","userAuthenticationPinTriesLeft":3,"signingPinTriesLeft":5}""", "userAuthenticationSerial", null },
        { "/card-reads", """{"stationId":"st-1","userAuthenticationSerial":"0A1B","userAuthenticationExpiry":"2099-06-15","userAuthenticationPinTriesLeft":3,"signingPinTriesLeft":5}""", "userAuthenticationExpiry", null },
        { "/card-reads", $$"""{"stationId":"{{new string('s', 65)}}","userAuthenticationSerial":"0A1B","userAuthenticationExpiry":"2026-06-15","userAuthenticationPinTriesLeft":3,"signingPinTriesLeft":5}""", "stationId", null },
        // A visit: who came by name only, documents in bounds.
        { "/visits", """{"office":"shimin-ka","whoCame":1,"documents":[]}""", "whoCame", null },
        { "/visits", """{"office":"shimin-ka","whoCame":"holder","documents":[]}""", "whoCame", null },
        { "/visits", """{"office":"shimin-ka","whoCame":"Neighbour","documents":[]}""", "whoCame", "Neighbour" },
        { "/visits", """{"office":"shimin-ka","whoCame":"Holder","documents":"none"}""", "documents", null },
        { "/visits", """{"office":"shimin-ka","whoCame":"Holder","documents":[null]}""", "documents[0]", null },
        { "/visits", $$"""{"office":"shimin-ka","whoCame":"Holder","documents":[{{Doc}},{"owner":"Holder"}]}""", "documents[1].kind", null },
        { "/visits", """{"office":"shimin-ka","whoCame":"Holder","documents":[{"kind":"passport","owner":"Holder, Representative"}]}""", "documents[0].owner", null },
        // A document kind the municipality's profile does not list (nor one with a role of its own): the field, not the value.
        { "/visits", """{"office":"shimin-ka","whoCame":"Holder","documents":[{"kind":"library-card","owner":"Holder"}]}""", "documents[0].kind", "library-card" },
        { "/visits", $$"""{"office":"shimin-ka","whoCame":"Holder","documents":[{{Doc}},{"kind":"Passport","owner":"Holder"}]}""", "documents[1].kind", "Passport" },
        // Saku's profile has no my-number-card-without-photo (Kawasaki's has).
        { "/visits", """{"office":"shimin-ka","whoCame":"Holder","documents":[{"kind":"my-number-card-without-photo","owner":"Holder"}]}""", "documents[0].kind", "without-photo" },
        { "/visits/current/documents", """{"documents":[{"kind":"library-card","owner":"Holder"}],"reason":"書類の入力誤り"}""", "documents[0].kind", "library-card" },
        { "/visits", """{"office":"shimin-ka","whoCame":"Holder","documents":[{"kind":"passport","owner":"Holder","issuedOn":"2026-03-17"}]}""", "documents[0].issuedOn", null },
        { "/visits", """{"office":"shimin-ka","whoCame":"Holder","documents":[{"kind":"passport","owner":"Holder","validUntil":"2026-3-1"}]}""", "documents[0].validUntil", null },
        { "/visits", $$"""{"office":"shimin-ka","whoCame":"Holder","documents":[{{string.Join(",", Enumerable.Repeat(Doc, 21))}}]}""", "documents", null },
        { "/visits", """{"office":"shimin-ka","whoCame":"AppointedProxy","documents":[],"replyForm":99}""", "replyForm", null },
        { "/visits", """{"office":"shimin-ka","whoCame":"Holder","documents":[],"holderPresent":"yes"}""", "holderPresent", null },
        // Ending a visit, PIN checks and resets, renewals: enums by name, counts in range, lists of one or two.
        { "/visits/current/end", "{}", "outcome", null },
        { "/visits/current/end", """{"outcome":"done"}""", "outcome", null },
        { "/pin-checks", """{"certificate":7,"result":"Matched","triesLeft":3}""", "certificate", null },
        { "/pin-checks", """{"certificate":"Signing","triesLeft":3}""", "result", null },
        { "/pin-checks", """{"certificate":"Signing","result":"Mismatched","triesLeft":6}""", "triesLeft", null },
        { "/pin-checks", """{"certificate":"UserAuthentication","result":"Mismatched","triesLeft":4}""", "triesLeft", null },
        { "/pin-checks", """{"certificate":"UserAuthentication","result":"Matched","triesLeft":-1}""", "triesLeft", null },
        { "/pin-resets", """{"certificates":[]}""", "certificates", null },
        { "/pin-resets", """{"certificates":["Signing","Signing"]}""", "certificates", null },
        { "/pin-resets", """{"certificates":["Signing",1]}""", "certificates[1]", null },
        { "/renewals", "{}", "certificates", null },
        { "/renewals", """{"certificates":["UserAuthentication"],"onReissuedCard":"true"}""", "onReissuedCard", null },
        // An inquiry's reason: free text, bounded.
        { "/inquiries", "{}", "reason", null },
        { "/inquiries", $$"""{"reason":"{{new string('理', 501)}}"}""", "reason", null },
        { "/inquiries", """{"reason":"bell\u0007"}""", "reason", null },
        { "/inquiries", """{"reason":"番号１２３４－５６７８－９０１２の件"}""", "reason", "５６７８" },
        { "/inquiry-replies", """{"pin":"1234"}""", "pin", "1234" },
        // A correction's reason: never what looks like a My Number, at the edge as every other text (the decider checks it again).
        { "/voided-entries", """{"entryVersion":2,"reason":"番号123456789012の件"}""", "reason", "123456789012" },
        { "/visit-outcome-amendments", """{"visit":1,"outcome":"Done","reason":"1234 5678 9012"}""", "reason", "5678" },
        { "/visits/current/documents", """{"documents":[],"reason":"番号１２３４－５６７８－９０１２"}""", "reason", "５６７８" },
        { "/registry-changes", """{"change":"Phone"}""", "change", "Phone" },
        { "/registry-changes/completed", "{}", "change", null },
        { "/closure", """{"closure":0}""", "closure", null },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task A_bad_body_is_400_naming_the_field_and_appends_nothing(string endpoint, string body, string field, string? secret)
    {
        var path = endpoint == "" ? "/api/saku/cases" : _case + endpoint;
        var before = await RequestLog.HeadAsync(db);

        var response = await RequestLog.PostJsonAsync(_server.Http, path, body, Guid.NewGuid().ToString());

        var text = await response.Content.ReadAsStringAsync();
        var problem = await RequestLog.InvalidAsync(response);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out var messages), text);
        Assert.All(messages.EnumerateArray(), m => Assert.Matches(@"^[^/]*[\p{IsHiragana}\p{IsKatakana}\p{IsCJKUnifiedIdeographs}][^/]* / [A-Z]", m.GetString()));
        Assert.Contains(field, problem.GetProperty("detail").GetString());
        if (secret is not null) Assert.DoesNotContain(secret, Regex.Replace(text, "\"traceId\":\"[^\"]*\"", ""));
        Assert.Equal(before, await RequestLog.HeadAsync(db));
    }

    /// <summary>(body, the field named: the body, "$", since it is read whole before its fields; the line it broke on).</summary>
    public static TheoryData<string, string, int> Unreadable() => new()
    {
        { """{"office":"shimin-ka","ticketNumber":""", "$", 1 },
        { """{"office" "shimin-ka"}""", "$", 1 },
        { "ticket=A-1", "$", 1 },
        { "{\n  \"office\": \"shimin-ka\",\n  \"ticketNumber\": A-1\n}", "$", 3 },
        { """{"office":"shimin-ka","ticketNumber":"A-1"}}""", "$", 1 },
    };

    [Theory]
    [MemberData(nameof(Unreadable))]
    public async Task A_body_that_is_not_JSON_is_400_bad_request_saying_where_it_broke(string body, string field, int brokenOnLine)
    {
        var before = await RequestLog.HeadAsync(db);

        var response = await RequestLog.PostJsonAsync(_server.Http, _case + "/arrivals", body);

        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal("urn:casesystem:problem:bad-request", problem.GetProperty("type").GetString());
        var (line, position) = (problem.GetProperty("line").GetInt32(), problem.GetProperty("byte").GetInt32());
        Assert.Equal(brokenOnLine, line);
        Assert.Equal($"JSON として読めません({line}行目 {position}バイト目) / Not valid JSON (line {line}, byte {position})",
            problem.GetProperty("errors").GetProperty(field)[0].GetString());
        Assert.Equal(before, await RequestLog.HeadAsync(db));
    }

    [Fact]
    public async Task A_body_over_64_KB_is_413_before_it_is_read()
    {
        var before = await RequestLog.HeadAsync(db);
        var response = await RequestLog.PostJsonAsync(_server.Http, _case + "/inquiries", JsonSerializer.Serialize(new { reason = new string('x', 70_000) }));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("urn:casesystem:problem:request-too-large", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("type").GetString());
        Assert.Equal(before, await RequestLog.HeadAsync(db));
    }

    [Fact]
    public async Task Several_bad_fields_are_all_named_in_one_answer()
    {
        var response = await RequestLog.PostJsonAsync(_server.Http, "/api/saku/cases",
            Open(holder: """{"nameKanji":"","nameKana":"サトウ","birthDate":"1800-01-01","registeredAddress":"長野県"}""", office: "\"nowhere\""));
        var errors = (await RequestLog.InvalidAsync(response)).GetProperty("errors");
        Assert.Equal(["holder.birthDate", "holder.nameKanji", "office"], errors.EnumerateObject().Select(p => p.Name).Order());
        Assert.Contains("shimin-ka", errors.GetProperty("office")[0].GetString());
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_the_requests_as_they_are_read()
    {
        var schemas = JsonDocument.Parse(await _server.Http.GetStringAsync("/openapi/v1.json")).RootElement.GetProperty("components").GetProperty("schemas");
        var arrival = schemas.GetProperty("ArrivalRequest");
        Assert.Equal(["office", "ticketNumber"], arrival.GetProperty("required").EnumerateArray().Select(r => r.GetString()));
        Assert.False(arrival.GetProperty("additionalProperties").GetBoolean());
        Assert.Equal(["Holder", "LegalRepresentativeOfMinor", "GuardianOfAdultWard", "AppointedProxy"],
            schemas.GetProperty("WhoCame").GetProperty("enum").EnumerateArray().Select(v => v.GetString()));
    }

    [Fact]
    public async Task Bodies_at_the_bounds_are_accepted()
    {
        var name = new string('名', 100);
        var opened = await RequestLog.PostJsonAsync(_server.Http, "/api/saku/cases",
            Open(holder: Person("nameKanji", $"\"{name}\""), expiry: """{"userAuthenticationExpiry":"2026-06-15"}"""));
        Assert.Equal(HttpStatusCode.Created, opened.StatusCode);
        var path = opened.Headers.Location!.ToString();
        Assert.Equal(HttpStatusCode.OK, (await RequestLog.PostJsonAsync(_server.Http, path + "/arrivals", """{"office":"shimin-ka","ticketNumber":"TICKET-000000001"}""")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await RequestLog.PostJsonAsync(_server.Http, path + "/reservations", """{"office":"usuda","slotStart":"2026-03-19T01:00:00Z"}""")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await RequestLog.PostJsonAsync(_server.Http, path + "/visits",
            """{"office":"shimin-ka","whoCame":"AppointedProxy","documents":[{"kind":"driving-licence","owner":"Representative","issuedOn":"2026-03-16","validUntil":null}],"replyForm":"Missing","holderPresent":false}""")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await RequestLog.PostJsonAsync(_server.Http, path + "/inquiries", "{\"reason\":\"回答書なし\\n(持参忘れ)\"}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await RequestLog.PostJsonAsync(_server.Http, path + "/visits/current/end", """{"outcome":"MustReturn"}""")).StatusCode);
        // Tries left at each certificate's own limit (003): 3 for user authentication, 5 for signing.
        Assert.Equal(HttpStatusCode.OK, (await RequestLog.PostJsonAsync(_server.Http, path + "/card-reads",
            """{"stationId":"st-1","userAuthenticationSerial":"0A1B","userAuthenticationExpiry":"2026-06-15","userAuthenticationPinTriesLeft":3,"signingPinTriesLeft":5}""")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await RequestLog.PostJsonAsync(_server.Http, path + "/pin-checks", """{"certificate":"UserAuthentication","result":"Matched","triesLeft":3}""")).StatusCode);
    }
}
