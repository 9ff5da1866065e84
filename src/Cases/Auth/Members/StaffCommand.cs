using CaseSystem.Cases.Policies;
using CaseSystem.Cases.Store;
using Marten;

namespace CaseSystem.Cases.Auth.Members;

/// <summary>
/// The operator's command on the staff directory of CASES_DB (ops/staff), for the first admin of a
/// municipality and for when no admin can sign in; and the revocation of an ops/token token
/// (ops/token revoke). Everything an admin does here is logged as done by "operator".
/// </summary>
public static class StaffCommand
{
    public const string Usage =
        "usage: staff list --municipality SLUG\n" +
        "       staff add --municipality SLUG --staff ID --name NAME --role clerk|supervisor|analyst|admin --office OFFICE\n" +
        "       staff reset|disable|enable --municipality SLUG --staff ID\n" +
        "       staff revoke-token TOKEN [--key-file PATH]   (the token's id is refused from now on, until it would have expired)\n" +
        "  add and reset print a temporary password, once; disable, reset and a new role end the member's sessions at once";

    private const string By = "operator";

    public static async Task<int> RunAsync(string[] args, string? connectionString, TextWriter output, TextWriter error)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            await error.WriteLineAsync("CASES_DB is not set (ops/staff sets it to the private PostgreSQL)");
            return 2;
        }
        using (var store = DocumentStore.For(o => CaseStore.Configure(o, connectionString)))
        {
            // On a database no server has started on yet, the tables are made first.
            await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        }
        await using var db = CaseStore.DataSource(connectionString, "casesystem-staff");
        var directory = new StaffDirectory(db, TimeProvider.System);
        var options = Options(args.Skip(args is ["revoke-token", ..] ? 2 : 1));
        string? Option(string name) => options.GetValueOrDefault(name);
        var municipality = Option("municipality");
        var staff = Option("staff");
        if (args is ["revoke-token", var token, ..])
        {
            var signer = new StaffTokenSigner(StaffTokenKey.LoadOrCreate(Option("key-file") ?? StaffTokenKey.DefaultPath));
            // An expired token needs no revoking; a token of another key is not ours to revoke.
            if (signer.Validate(token.Trim(), DateTimeOffset.UtcNow) is not { } who)
            {
                await error.WriteLineAsync("not a valid token of this server's key (or expired already): nothing to revoke");
                return 1;
            }
            await new StaffSessions(db, TimeProvider.System).RevokeTokenAsync(who, By);
            await output.WriteLineAsync($"revoked: token {who.TokenId} of {who.StaffId} ({who.Role.Name()}, {who.Municipality}), which would have expired {who.ExpiresAt:u}");
            return 0;
        }
        if (municipality is null || !MunicipalPolicies.All.ContainsKey(municipality))
        {
            await error.WriteLineAsync($"--municipality is one of {string.Join(", ", MunicipalPolicies.All.Keys)}\n{Usage}");
            return 2;
        }
        switch (args.FirstOrDefault())
        {
            case "list":
                foreach (var m in await directory.ListAsync(municipality))
                {
                    await output.WriteLineAsync($"{m.StaffId,-20} {m.Role.Name(),-10} {m.Office,-16} {(m.Disabled ? "disabled" : "enabled")}  {m.Name}");
                }
                return 0;
            case "add" when staff is not null && Option("name") is { } name && StaffRoles.Parse(Option("role")) is { } role
                && StaffEndpoints.PersonRoles.Contains(role) && Option("office") is { } office:
                if (MunicipalPolicies.For(municipality).Offices.All(o => o.Id != office))
                {
                    await error.WriteLineAsync($"--office is one of {string.Join(", ", MunicipalPolicies.For(municipality).Offices.Select(o => o.Id))}");
                    return 2;
                }
                return await Say(await directory.AddAsync(municipality, staff, name, role, office, By), $"{staff}: temporary password ", "already in the directory");
            case "reset" when staff is not null:
                return await Say(await directory.ResetPasswordAsync(municipality, staff, By), $"{staff}: temporary password ", "no such member");
            case "disable" or "enable" when staff is not null:
                var changed = await directory.UpdateAsync(municipality, staff, null, null, null, args[0] == "disable", By);
                return await Say(changed is null ? null : $"{args[0]}d", $"{staff}: ", "no such member");
            default:
                await error.WriteLineAsync(Usage);
                return 2;
        }

        async Task<int> Say(string? done, string prefix, string otherwise)
        {
            if (done is null)
            {
                await error.WriteLineAsync($"{staff}: {otherwise}");
                return 1;
            }
            await output.WriteLineAsync(prefix + done);
            return 0;
        }
    }

    private static Dictionary<string, string> Options(IEnumerable<string> args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        string? name = null;
        foreach (var arg in args)
        {
            if (arg.StartsWith("--", StringComparison.Ordinal)) name = arg[2..];
            else if (name is not null) { options[name] = arg; name = null; }
        }
        return options;
    }
}
