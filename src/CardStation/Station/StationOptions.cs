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

/// <summary>A command's words: the verb, then <c>--name value</c> options.</summary>
public sealed class StationArgs
{
    private readonly Dictionary<string, string> _options = new(StringComparer.Ordinal);

    private StationArgs(string verb) => Verb = verb;

    public string Verb { get; }

    public static StationArgs Parse(IReadOnlyList<string> args)
    {
        var hasVerb = args.Count > 0 && !args[0].StartsWith("--", StringComparison.Ordinal);
        var parsed = new StationArgs(hasVerb ? args[0] : "tui");
        for (var i = hasVerb ? 1 : 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                throw Usage($"引数が正しくありません: {arg}", $"unexpected argument: {arg}");
            }
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0) parsed._options[arg[2..eq]] = arg[(eq + 1)..];
            else if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal)) parsed._options[arg[2..]] = args[++i];
            else throw Usage($"--{arg[2..]} に値がありません", $"--{arg[2..]} needs a value");
        }
        return parsed;
    }

    public string? Value(string option) => _options.TryGetValue(option, out var value) && value.Length > 0 ? value : null;

    /// <summary>A date as a person types it: YYYY-MM-DD, or 和暦 (S55.1.20, 昭和55年1月20日).</summary>
    public DateOnly? Date(string option)
    {
        if (Value(option) is not { } text) return null;
        var reading = JapaneseDates.Parse(text);
        return reading.Date ?? throw Usage($"--{option}: {reading.ProblemJa}", $"--{option}: {reading.ProblemEn}");
    }

    public static StationException Usage(string ja, string en) => new("Usage", ja, en);
}
