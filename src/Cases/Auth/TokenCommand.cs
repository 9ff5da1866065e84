using System.Globalization;
using System.Text.RegularExpressions;

namespace CaseSystem.Cases.Auth;

/// <summary>
/// <c>token --staff ID --role ROLE --municipality SLUG --office OFFICE [--hours N] [--key-file PATH]</c>:
/// prints a staff bearer token for local use, and nothing else, on stdout. Signed with the key
/// the server uses (<see cref="StaffTokenKey.DefaultPath"/>, or --key-file), created there if missing.
/// Exit codes: 0 printed, 2 usage error, 1 the key could not be read or made.
/// </summary>
public static partial class TokenCommand
{
    public const int DefaultHours = 12;
    public const int MaxHours = 24 * 30;

    public static readonly string Usage =
        "usage: token --staff ID --role clerk|supervisor|analyst|station|admin|display --municipality SLUG --office OFFICE " +
        $"[--hours N (default {DefaultHours}, at most {MaxHours})] [--key-file PATH (default $CASES_TOKEN_KEY_FILE or ~/.config/casesystem/token.key)]";

    public static int Run(string[] args, TextWriter output, TextWriter error) => Run(args, output, error, TimeProvider.System);

    internal static int Run(string[] args, TextWriter output, TextWriter error, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(args);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg is "-h" or "--help")
            {
                output.WriteLine(Usage);
                return 0;
            }
            string name, value;
            if (arg.StartsWith("--", StringComparison.Ordinal) && arg.IndexOf('=') is var eq and > 2)
            {
                (name, value) = (arg[2..eq], arg[(eq + 1)..]);
            }
            else if (arg.StartsWith("--", StringComparison.Ordinal) && i + 1 < args.Length)
            {
                (name, value) = (arg[2..], args[++i]);
            }
            else
            {
                return UsageError(error, arg.StartsWith("--", StringComparison.Ordinal) ? $"{arg} needs a value." : $"unexpected argument '{arg}'.");
            }
            if (name is not ("staff" or "role" or "municipality" or "office" or "hours" or "key-file"))
            {
                return UsageError(error, $"unknown option --{name}.");
            }
            if (!values.TryAdd(name, value))
            {
                return UsageError(error, $"--{name} is given twice.");
            }
        }

        foreach (var required in (string[])["staff", "role", "municipality", "office"])
        {
            if (!values.ContainsKey(required))
            {
                return UsageError(error, $"--{required} is required.");
            }
        }
        var staff = values["staff"];
        if (!Slug().IsMatch(staff))
        {
            return UsageError(error, "--staff must be a staff id of letters, digits, '.', '_' or '-' (at most 64), not a name or other personal data.");
        }
        if (StaffRoles.Parse(values["role"]) is not { } role)
        {
            return UsageError(error, $"unknown role '{values["role"]}'; one of: {string.Join(", ", Enum.GetValues<StaffRole>().Select(r => r.Name()))}.");
        }
        var municipality = values["municipality"];
        if (!Municipalities.IsKnown(municipality))
        {
            return UsageError(error, $"unknown municipality '{municipality}'; one of: {string.Join(", ", Municipalities.Codes.Keys)}.");
        }
        var office = values["office"];
        if (!Slug().IsMatch(office))
        {
            return UsageError(error, "--office must be an office id of letters, digits, '.', '_' or '-' (at most 64), such as shimin-ka.");
        }
        var hours = (double)DefaultHours;
        if (values.TryGetValue("hours", out var hoursText)
            && (!double.TryParse(hoursText, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out hours) || hours <= 0 || hours > MaxHours))
        {
            return UsageError(error, $"--hours must be a number of hours above 0 and at most {MaxHours}.");
        }

        string? keyPath = null;
        byte[] key;
        try
        {
            keyPath = values.TryGetValue("key-file", out var given) ? given : StaffTokenKey.DefaultPath;
            key = StaffTokenKey.LoadOrCreate(keyPath);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            error.WriteLine($"token: the signing key {(keyPath is null ? "" : $"({keyPath}) ")}could not be read or made: {e.Message}");
            return 1;
        }

        var expires = time.GetUtcNow().AddHours(hours);
        output.WriteLine(new StaffTokenSigner(key).Issue(new StaffIdentity(staff, role, municipality, office, expires)));
        return 0;
    }

    private static int UsageError(TextWriter error, string message)
    {
        error.WriteLine($"token: {message}");
        error.WriteLine(Usage);
        return 2;
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex Slug();
}
