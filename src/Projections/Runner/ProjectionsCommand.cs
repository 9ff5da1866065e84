using System.Globalization;
using CaseSystem.Cases.EventStore;
using Npgsql;

namespace CaseSystem.Projections.Runner;

/// <summary>The operator's command: <c>projections status | resume NAME [--skip] | rebuild NAME | dead-letters NAME</c>, on the database of CASES_DB.</summary>
public static class ProjectionsCommand
{
    public const string Usage =
        "usage: projections status | resume NAME [--skip] | rebuild NAME | dead-letters NAME\n" +
        "  status        each projection's generation, state, position, lag (events and seconds), owner and last error\n" +
        "  resume        a paused projection tries its failing event again (after a fix); --skip parks it as a dead letter and goes on\n" +
        "  rebuild       builds a new generation from the start of the log beside the serving one; it takes over when caught up\n" +
        "  dead-letters  the events a projection parked";

    public static async Task<int> RunAsync(string[] args, string? connectionString, TextWriter output, TextWriter error)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            await error.WriteLineAsync("CASES_DB is not set (ops/projections sets it to the private PostgreSQL)");
            return 2;
        }
        await using var db = CasesDataSource.Create(connectionString);
        // On a database the server has not started on yet, the tables are made first.
        await new SchemaMigrator(db).MigrateAsync(Migration.EmbeddedIn(typeof(CasesDataSource).Assembly)
            .Concat(Migration.EmbeddedIn(typeof(ProjectionsCommand).Assembly)));
        var admin = new ProjectionAdmin(db, ProjectionsModule.All());
        try
        {
            switch (args)
            {
                case ["status"] or []:
                    await output.WriteLineAsync("name              gen ver state     status   checkpoint       head  lag_events  lag_s  owner / last error");
                    foreach (var s in await admin.StatusAsync())
                    {
                        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                            $"{s.Name,-17} {s.Generation,3} {s.CodeVersion,3} {s.State,-9} {s.Status,-8} {s.Checkpoint,10} {s.Head,10} {s.LagEvents,11} {s.LagSeconds,6:0.0}  {s.Owner ?? "(no runner)"}"));
                        if (s.PausedAt is { } at) await output.WriteLineAsync($"    paused at event {at}: {s.LastError}");
                        else if (s.LastError is { } last) await output.WriteLineAsync($"    last error ({s.LastErrorAt:u}): {last}");
                        if (s.DeadLetters > 0) await output.WriteLineAsync($"    dead letters: {s.DeadLetters}");
                    }
                    return 0;
                case ["resume", var name, .. var rest] when rest is [] or ["--skip"]:
                    var resumed = await admin.ResumeAsync(name, rest is ["--skip"]);
                    await output.WriteLineAsync(resumed == 0 ? $"{name} is not paused" : $"{name}: resumed {resumed} generation(s)");
                    return resumed == 0 ? 1 : 0;
                case ["rebuild", var name]:
                    var generation = await admin.RebuildAsync(name);
                    await output.WriteLineAsync($"{name}: generation {generation} is being built; the serving one answers until it takes over");
                    return 0;
                case ["dead-letters", var name]:
                    foreach (var d in await admin.DeadLettersAsync(name))
                    {
                        await output.WriteLineAsync($"{d.Generation} {d.Sequence} {d.EventType} {d.StreamId} {d.ParkedAt:u} {d.Error}");
                    }
                    return 0;
                default:
                    await error.WriteLineAsync(Usage);
                    return 2;
            }
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            await error.WriteLineAsync(e.Message);
            return 1;
        }
    }
}
