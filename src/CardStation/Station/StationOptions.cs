using CaseSystem.Contracts;
namespace CaseSystem.CardStation.Station;

/// <summary>Where the station sends, as whom, and where it keeps what it could not send yet.</summary>
public sealed record StationOptions(Uri Server, string Token, string Municipality, string StationId, string Office, string DataFolder)
{
    public const string ServerVariable = "CARDSTATION_SERVER";
    public const string TokenVariable = "CARDSTATION_TOKEN";
    public const string TokenFileVariable = "CARDSTATION_TOKEN_FILE";
    public const string MunicipalityVariable = "CARDSTATION_MUNICIPALITY";
    public const string StationIdVariable = "CARDSTATION_STATION_ID";
    public const string OfficeVariable = "CARDSTATION_OFFICE";
    public const string DataVariable = "CARDSTATION_DATA";

    /// <summary>
    /// From the arguments (--server, --token-file, --municipality, --station-id, --office, --data),
    /// else the environment. The token never on the command line: CARDSTATION_TOKEN or a file. The
    /// office is required: the station stands at one, and a case it opens is opened there (without
    /// it, the server would refuse the first case opened, long after the start).
    /// </summary>
    public static StationOptions From(StationArgs args, Func<string, string?> environment)
    {
        string? Get(string option, string variable) => args.Value(option) ?? Blank(environment(variable));
        string Require(string option, string variable) => Get(option, variable) ?? throw new StationException("Configuration",
            $"設定がありません: --{option} または環境変数 {variable}", $"missing setting: --{option} or {variable}");

        var server = Require("server", ServerVariable);
        if (!Uri.TryCreate(server, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new StationException("Configuration", $"サーバーのURLが正しくありません: {server}", $"not a server URL: {server}");
        }
        var tokenFile = Get("token-file", TokenFileVariable);
        var token = Blank(environment(TokenVariable))
            ?? (tokenFile is null ? null : ReadToken(tokenFile))
            ?? throw new StationException("Configuration",
                $"職員トークンがありません: 環境変数 {TokenVariable} または --token-file", $"no staff token: {TokenVariable} or --token-file");
        var data = Get("data", DataVariable) ?? DefaultDataFolder(environment);
        return new StationOptions(uri, token, Require("municipality", MunicipalityVariable),
            Get("station-id", StationIdVariable) ?? Environment.MachineName, Require("office", OfficeVariable), data);
    }

    private static string ReadToken(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StationException("Configuration", $"トークンのファイルを読めません: {path}", $"cannot read the token file {path}", e);
        }
    }

    private static string DefaultDataFolder(Func<string, string?> environment) =>
        Path.Combine(Blank(environment("XDG_DATA_HOME")) ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share"),
            "cardstation");

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
