using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CaseSystem.Cases.Renewal;
using CaseSystem.Cases.Tests.Notices;

namespace CaseSystem.Cases.Tests.Http.Notices;

/// <summary>Notice files as a J-LIS batch or an office's Excel has them, and their import through the API.</summary>
internal static class NoticeFiles
{
    public const string Header = "notice_number,name_kanji,name_kana,birth_date,registered_address,user_authentication_expiry,signing_expiry\n";

    public static readonly string[] Columns = Header.TrimEnd().Split(',');

    public static string Line(string notice, string kanji = "弘前 一郎", string kana = "ヒロサキ イチロウ", string birth = "1980-06-15",
        string address = "青森県弘前市上白銀町1-1", string userExpiry = "2026-06-15", string signingExpiry = "2026-06-15") =>
        $"{notice},{kanji},{kana},{birth},{address},{userExpiry},{signingExpiry}\n";

    /// <summary>A line with one column's value replaced.</summary>
    public static string LineWith(string notice, string column, string value)
    {
        var fields = Line(notice).TrimEnd('\n').Split(',');
        fields[Array.IndexOf(Columns, column)] = value;
        return string.Join(',', fields) + "\n";
    }

    public static byte[] Utf8(string csv) => Encoding.UTF8.GetBytes(csv);

    public static byte[] ShiftJis(string csv) => NoticeFileTests.Cp932.GetBytes(csv);

    /// <summary>Posts the bytes as they are, with the Content-Type given (charset or none), and reads the answer as JSON.</summary>
    public static async Task<(HttpResponseMessage Response, string Body, JsonElement Json)> ImportAsync(HttpClient http, byte[] bytes,
        string municipality = "hirosaki", string batch = "JLIS-2026-03", string contentType = "text/csv", bool amend = false)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        var response = await http.PostAsync($"/api/{municipality}/notices?batch={Uri.EscapeDataString(batch)}{(amend ? "&amend=true" : "")}", content);
        var body = await response.Content.ReadAsStringAsync();
        return (response, body, body.Length > 0 ? JsonDocument.Parse(body).RootElement.Clone() : default);
    }

    public static int Int(this JsonElement json, string property) => json.GetProperty(property).GetInt32();

    public static IEnumerable<JsonElement> Items(this JsonElement json, string property) => json.GetProperty(property).EnumerateArray();

    /// <summary>The case a notice number opens, as the API shows it.</summary>
    public static Task<JsonElement> CaseAsync(HttpClient http, string municipality, string notice) =>
        http.GetFromJsonAsync<JsonElement>($"/api/{municipality}/cases/{CaseIds.ForNotice(municipality, notice)}");
}
