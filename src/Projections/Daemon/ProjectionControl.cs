using System.Text.Json;
using JasperFx.Events.Daemon;
using Marten;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace CaseSystem.Projections.Daemon;

/// <summary>
/// Carries out the operators' projection commands (<see cref="ProjectionAdmin.RequestAsync"/>) in
/// the process whose daemon owns the shard: Marten's daemon can only rebuild or restart a shard it
/// runs itself, and with HotCold any server process may be the one. The others ignore the message.
/// </summary>
public sealed class ProjectionControl(NpgsqlDataSource db, IProjectionCoordinator coordinator, ProjectionAdmin admin,
    ILogger<ProjectionControl> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var conn = await db.OpenConnectionAsync(ct);
                conn.Notification += (_, n) => _ = CarryOutAsync(n.Payload, ct);
                await using (var listen = new NpgsqlCommand($"listen {ProjectionAdmin.Channel}", conn))
                {
                    await listen.ExecuteNonQueryAsync(ct);
                }
                while (!ct.IsCancellationRequested) await conn.WaitAsync(ct);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                logger.LogWarning(e, "projection control LISTEN session broke; listening again in a second");
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
            }
        }
    }

    private async Task CarryOutAsync(string payload, CancellationToken ct)
    {
        try
        {
            var message = JsonSerializer.Deserialize<ProjectionAdmin.ControlMessage>(payload)!;
            var model = admin.Known(message.Name);
            var daemon = coordinator.DaemonForMainDatabase();
            var agent = daemon.CurrentAgents().FirstOrDefault(a => a.Name.Identity == model.Shard.Identity);
            if (agent is null) return;
            logger.LogInformation("{Command} of read model {Name} requested ({Municipality}); this process owns its shard", message.Command, model.Name,
                message.Municipality ?? "every municipality");
            switch (message.Command)
            {
                case ProjectionCommand.Rebuild:
                    await daemon.RebuildProjectionAsync(model.Name, ct);
                    // Marten's rebuild replays up to the high-water mark and leaves the shard stopped
                    // (its CLI exits after it); this process goes on running it from there.
                    await daemon.StartAgentAsync(model.Shard.Identity, ct);
                    break;
                case ProjectionCommand.Resume when agent.Status.ToString() != "Running":
                    await daemon.StartAgentAsync(model.Shard.Identity, ct);
                    break;
                case ProjectionCommand.Replay:
                    await daemon.StopAgentAsync(model.Shard.Identity);
                    try
                    {
                        var cases = await admin.ReplayDeadLettersAsync(model.Name, message.Municipality, ct);
                        logger.LogInformation("read model {Name}: {Cases} case(s) of its dead letters folded anew", model.Name, cases);
                    }
                    finally
                    {
                        await daemon.StartAgentAsync(model.Shard.Identity, ct);
                    }
                    break;
            }
            logger.LogInformation("{Command} of read model {Name} done", message.Command, model.Name);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            logger.LogError(e, "projection command {Payload} failed", payload);
        }
    }
}
