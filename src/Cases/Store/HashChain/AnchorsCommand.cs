using System.CommandLine;
using Microsoft.Extensions.Logging.Abstractions;

namespace CaseSystem.Cases.Store.HashChain;

/// <summary>
/// The operator's command on the database of CASES_DB, with the anchor key and log of
/// CASES_ANCHOR_KEY and CASES_ANCHOR_LOG: <c>anchors anchor | verify [--municipality M] | public-key</c>.
/// Exit codes: 0 done (verify: intact), 1 not intact or failed, 2 usage or configuration.
/// </summary>
public static class AnchorsCommand
{
    public const string Usage =
        "usage: anchors anchor | verify [--municipality SLUG] | public-key\n" +
        "  anchor      signs the heads of the cases whose chain moved since the last anchor and appends the anchor to the log\n" +
        "  verify      checks every case's chain and compares it with the anchors (the whole store, or one municipality's cases page by page);\n" +
        "              one line per finding, then a summary; exit 1 unless intact\n" +
        "  public-key  prints the anchor key's public key (PEM), to check anchors where the private key is not kept";

    private enum Verb { Anchor, Verify, PublicKey }

    public static Task<int> RunAsync(string[] args, Func<string, string?> environment, TextWriter output, TextWriter error)
    {
        var municipalityOption = new Option<string>("--municipality");
        var anchor = new Command("anchor");
        anchor.SetAction(_ => CarryOutAsync(Verb.Anchor, null, environment, output, error));
        var verify = new Command("verify") { municipalityOption };
        verify.SetAction(parsed => CarryOutAsync(Verb.Verify, parsed.GetValue(municipalityOption), environment, output, error));
        var publicKey = new Command("public-key");
        publicKey.SetAction(_ => CarryOutAsync(Verb.PublicKey, null, environment, output, error));
        var root = OpsCommandLine.Root("anchors");
        root.Subcommands.Add(anchor);
        root.Subcommands.Add(verify);
        root.Subcommands.Add(publicKey);
        return OpsCommandLine.RunAsync(root, "anchors", Usage, args, output, error);
    }

    private static async Task<int> CarryOutAsync(Verb verb, string? municipality, Func<string, string?> environment, TextWriter output, TextWriter error)
    {
        if (municipality is not null && !Municipalities.IsKnown(municipality))
        {
            var known = string.Join(", ", Municipalities.Codes.Keys);
            return OpsCommandLine.UsageError(error, "anchors", Usage,
                new UsageProblem($"自治体 '{municipality}' は対象外です ({known})", $"unknown municipality '{municipality}'; one of: {known}"));
        }
        AnchorOptions options;
        try
        {
            options = AnchorOptions.From(environment(AnchorOptions.KeyVariable), environment(AnchorOptions.LogVariable), null);
        }
        catch (InvalidOperationException e)
        {
            await error.WriteLineAsync($"anchors: {e.Message}");
            return 2;
        }
        if (!options.Configured)
        {
            await error.WriteLineAsync($"anchors: {AnchorOptions.KeyVariable} and {AnchorOptions.LogVariable} are not set (ops/anchors sets them for the private PostgreSQL of ops/run)");
            return 2;
        }
        // Only anchoring makes a key (as a server does); checking with a key just made would only find every anchor foreign.
        if (verb != Verb.Anchor && !File.Exists(options.KeyPath))
        {
            await error.WriteLineAsync($"anchors: there is no anchor key at {options.KeyPath}");
            return 2;
        }
        AnchorKey key;
        try
        {
            key = AnchorKey.LoadOrCreate(options.KeyPath!);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"anchors: the anchor key could not be read or made: {e.Message}");
            return 2;
        }
        using var _ = key;
        if (verb == Verb.PublicKey)
        {
            await output.WriteAsync(key.PublicKeyPem() + "\n");
            return 0;
        }
        if (environment("CASES_DB") is not { Length: > 0 } connectionString)
        {
            await error.WriteLineAsync("anchors: CASES_DB is not set (ops/anchors sets it to the private PostgreSQL)");
            return 2;
        }
        await using var db = CaseStore.DataSource(connectionString);
        var ledger = new AnchorLedger(new FileAnchorLog(options.LogPath!), key);
        try
        {
            return verb == Verb.Anchor
                ? await AnchorAsync(options, key, db, ledger, output, error)
                : await VerifyAsync(municipality, db, ledger, output);
        }
        catch (Npgsql.PostgresException e) when (e.SqlState == Npgsql.PostgresErrorCodes.UndefinedTable)
        {
            await error.WriteLineAsync("anchors: the database has no event store yet; a server started on it makes one (ops/run)");
            return 1;
        }
        catch (Npgsql.NpgsqlException e)
        {
            await error.WriteLineAsync($"anchors: the database failed: {e.Message}");
            return 1;
        }
    }

    private static async Task<int> AnchorAsync(AnchorOptions options, AnchorKey key, Npgsql.NpgsqlDataSource db, AnchorLedger ledger,
        TextWriter output, TextWriter error)
    {
        if (!key.CanSign)
        {
            await error.WriteLineAsync($"anchors: {options.KeyPath} holds only a public key; anchoring needs the private key");
            return 2;
        }
        try
        {
            var outcome = (await new Anchorer(db, ledger, TimeProvider.System, NullLogger<Anchorer>.Instance).AnchorAsync(wait: true))!;
            foreach (var refused in outcome.Refused)
            {
                await output.WriteLineAsync($"refused {refused.Municipality} {refused.Case}: its chain no longer holds its anchored head (see anchors verify)");
            }
            await output.WriteLineAsync(outcome.Last is { } last
                ? $"anchors written={outcome.Written} heads={outcome.Heads.Count} last=#{last.Number} through={last.Through} at={last.At:O} log={ledger.Log!.Name}"
                : "anchors written=0: the store holds no event yet");
            return 0;
        }
        catch (AnchorBusyException e)
        {
            await error.WriteLineAsync($"anchors: {e.Message}; try again");
            return 1;
        }
    }

    private static async Task<int> VerifyAsync(string? municipality, Npgsql.NpgsqlDataSource db, AnchorLedger ledger, TextWriter output)
    {
        var report = await new ChainVerifier(db, ledger).VerifyAllAsync(municipality);
        foreach (var b in report.Breaks) await output.WriteLineAsync($"break {b.StreamId} version={b.Version} {b.Reason}");
        foreach (var b in report.AnchorBreaks) await output.WriteLineAsync($"{b.Kind} {b.StreamId} anchored={b.AnchoredVersion} now={b.Version} anchor=#{b.Anchor} {b.Reason}");
        foreach (var p in report.Anchors!.Problems)
        {
            await output.WriteLineAsync($"anchor-log line={p.Line}{(p.Anchor is { } n ? $" anchor=#{n}" : "")} {p.Reason}" +
                (p.CasesNamed > 0 ? $" cases={string.Join(",", p.Cases)}{(p.CasesNamed > p.Cases.Count ? $",… ({p.CasesNamed})" : "")}" : ""));
        }
        await output.WriteLineAsync($"{(report.IsIntact ? "intact" : "NOT INTACT")} {(municipality ?? "all")} streams={report.StreamsChecked} events={report.EventsChecked} " +
            $"anchors={report.Anchors.Anchors} anchoredThrough={report.Anchors.AnchoredThrough?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}");
        await output.WriteLineAsync(report.Anchors.Note);
        return report.IsIntact ? 0 : 1;
    }
}
