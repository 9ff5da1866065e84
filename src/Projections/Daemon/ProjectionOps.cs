using CaseSystem.Cases;
using CaseSystem.Cases.Api.OpenApi;
using CaseSystem.Cases.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace CaseSystem.Projections.Daemon;

/// <summary>A command to a read model, taken: the owning process carries it out.</summary>
public sealed record ProjectionCommandAccepted(string Name, string Command, string? Owner);

/// <summary>
/// The read models' status and the operators' commands over HTTP, for the status page: rebuild,
/// resume a paused one, replay its dead letters. A command is carried out by the process that owns
/// the shard, so the answer is 202: the status shows its progress.
/// </summary>
public static class ProjectionOps
{
    public static readonly Problems.Kind UnknownProjection = new("urn:casesystem:problem:unknown-projection", StatusCodes.Status404NotFound,
        "その名前の集計処理はありません。/ No read model of that name.");
    public static readonly Problems.Kind NotPaused = new("urn:casesystem:problem:projection-not-paused", StatusCodes.Status409Conflict,
        "この集計処理は停止していません。/ The read model is not paused.");
    public static readonly Problems.Kind NotRunning = new("urn:casesystem:problem:projection-not-running", StatusCodes.Status409Conflict,
        "この集計処理を実行しているプロセスがありません。サーバーを起動してください。/ No process runs this read model; start a server.");
    public static readonly Problems.Kind NoDeadLetters = new("urn:casesystem:problem:projection-no-dead-letters", StatusCodes.Status409Conflict,
        "この集計処理に保留イベントはありません。/ The read model has no dead letters.");

    public static readonly Problems.Kind SystemWide = new("urn:casesystem:problem:projection-system-wide", StatusCodes.Status403Forbidden,
        "再構築はすべての自治体の集計を作り直すため、システムの運用者がサーバーで ops/projections rebuild を実行します。" +
        "/ A rebuild remakes the read model of every municipality: the system's operator runs ops/projections rebuild on the server.");
    public static readonly Problems.Kind OtherMunicipalitysEvent = new("urn:casesystem:problem:projection-other-municipality", StatusCodes.Status403Forbidden,
        "この集計処理は他の自治体のイベントで停止しています。再開はシステムの運用者が行います(ops/projections resume)。" +
        "/ The read model stopped at another municipality's event: the system's operator resumes it (ops/projections resume).");

    /// <summary>
    /// The read models serve every municipality from one shard each: an admin acts for their own
    /// municipality only (issue 14). They replay their own cases' dead letters; they resume a
    /// read model stopped at one of their own events (resuming sets the failing event aside, so it
    /// would skip another municipality's); a rebuild, which remakes every municipality's rows, is
    /// the system operator's, on the host (ops/projections).
    /// </summary>
    public static RouteGroupBuilder MapProjectionOps(this RouteGroupBuilder tenant)
    {
        tenant.MapGet("/ops/projections", async (string municipality, ProjectionAdmin admin, CancellationToken ct) =>
            Results.Ok(await admin.StatusAsync(municipality, ct)))
            .Produces<IReadOnlyList<ProjectionStatus>>().RequireStaff(StaffRole.Admin, StaffRole.Supervisor);
        tenant.MapGet("/ops/projections/{name}/dead-letters", async (string municipality, string name, ProjectionAdmin admin, CancellationToken ct) =>
            admin.Find(name) is null ? Problems.Result(UnknownProjection, name) : Results.Ok(await admin.DeadLettersAsync(name, municipality, ct)))
            .Produces<IReadOnlyList<ParkedEvent>>().Refuses(UnknownProjection).RequireStaff(StaffRole.Admin, StaffRole.Supervisor);
        tenant.MapPost("/ops/projections/{name}/{command}", async (string municipality, string name, string command, ProjectionAdmin admin, CancellationToken ct) =>
        {
            if (!Enum.TryParse<ProjectionCommand>(command, ignoreCase: true, out var what)) return Results.NotFound();
            // A member of a group (the case finder of the case views) is run, and so acted on, as its group.
            if (admin.Find(name) is not { } model) return Problems.Result(UnknownProjection, name);
            if (what == ProjectionCommand.Rebuild) return Problems.Result(SystemWide, name);
            name = model.Name;
            var status = (await admin.StatusAsync(municipality, ct)).Single(s => s.Name == name);
            if (status.Owner is null) return Problems.Result(NotRunning, name);
            if (what == ProjectionCommand.Resume)
            {
                if (status.State is not ("paused" or "stopped")) return Problems.Result(NotPaused, name);
                if (status.FailedAt is { } at && await admin.MunicipalityOfAsync(at, ct) is { } of && of != municipality)
                    return Problems.Result(OtherMunicipalitysEvent, name);
            }
            if (what == ProjectionCommand.Replay && status.DeadLetters == 0) return Problems.Result(NoDeadLetters, name);
            await admin.RequestAsync(what, name, municipality, ct);
            return Results.Accepted($"/api/{municipality}/ops/projections", new ProjectionCommandAccepted(name, what.ToString().ToLowerInvariant(), status.Owner));
        }).Produces<ProjectionCommandAccepted>(StatusCodes.Status202Accepted)
            .Refuses(UnknownProjection, SystemWide, NotRunning, NotPaused, OtherMunicipalitysEvent, NoDeadLetters).RequireStaff(StaffRole.Admin);
        return tenant;
    }
}
