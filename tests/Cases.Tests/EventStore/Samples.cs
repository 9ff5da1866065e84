using CaseSystem.Cases.Renewal;

namespace CaseSystem.Cases.Tests.EventStore;

internal static class Samples
{
    public static readonly DateTimeOffset At = new(2026, 3, 16, 9, 30, 0, TimeSpan.FromHours(9));

    public static RenewalEvent Arrived(int ticket) => new RenewalEvent.ArrivedAtOffice("main", $"A-{ticket:000}", At.AddMinutes(ticket));

    public static RenewalEvent Mismatch(int triesLeft) => new RenewalEvent.PinMismatchRecorded(Certificate.UserAuthentication, triesLeft, At);

    public static RenewalEvent Opened() => new RenewalEvent.CaseOpenedAtCounter(
        new Holder("山田 花子", "ヤマダ ハナコ", new DateOnly(1984, 2, 29), "長野県佐久市中込3056"),
        new CertificateDates(new DateOnly(2026, 6, 15), new DateOnly(2026, 6, 15)),
        "市民課",
        At);
}
