using System.Text.RegularExpressions;
using CaseSystem.Cases.Auth.Oidc;

namespace CaseSystem.Cases.Tests.Install;

/// <summary>
/// ops/install/casesystem.env.example is the operator's list of the server's settings: every key in
/// it is a setting the server reads, and every setting the server reads is in it, with a comment that
/// gives its default (or says it is required).
///
/// What the server reads is taken from its source: every string literal that is a setting's name
/// (CASES_*, OTEL_*, Cases:…) in the server's projects. The code names each setting once, as such a
/// literal (mostly a <c>const string Setting</c>), so a setting added, renamed or dropped changes what
/// this finds. A name built at run time would escape it; none is. The settings read by ASP.NET Core
/// and the OpenTelemetry exporter rather than by our code are named below.
/// </summary>
public sealed partial class EnvExampleTests
{
    /// <summary>Settings read by the frameworks, which our code never names.</summary>
    private static readonly IReadOnlyDictionary<string, string> FrameworkSettings = new Dictionary<string, string>
    {
        ["ASPNETCORE_URLS"] = "Kestrel's addresses (the unit's port)",
        ["Kestrel__Certificates__Default__Path"] = "Kestrel's TLS certificate",
        ["Kestrel__Certificates__Default__KeyPath"] = "Kestrel's TLS key",
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "the OTLP exporter, which TelemetryModule adds when OTEL_EXPORTER_OTLP_ENDPOINT is set",
        ["OTEL_EXPORTER_OTLP_HEADERS"] = "the OTLP exporter",
    };

    private const string OidcIssuers = "Cases__Oidc__Issuers";

    [Fact]
    public void Every_setting_the_server_reads_is_in_the_example_and_nothing_else()
    {
        var read = SettingsInSource();
        var example = Example().Select(s => s.Key).ToHashSet(StringComparer.Ordinal);
        // Guards the scan itself: a pattern or a folder gone wrong would find nothing and prove nothing.
        Assert.Contains("CASES_DB", read);
        Assert.Contains(OidcIssuers, read);

        var missing = read.Where(r => r == OidcIssuers ? !example.Any(IsOidcKey) : !example.Contains(r)).ToList();
        Assert.True(missing.Count == 0, $"read by the server but not in casesystem.env.example: {string.Join(", ", missing)}");

        var unknown = example.Where(k => !read.Contains(k) && !FrameworkSettings.ContainsKey(k) && !IsOidcKey(k)).ToList();
        Assert.True(unknown.Count == 0, $"in casesystem.env.example but read by nothing: {string.Join(", ", unknown)}");
    }

    [Fact]
    public void The_example_shows_every_setting_of_an_identity_provider_and_only_those()
    {
        var shown = Example().Select(s => s.Key).Where(IsOidcKey).Select(k => k.Split("__")).ToList();
        Assert.All(shown, parts => Assert.True(parts.Length == 5,
            $"{string.Join("__", parts)} is not {OidcIssuers}__<provider>__<setting>"));
        var settings = shown.Select(parts => parts[^1]).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var unknown = settings.Where(s => !OidcSettings.IssuerKeys.Contains(s)).ToList();
        Assert.True(unknown.Count == 0, $"not a provider's setting (OidcSettings.IssuerKeys): {string.Join(", ", unknown)}");
        var missing = OidcSettings.IssuerKeys.Where(k => !settings.Contains(k)).ToList();
        Assert.True(missing.Count == 0, $"a provider's setting not in the example: {string.Join(", ", missing)}");
    }

