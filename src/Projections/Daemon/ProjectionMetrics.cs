using System.Diagnostics.Metrics;
using CaseSystem.Cases.Telemetry;
using CaseSystem.Projections.QueueBoard;

namespace CaseSystem.Projections.Daemon;

/// <summary>
/// The read models' gauges on the Meter "CaseSystem" (issue 15): each projection's lag (from
/// <see cref="ProjectionAdmin.StatusAsync"/>, the operators' status query) and each office's queue
/// (from the queue board). Sampled at most every 5 s, whatever the number of scrapers; labelled by
/// projection, municipality and office only.
/// </summary>
public sealed class ProjectionMetrics
{
    public ProjectionMetrics(IMeterFactory meters, ProjectionAdmin admin, QueueBoardQuery boards, TimeProvider clock)
    {
        var meter = meters.Create(CaseMetrics.MeterName);
        var period = TimeSpan.FromSeconds(5);
        IReadOnlyList<ProjectionStatus> statuses = [];
        var lag = new CachedSample<double>(period, async ct =>
        {
            statuses = await admin.StatusAsync(null, ct);
            return [.. statuses.Select(s => new Measurement<double>(s.LagSeconds, new KeyValuePair<string, object?>("projection", s.Name)))];
        });
        meter.CreateObservableGauge("casesystem.projection.lag", lag.Observe, "s",
            "How long ago the oldest event a read model has not applied yet was recorded (0 when caught up).");
        // Read with the lag's sample (the same query), after it.
        meter.CreateObservableGauge("casesystem.projection.lag_events", () =>
            statuses.Select(s => new Measurement<long>(s.LagEvents, new KeyValuePair<string, object?>("projection", s.Name))), "{event}",
            "Events recorded that a read model has not applied yet.");
        IReadOnlyList<(string Municipality, string Office, long Waiting, double LongestWaitSeconds)> queues = [];
        var waiting = new CachedSample<long>(period, async ct =>
        {
            queues = await boards.QueuesAsync(clock.GetUtcNow(), ct);
            return [.. queues.Select(q => new Measurement<long>(q.Waiting, Office(q.Municipality, q.Office)))];
        });
        meter.CreateObservableGauge("casesystem.queue.length", waiting.Observe, "{ticket}",
            "Tickets waiting to be called today, per office (the queue board).");
        meter.CreateObservableGauge("casesystem.queue.longest_wait", () =>
            queues.Select(q => new Measurement<double>(q.LongestWaitSeconds, Office(q.Municipality, q.Office))), "s",
            "How long the ticket waiting longest in each office's queue has waited.");
    }

    private static KeyValuePair<string, object?>[] Office(string municipality, string office) =>
        [new("municipality", municipality), new("office", office)];
}
