using CaseSystem.Cases;
using CaseSystem.Cases.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace CaseSystem.Projections.Runner;

/// <summary>The operator's commands over HTTP, for the admin's page: resume a paused projection (optionally skipping its failing event) and rebuild one.</summary>
public static class ProjectionOps
{
    public static readonly Problems.Kind UnknownProjection = new("urn:casesystem:problem:unknown-projection", StatusCodes.Status404NotFound,
        "その名前の集計処理はありません。/ No projection of that name.");
    public static readonly Problems.Kind NotPaused = new("urn:casesystem:problem:projection-not-paused", StatusCodes.Status409Conflict,
        "この集計処理は停止していません。/ The projection is not paused.");
    public static readonly Problems.Kind RebuildRunning = new("urn:casesystem:problem:projection-rebuilding", StatusCodes.Status409Conflict,
        "この集計処理は再構築中です。/ The projection is being rebuilt already.");

    public static RouteGroupBuilder MapProjectionOps(this RouteGroupBuilder tenant)
    {
        tenant.MapPost("/ops/projections/{name}/resume", async (string name, bool? skip, ProjectionAdmin admin, CancellationToken ct) =>
        {
            if (!Known(name)) return Problems.Result(UnknownProjection, name);
            var resumed = await admin.ResumeAsync(name, skip ?? false, ct);
            return resumed == 0 ? Problems.Result(NotPaused, name) : Results.Ok(new { name, resumed, skipped = skip ?? false });
        }).RequireStaff(StaffRole.Admin);
        tenant.MapPost("/ops/projections/{name}/rebuild", async (string name, ProjectionAdmin admin, CancellationToken ct) =>
        {
            if (!Known(name)) return Problems.Result(UnknownProjection, name);
            try
            {
                return Results.Ok(new { name, generation = await admin.RebuildAsync(name, ct) });
            }
            catch (InvalidOperationException e)
            {
                return Problems.Result(RebuildRunning, e.Message);
            }
        }).RequireStaff(StaffRole.Admin);
        return tenant;
    }

    private static bool Known(string name) => ProjectionsModule.All().Any(p => p.Name == name);
}
