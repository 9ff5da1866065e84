using System.CommandLine;
using System.Globalization;
using CaseSystem.Cases;
using CaseSystem.Cases.Store;
using JasperFx.Events.Daemon;
using Command = System.CommandLine.Command;
using Marten;
using Npgsql;

namespace CaseSystem.Projections.Daemon;

/// <summary>
/// The operator's command on the database of CASES_DB:
/// <c>projections status | dead-letters NAME | rebuild NAME | resume NAME | replay NAME</c>.
/// A command goes to the server process that owns the read model; with none running, a rebuild
/// or a replay is carried out here, by a daemon of this process (as Marten's own CLI does).
/// </summary>
public static class ProjectionsCommand
{
    public const string Usage =
        "usage: projections status | dead-letters NAME | rebuild NAME | resume NAME | replay NAME\n" +
        "  status        each read model's state, position, lag (events and seconds), owning process, pause reason, dead letters\n" +
        "  dead-letters  the events a read model could not apply and set aside\n" +
        "  rebuild       empties the read model and replays the whole log into it (Marten's rebuild)\n" +
        "  resume        starts a paused read model again where it stopped\n" +
        "  replay        after a fix: folds the cases of its dead letters anew from their whole streams, and clears them";

    public static Task<int> RunAsync(string[] args, string? connectionString, TextWriter output, TextWriter error)
    {
        // `projections` alone is `projections status`.
        var root = OpsCommandLine.Root("projections");
        root.SetAction(_ => StatusAsync());
        var status = new Command("status");
        status.SetAction(_ => StatusAsync());
        root.Subcommands.Add(status);
        var deadLetters = Named("dead-letters", async (admin, _, name) =>
        {
            foreach (var d in await admin.DeadLettersAsync(name))
            {
                await output.WriteLineAsync($"{d.Sequence} {d.Municipality} {d.CaseId} {d.EventType} {d.ParkedAt:u} {d.Error}");
            }
            return 0;
        });
        root.Subcommands.Add(deadLetters);
        foreach (var command in Enum.GetValues<ProjectionCommand>())
        {
            root.Subcommands.Add(Named(command.ToString().ToLowerInvariant(), (admin, store, name) => CarryOutAsync(store, admin, command, name, output, error)));
        }
        return OpsCommandLine.RunAsync(root, "projections", Usage, args, output, error);

        Task<int> StatusAsync() => OnStore(async (admin, _) =>
        {
            await output.WriteLineAsync("name              ver state      position       head  lag_events  lag_s  dead  owner");
            foreach (var s in await admin.StatusAsync())
            {
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{s.Name,-17} {s.Version,3} {s.State ?? "-",-9} {s.Position,10} {s.Head,10} {s.LagEvents,11} {s.LagSeconds,6:0.0} {s.DeadLetters,5}  {s.Owner ?? "(no process runs it)"}"));
                if (s.PauseReason is { } reason) await output.WriteLineAsync($"    paused{(s.FailedAt is { } at ? $" at event {at}" : "")}: {reason}");
            }
            return 0;
        });

        // A verb on one read model, named by its argument.
        Command Named(string verb, Func<ProjectionAdmin, DocumentStore, string, Task<int>> act)
        {
            var name = new Argument<string>("NAME");
            var command = new Command(verb) { name };
            command.SetAction(parsed => OnStore((admin, store) => act(admin, store, parsed.GetRequiredValue(name))));
            return command;
        }

        async Task<int> OnStore(Func<ProjectionAdmin, DocumentStore, Task<int>> act)
        {
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                await error.WriteLineAsync("projections: CASES_DB が設定されていません / CASES_DB is not set (ops/projections sets it to the private PostgreSQL)");
                return OpsCommandLine.UsageExit;
            }
            var models = new ReadModels();
            using var store = DocumentStore.For(o =>
            {
                CaseStore.Configure(o, connectionString);
                models.Configure(o);
                // This process runs a daemon only when it rebuilds (built below, as Marten's own CLI
                // does); Solo says so, and keeps Marten from warning that the daemon is disabled.
                o.Projections.AsyncMode = DaemonMode.Solo;
            });
            // On a database no server has started on yet, the tables are made first.
            await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
            await using var db = NpgsqlDataSource.Create(connectionString);
            try
            {
                return await act(new ProjectionAdmin(store, db, models), store);
            }
            catch (ArgumentException e)
            {
                await error.WriteLineAsync(e.Message);
                return 1;
            }
        }
    }

    private static async Task<int> CarryOutAsync(DocumentStore store, ProjectionAdmin admin, ProjectionCommand command, string name,
        TextWriter output, TextWriter error)
    {
        var model = admin.Known(name);
        var status = (await admin.StatusAsync()).Single(s => s.Name == model.Name);
        if (status.Owner is { } owner)
        {
            await admin.RequestAsync(command, name);
            await output.WriteLineAsync($"{name}: {command.ToString().ToLowerInvariant()} requested from {owner}; `projections status` shows its progress");
            return 0;
        }
        switch (command)
        {
            case ProjectionCommand.Rebuild:
                using (var daemon = await store.BuildProjectionDaemonAsync())
                {
                    await output.WriteLineAsync($"{name}: no process runs it; rebuilding here");
                    await daemon.RebuildProjectionAsync(model.Name, CancellationToken.None);
                }
                await output.WriteLineAsync($"{name}: rebuilt");
                return 0;
            case ProjectionCommand.Replay:
                await output.WriteLineAsync($"{name}: {await admin.ReplayDeadLettersAsync(name)} case(s) folded anew");
                return 0;
            default:
                await error.WriteLineAsync($"{name}: no process runs it; it resumes when a server starts (ops/run)");
                return 1;
        }
    }
}
