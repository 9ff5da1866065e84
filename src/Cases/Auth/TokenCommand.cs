using System.CommandLine;
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
        // Plain strings: each value is checked below, with a message that says what is wanted.
        var staffOption = new Option<string>("--staff") { Required = true };
        var roleOption = new Option<string>("--role") { Required = true };
        var municipalityOption = new Option<string>("--municipality") { Required = true };
        var officeOption = new Option<string>("--office") { Required = true };
        var hoursOption = new Option<string>("--hours");
        var keyFileOption = new Option<string>("--key-file");
        var root = OpsCommandLine.Root("token");
        root.Options.Add(staffOption);
        root.Options.Add(roleOption);
        root.Options.Add(municipalityOption);
        root.Options.Add(officeOption);
        root.Options.Add(hoursOption);
        root.Options.Add(keyFileOption);
        root.SetAction(parsed => Issue(
            parsed.GetRequiredValue(staffOption), parsed.GetRequiredValue(roleOption), parsed.GetRequiredValue(municipalityOption),
            parsed.GetRequiredValue(officeOption), parsed.GetValue(hoursOption), parsed.GetValue(keyFileOption), output, error, time));
        return OpsCommandLine.Run(root, "token", Usage, args, output, error);
    }

    private static int Issue(string staff, string roleName, string municipality, string office, string? hoursText, string? keyFile,
        TextWriter output, TextWriter error, TimeProvider time)
    {
        if (!Slug().IsMatch(staff))
        {
            return UsageError(error, "--staff は職員ID (英数字と . _ -、64字まで) です。氏名などの個人情報は使えません",
                "--staff must be a staff id of letters, digits, '.', '_' or '-' (at most 64), not a name or other personal data.");
        }
        if (StaffRoles.Parse(roleName) is not { } role)
        {
            var roles = string.Join(", ", Enum.GetValues<StaffRole>().Select(r => r.Name()));
            return UsageError(error, $"役割 '{roleName}' はありません ({roles})", $"unknown role '{roleName}'; one of: {roles}.");
        }
        if (!Municipalities.IsKnown(municipality))
        {
            var known = string.Join(", ", Municipalities.Codes.Keys);
            return UsageError(error, $"自治体 '{municipality}' は対象外です ({known})", $"unknown municipality '{municipality}'; one of: {known}.");
        }
        if (!Slug().IsMatch(office))
        {
            return UsageError(error, "--office は窓口ID (英数字と . _ -、64字まで、例: shimin-ka) です",
                "--office must be an office id of letters, digits, '.', '_' or '-' (at most 64), such as shimin-ka.");
        }
        var hours = (double)DefaultHours;
        if (hoursText is not null
            && (!double.TryParse(hoursText, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out hours) || hours <= 0 || hours > MaxHours))
        {
            return UsageError(error, $"--hours は 0 より大きく {MaxHours} 以下の時間数です", $"--hours must be a number of hours above 0 and at most {MaxHours}.");
        }

        string? keyPath = null;
        byte[] key;
        try
        {
            keyPath = keyFile ?? StaffTokenKey.DefaultPath;
            key = StaffTokenKey.LoadOrCreate(keyPath);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            error.WriteLine($"token: 署名鍵{(keyPath is null ? "" : $" ({keyPath})")}を読めず、作れませんでした / " +
                $"the signing key {(keyPath is null ? "" : $"({keyPath}) ")}could not be read or made: {e.Message}");
            return 1;
        }

        var expires = time.GetUtcNow().AddHours(hours);
        output.WriteLine(new StaffTokenSigner(key).Issue(new StaffIdentity(staff, role, municipality, office, expires)));
        return 0;
    }

    private static int UsageError(TextWriter error, string ja, string en) => OpsCommandLine.UsageError(error, "token", Usage, new UsageProblem(ja, en));

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex Slug();
}
