using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace CaseSystem.Cases.Health;

/// <summary>PostgreSQL answers a query on the pool the requests use (so a pool exhausted counts too).</summary>
public sealed class DatabaseHealthCheck(NpgsqlDataSource db, ILogger<DatabaseHealthCheck> log) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            await using var cmd = db.CreateCommand("select 1");
            await cmd.ExecuteScalarAsync(ct);
            return HealthCheckResult.Healthy("the database answers");
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            // The type only: Npgsql's messages name the host and port, which the probe's caller need not see.
            log.LogWarning("health: the database does not answer ({Error})", e.GetType().Name);
            return HealthCheckResult.Unhealthy("the database does not answer");
        }
    }
}
