using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace CaseSystem.Projections.Daemon;

/// <summary>
/// Every read model has an owner (a process holding its HotCold lock; this one or another). A
/// process that runs projections and finds one unowned is not ready: its own daemon has not taken
/// the shard yet, or failed to. A serve-only process (CASES_PROJECTIONS=off) still answers commands,
/// so the same finding is only Degraded there (200, named in the body): the fix is to start a
/// process that runs the projections, not to stop sending requests to this one.
/// </summary>
public sealed class ProjectionsHealthCheck(ProjectionAdmin admin, bool runsProjections) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        IReadOnlyList<ProjectionStatus> statuses;
        try
        {
            statuses = await admin.StatusAsync(null, ct);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return HealthCheckResult.Unhealthy("the read models' owners cannot be looked up: the database does not answer");
        }
        var unowned = statuses.Where(s => s.Owner is null).Select(s => s.Name).ToList();
        if (unowned.Count == 0) return HealthCheckResult.Healthy("every read model is run by a process");
        var description = "no process runs: " + string.Join(", ", unowned);
        return runsProjections ? HealthCheckResult.Unhealthy(description) : HealthCheckResult.Degraded(description + " (this process does not run projections)");
    }
}
