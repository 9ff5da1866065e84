using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CaseSystem.Cases.Store.HashChain;

/// <summary>
/// Anchors every CASES_ANCHOR_EVERY (5 minutes unless set) in every server process; when several
/// run, the one that gets the advisory lock anchors and the others skip that round. A timer of
/// the process, not a Wolverine scheduled message: it is no case's business, must not wait behind
/// the timers' queue, and a missed round costs nothing (the next one anchors what moved since).
/// </summary>
internal sealed class AnchorSchedule(Anchorer anchorer, AnchorOptions options, ILogger<AnchorSchedule> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        if (!anchorer.CanAnchor || options.Every <= TimeSpan.Zero) return;
        // Real time, never the tests' or the demo's clock: how often, not when in the domain.
        using var timer = new PeriodicTimer(options.Every, TimeProvider.System);
        while (await timer.WaitForNextTickAsync(ct))
        {
            try
            {
                await anchorer.AnchorAsync(wait: false, ct);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                // The next round anchors what this one did not.
                logger.LogWarning(e, "anchoring failed; trying again in {Every}", options.Every);
            }
        }
    }
}

/// <summary>Says at start-up that nothing is anchored, so that an operator does not believe otherwise.</summary>
internal sealed class AnchorOffWarning(ILogger<AnchorOffWarning> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        logger.LogWarning("anchoring is off ({Key} and {Log} are not set): the newest events of a case deleted, or a case rewritten " +
            "with its hashes recomputed, cannot be detected", AnchorOptions.KeyVariable, AnchorOptions.LogVariable);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