    [Fact]
    public void Every_setting_has_a_comment_with_its_default_and_no_secret_is_filled_in()
    {
        var settings = Example();
        var without = settings.Where(s => !Regex.IsMatch(s.Comment, @"\b(Default|Defaults|Required)\b")).Select(s => s.Key).ToList();
        Assert.True(without.Count == 0, $"no comment giving the default (Default: …, or Required) above: {string.Join(", ", without)}");
        // The connection string holds the database's password; OTLP headers hold an API key.
        Assert.Equal("", settings.Single(s => s.Key == "CASES_DB").Value);
        Assert.All(settings.Where(s => s.Key == "OTEL_EXPORTER_OTLP_HEADERS"), s => Assert.Equal("", s.Value));
    }

    [Fact]
    public void The_unit_reads_the_example_s_file_and_may_write_where_the_example_keeps_its_files()
    {
        var unit = File.ReadAllLines(Path.Combine(Repository(), "ops", "install", "casesystem.service")).Select(l => l.Trim()).ToList();
        Assert.Contains("EnvironmentFile=/etc/casesystem/casesystem.env", unit);
        // ProtectSystem=strict leaves only the StateDirectory writable: a key file elsewhere could not be made.
        Assert.Contains("ProtectSystem=strict", unit);
        Assert.Contains("StateDirectory=casesystem", unit);
        var paths = Example().Where(s => s.Value.StartsWith('/')).ToList();
        Assert.NotEmpty(paths);
        Assert.All(paths, s => Assert.StartsWith("/var/lib/casesystem/", s.Value));
    }

    private static bool IsOidcKey(string key) => key.StartsWith(OidcIssuers + "__", StringComparison.Ordinal);

    /// <summary>The setting names in the server's source, as environment variables (':' as '__').</summary>
    private static HashSet<string> SettingsInSource()
    {
        var root = Repository();
        var found = new HashSet<string>(StringComparer.Ordinal);
        foreach (var project in new[] { "Cases", "Projections", "Server", "Contracts" })
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(root, "src", project), "*.cs", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(root, file).Replace('\\', '/');
                // Wolverine's generated handlers and the build's own files name no setting.
                if (relative.Contains("/Internal/Generated/", StringComparison.Ordinal) || relative.Contains("/obj/", StringComparison.Ordinal) || relative.Contains("/bin/", StringComparison.Ordinal)) continue;
                foreach (Match m in SettingLiteral().Matches(File.ReadAllText(file))) found.Add(m.Groups[1].Value.Replace(":", "__", StringComparison.Ordinal));
            }
        }
        return found;
    }

    private sealed record Setting(string Key, string Value, string Comment);

    /// <summary>The example's settings, set ("KEY=value") or left at their default ("#KEY=value"), each with the comment block above it.</summary>
    private static List<Setting> Example()
    {
        var settings = new List<Setting>();
        var comment = new List<string>();
        var afterSetting = false;
        foreach (var line in File.ReadAllLines(Path.Combine(Repository(), "ops", "install", "casesystem.env.example")))
        {
            if (SettingLine().Match(line) is { Success: true } m)
            {
                settings.Add(new Setting(m.Groups[1].Value, m.Groups[2].Value, string.Join('\n', comment)));
                afterSetting = true;
            }
            else if (line.StartsWith("# ", StringComparison.Ordinal) && !line.StartsWith("# ---", StringComparison.Ordinal))
            {
                // A comment after settings starts the next block; settings one under another share the block above them.
                if (afterSetting) comment.Clear();
                afterSetting = false;
                comment.Add(line);
            }
            else
            {
                comment.Clear();
                afterSetting = false;
            }
        }
        var twice = settings.GroupBy(s => s.Key).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(twice.Count == 0, $"set twice in the example: {string.Join(", ", twice)}");
        return settings;
    }

    private static string Repository()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CaseSystem.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("no CaseSystem.sln above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex("\"(CASES_[A-Z0-9_]+|OTEL_[A-Z0-9_]+|Cases:[A-Za-z0-9:]+)\"")]
    private static partial Regex SettingLiteral();

    [GeneratedRegex("^#?([A-Za-z_][A-Za-z0-9_]*)=(.*)$")]
    private static partial Regex SettingLine();
}
