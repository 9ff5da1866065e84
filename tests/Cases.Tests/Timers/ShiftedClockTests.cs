using CaseSystem.Cases.Renewal;
using CaseSystem.Cases.Timers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Wolverine;

namespace CaseSystem.Cases.Tests.Timers;

/// <summary>CASES_CLOCK_OFFSET: a server clock shifted by a fixed offset, whose timers Wolverine fires when that clock reads their moment.</summary>
public sealed class ShiftedClockTests
{
    private static readonly DateTimeOffset Midnight = new(2026, 6, 16, 0, 0, 0, JapanTime.Offset);

    [Theory]
    [InlineData("-21600", -6 * 3600.0)]
    [InlineData("3600.5", 3600.5)]
    [InlineData("-05:59:50", -(5 * 3600 + 59 * 60 + 50.0))]
    [InlineData("12.03:00:00", 12 * 86400 + 3 * 3600.0)]
    [InlineData("86400", 86400.0)] // seconds, not 86400 days
    public void The_offset_is_seconds_or_a_TimeSpan(string text, double seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), ShiftedClock.ParseOffset(text));

    [Theory]
    [InlineData("6h")]
    [InlineData("1e400")]
    [InlineData("yesterday")]
    public void An_offset_it_cannot_read_stops_the_start(string text)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new(ShiftedClock.Setting, text)]).Build();
        var error = Assert.Throws<InvalidOperationException>(() => ShiftedClock.FromConfiguration(configuration));
        Assert.Contains(ShiftedClock.Setting, error.Message);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(" ")]
    [InlineData("0")]
    [InlineData("00:00:00")]
    public void Absent_or_zero_is_the_system_clock(string? text)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new(ShiftedClock.Setting, text)]).Build();
        Assert.Null(ShiftedClock.FromConfiguration(configuration));
    }

    [Fact]
    public void The_clock_reads_the_real_time_plus_the_offset_and_fires_a_timer_when_it_reads_the_due_moment()
    {
        var offset = TimeSpan.FromDays(-170.25);
        var clock = new ShiftedClock(offset);
        var before = DateTimeOffset.UtcNow;
        var now = clock.GetUtcNow();
        Assert.InRange(now - offset, before, DateTimeOffset.UtcNow);

        // Wolverine compares its schedule with the real clock: at real time FireAt(due) this clock reads due.
        Assert.Equal(Midnight, clock.FireAt(Midnight) + offset);
        var message = Assert.IsAssignableFrom<DeliveryMessage<CaseTimerDue>>(Assert.Single(
            CaseTimers.Schedule("saku", Guid.NewGuid(), [new TimerSchedule(RenewalTimers.Lapse, Midnight)], clock)));
        Assert.Equal(Midnight - offset, message.Options!.ScheduledTime);
        Assert.Equal("saku", message.Options.TenantId);
    }

    [Fact]
    public void The_server_uses_the_shifted_clock_when_the_setting_is_there()
    {
        // In demo mode, the only one that takes it (DemoModeTests); without seeding the sample cases.
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(
        [
            new("CASES_DB", "Host=127.0.0.1;Port=1;Database=none"),
            new(ShiftedClock.Setting, "-3600"),
            new(CaseSystem.Cases.Demo.DemoMode.Setting, "1"),
            new(CaseSystem.Cases.Demo.DemoMode.SeedSetting, "0"),
            new("CASES_TOKEN_KEY_FILE", Path.Combine(Path.GetTempPath(), "casesystem-test-" + Guid.NewGuid().ToString("N"), "token.key")),
        ]).Build();
        var services = new ServiceCollection().AddLogging().AddCases(configuration);
        using var provider = services.BuildServiceProvider();
        var clock = Assert.IsType<ShiftedClock>(provider.GetRequiredService<TimeProvider>());
        Assert.Equal(TimeSpan.FromHours(-1), clock.Offset);
        Directory.Delete(Path.GetDirectoryName(configuration["CASES_TOKEN_KEY_FILE"])!, recursive: true);
    }
}
