using System.CommandLine;
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

    public static Task<int> RunAsync(string[] args, string? connectionString, TextWriter output, TextWriter error)
    {
        var municipalityOption = Required("--municipality");
        var staffOption = Required("--staff");
        var root = OpsCommandLine.Root("staff");

        var list = new Command("list") { municipalityOption };
        list.SetAction(parsed => OnDirectory(parsed, async (directory, municipality, _) =>
        {
            foreach (var m in await directory.ListAsync(municipality))
            {
                await output.WriteLineAsync($"{m.StaffId,-20} {m.Role.Name(),-10} {m.Office,-16} {(m.Disabled ? "disabled" : "enabled")}  {m.Name}");
            }
            return 0;
        }));
        root.Subcommands.Add(list);

        var (name, role, office) = (Required("--name"), Required("--role"), Required("--office"));
        var add = new Command("add") { municipalityOption, staffOption, name, role, office };
        add.SetAction(parsed =>
        {
            var municipality = parsed.GetRequiredValue(municipalityOption);
            if (StaffRoles.Parse(parsed.GetRequiredValue(role)) is not { } personRole || !StaffEndpoints.PersonRoles.Contains(personRole))
            {
                var roles = string.Join(", ", StaffEndpoints.PersonRoles.Select(r => r.Name()));
                return Task.FromResult(UsageError(error, $"--role は {roles} のいずれかです", $"--role is one of {roles}."));
            }
            if (MunicipalPolicies.All.TryGetValue(municipality, out var policy) && policy.Offices.All(o => o.Id != parsed.GetRequiredValue(office)))
            {
                var offices = string.Join(", ", policy.Offices.Select(o => o.Id));
                return Task.FromResult(UsageError(error, $"--office は {offices} のいずれかです", $"--office is one of {offices}."));
            }
            return OnDirectory(parsed, async (directory, municipality, staff) => await Say(
                await directory.AddAsync(municipality, staff, parsed.GetRequiredValue(name), personRole, parsed.GetRequiredValue(office), By),
                $"{staff}: temporary password ", staff, "すでに登録されています / already in the directory"));
        });
        root.Subcommands.Add(add);

        var reset = new Command("reset") { municipalityOption, staffOption };
        reset.SetAction(parsed => OnDirectory(parsed, async (directory, municipality, staff) => await Say(
            await directory.ResetPasswordAsync(municipality, staff, By), $"{staff}: temporary password ", staff, NoSuchMember)));
        root.Subcommands.Add(reset);

        foreach (var disable in (bool[])[true, false])
        {
            var verb = disable ? "disable" : "enable";
            var command = new Command(verb) { municipalityOption, staffOption };
            command.SetAction(parsed => OnDirectory(parsed, async (directory, municipality, staff) => await Say(
                await directory.UpdateAsync(municipality, staff, null, null, null, disable, By) is null ? null : $"{verb}d", $"{staff}: ", staff, NoSuchMember)));
            root.Subcommands.Add(command);
        }

        var token = new Argument<string>("TOKEN");
        var keyFile = new Option<string>("--key-file");
        var revoke = new Command("revoke-token") { token, keyFile };
        revoke.SetAction(parsed => OnDatabase(async db =>
        {
            var signer = new StaffTokenSigner(StaffTokenKey.LoadOrCreate(parsed.GetValue(keyFile) ?? StaffTokenKey.DefaultPath));
            // An expired token needs no revoking; a token of another key is not ours to revoke.
            if (signer.Validate(parsed.GetRequiredValue(token).Trim(), DateTimeOffset.UtcNow) is not { } who)
            {
                await error.WriteLineAsync("このサーバーの鍵の有効なトークンではありません (期限切れを含む): 取り消すものはありません / " +
                    "not a valid token of this server's key (or expired already): nothing to revoke");
                return 1;
            }
            await new StaffSessions(db, TimeProvider.System).RevokeTokenAsync(who, By);
            await output.WriteLineAsync($"revoked: token {who.TokenId} of {who.StaffId} ({who.Role.Name()}, {who.Municipality}), which would have expired {who.ExpiresAt:u}");
            return 0;
        }));
        root.Subcommands.Add(revoke);

        return OpsCommandLine.RunAsync(root, "staff", Usage, args, output, error);

        // The municipality is checked before the database is touched: a usage error needs none.
        Task<int> OnDirectory(ParseResult parsed, Func<StaffDirectory, string, string, Task<int>> act)
        {
            var municipality = parsed.GetRequiredValue(municipalityOption);
            if (!MunicipalPolicies.All.ContainsKey(municipality))
            {
                var known = string.Join(", ", MunicipalPolicies.All.Keys);
                return Task.FromResult(UsageError(error, $"--municipality は {known} のいずれかです", $"--municipality is one of {known}."));
            }
            // list names no member.
            var staff = parsed.CommandResult.Command.Options.Contains(staffOption) ? parsed.GetRequiredValue(staffOption) : "";
            return OnDatabase(db => act(new StaffDirectory(db, TimeProvider.System), municipality, staff));
        }

        async Task<int> OnDatabase(Func<Npgsql.NpgsqlDataSource, Task<int>> act)
        {
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                await error.WriteLineAsync("staff: CASES_DB が設定されていません / CASES_DB is not set (ops/staff sets it to the private PostgreSQL)");
                return OpsCommandLine.UsageExit;
            }
            using (var store = DocumentStore.For(o => CaseStore.Configure(o, connectionString)))
            {
                // On a database no server has started on yet, the tables are made first.
                await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
            }
            await using var db = CaseStore.DataSource(connectionString, "casesystem-staff");
            return await act(db);
        }

        async Task<int> Say(string? done, string prefix, string staff, string otherwise)
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

    private const string NoSuchMember = "その職員はいません / no such member";

    private static Option<string> Required(string name) => new(name) { Required = true };

    private static int UsageError(TextWriter error, string ja, string en) => OpsCommandLine.UsageError(error, "staff", Usage, new UsageProblem(ja, en));
}
