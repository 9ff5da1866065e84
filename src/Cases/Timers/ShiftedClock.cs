using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CaseSystem.Cases.Timers;

/// <summary>
/// The system clock moved by a fixed offset (CASES_CLOCK_OFFSET), for rehearsals and training
/// (a counter's day, an expiry's midnight, at any hour) and for the tests that run real server
/// processes. Never for production: every event records the shifted time.
/// Wolverine stores and fires scheduled messages by the real clock, so a timer due at a moment
/// of this clock is fired at that moment minus the offset, when this clock reads the moment.
/// Durations (timestamps, timers) are the system's: only the reading of the date and time moves.
/// </summary>
public sealed class ShiftedClock(TimeSpan offset) : TimeProvider, ITimerClock
{
    public const string Setting = "CASES_CLOCK_OFFSET";

    private long _offsetTicks = offset.Ticks;

    public TimeSpan Offset => TimeSpan.FromTicks(Volatile.Read(ref _offsetTicks));

    public override DateTimeOffset GetUtcNow() => TimeProvider.System.GetUtcNow() + Offset;

    /// <summary>
    /// Moves the clock forward to <paramref name="at"/> (demo mode only, <see cref="Demo.DemoMode"/>).
    /// Timers scheduled before keep the real moment they were set for unless they are moved too
    /// (<see cref="Demo.DemoClock"/> does); a case records what fell due meanwhile at its next
    /// command anyway (the decider catches up, RenewalDecider.WithTimeCaughtUp).
    /// </summary>
    public void MoveForwardTo(DateTimeOffset at)
    {
        var now = GetUtcNow();
        if (at < now) throw new ArgumentOutOfRangeException(nameof(at), "the clock only moves forward");
        Interlocked.Add(ref _offsetTicks, (at - now).Ticks);
    }

    public override TimeZoneInfo LocalTimeZone => TimeProvider.System.LocalTimeZone;

    public DateTimeOffset FireAt(DateTimeOffset due) => due - Offset;

    /// <summary>
    /// The clock CASES_CLOCK_OFFSET asks for, or null for the system clock (absent, blank or zero).
    /// The offset is a number of seconds ("-21600", "3600.5") or a TimeSpan ("-05:59:50",
    /// "12.03:00:00", days first); anything else stops the start.
    /// </summary>
    public static ShiftedClock? FromConfiguration(IConfiguration configuration)
    {
        var text = configuration[Setting];
        if (string.IsNullOrWhiteSpace(text)) return null;
        var offset = ParseOffset(text.Trim()) ?? throw new InvalidOperationException(
            $"{Setting} の値 '{text}' を読めません。/ {Setting}='{text}' is neither a number of seconds (-21600) nor a TimeSpan ([-][d.]hh:mm:ss, -05:59:50).");
        return offset == TimeSpan.Zero ? null : new ShiftedClock(offset);
    }

    internal static TimeSpan? ParseOffset(string text)
    {
        // Seconds first: TimeSpan would read "3600" as 3600 days.
        if (double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds))
        {
            return double.IsFinite(seconds) && Math.Abs(seconds) < TimeSpan.MaxValue.TotalSeconds / 2 ? TimeSpan.FromSeconds(seconds) : null;
        }
        return TimeSpan.TryParseExact(text, "c", CultureInfo.InvariantCulture, out var span) ? span : null;
    }
}

/// <summary>Says at start-up, as a warning, that the clock is shifted, so that no one mistakes a rehearsal server for a real one.</summary>
internal sealed class ShiftedClockWarning(ShiftedClock clock, ILogger<ShiftedClock> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().ToOffset(JapanTime.Offset);
        logger.LogWarning(
            "{Setting}={Offset}: 時計をずらして動いています。現在時刻を {Now:yyyy-MM-dd HH:mm:ss} (日本時間) として記録し、タイマーもその時刻で動きます。本番では設定しないでください。" +
            " / The clock is shifted: this server records the time, and fires timers, as if it were that Japan time. For rehearsals and tests only; never set it in production.",
            ShiftedClock.Setting, clock.Offset, now);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
