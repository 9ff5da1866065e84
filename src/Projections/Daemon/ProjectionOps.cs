using CaseSystem.Cases;
using CaseSystem.Cases.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace CaseSystem.Projections.Daemon;

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

    public static RouteGroupBuilder MapProjectionOps(this RouteGroupBuilder tenant)
    {
        tenant.MapGet("/ops/projections", async (ProjectionAdmin admin, CancellationToken ct) => Results.Ok(await admin.StatusAsync(ct)))
            .RequireStaff(StaffRole.Admin, StaffRole.Supervisor);
        tenant.MapGet("/ops/projections/{name}/dead-letters", async (string name, ProjectionAdmin admin, CancellationToken ct) =>
            admin.Find(name) is null ? Problems.Result(UnknownProjection, name) : Results.Ok(await admin.DeadLettersAsync(name, ct)))
            .RequireStaff(StaffRole.Admin, StaffRole.Supervisor);
        tenant.MapPost("/ops/projections/{name}/{command}", async (string municipality, string name, string command, ProjectionAdmin admin, CancellationToken ct) =>
        {
            if (!Enum.TryParse<ProjectionCommand>(command, ignoreCase: true, out var what)) return Results.NotFound();
            if (admin.Find(name) is null) return Problems.Result(UnknownProjection, name);
            var status = (await admin.StatusAsync(ct)).Single(s => s.Name == name);
            if (status.Owner is null) return Problems.Result(NotRunning, name);
            if (what == ProjectionCommand.Resume && status.State is not ("paused" or "stopped")) return Problems.Result(NotPaused, name);
            if (what == ProjectionCommand.Replay && status.DeadLetters == 0) return Problems.Result(NoDeadLetters, name);
            await admin.RequestAsync(what, name, ct);
            return Results.Accepted($"/api/{municipality}/ops/projections", new { name, command = what.ToString().ToLowerInvariant(), owner = status.Owner });
        }).RequireStaff(StaffRole.Admin);
        return tenant;
    }
}
