using CaseSystem.Cases.Store;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using Wolverine.Runtime;

namespace CaseSystem.Cases.Health;

/// <summary>
/// The timers fire only while Wolverine's durability agent for the database ("wolverinedb://…", which
/// polls the due scheduled messages) runs somewhere: the leader assigns it to one node. Healthy when
/// this process runs it, or when the node assignments name a node whose heartbeat is fresh (within
/// twice the stale-node timeout, CasesModule's 5 s), since a dead node's assignment lingers until it is ejected.
/// </summary>
public sealed class TimersHealthCheck(IWolverineRuntime runtime, NpgsqlDataSource db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        if (runtime.Agents.AllRunningAgentUris().Any(IsDurabilityAgent)) return HealthCheckResult.Healthy("this process runs the timers' agent");
        await using var cmd = db.CreateCommand($"""
            select count(*) from {CaseStore.Schema}.wolverine_node_assignments a
            join {CaseStore.Schema}.wolverine_nodes n on n.id = a.node_id
            where a.id like 'wolverinedb://%' and n.health_check > now() - interval '10 seconds'
            """);
        try
        {
            return (long)(await cmd.ExecuteScalarAsync(ct))! > 0
                ? HealthCheckResult.Healthy("another process runs the timers' agent")
                : HealthCheckResult.Unhealthy("no live process runs the timers' agent (yet: the leader assigns it within seconds of a start)");
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return HealthCheckResult.Unhealthy("the timers' agent cannot be looked for: the database does not answer");
        }
    }

    private static bool IsDurabilityAgent(Uri uri) => uri.Scheme == "wolverinedb";
}
