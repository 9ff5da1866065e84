using static CaseSystem.Cases.Renewal.RenewalEvent;

namespace CaseSystem.Cases.Renewal;

/// <summary>A timer events set on their case: at most one per kind, set again to move it.</summary>
public sealed record TimerSchedule(string Kind, DateTimeOffset DueAt);

/// <summary>
/// The case's reactions to time: which events set which timers, and what a timer does when it
/// falls due. A timer that falls due on a case it no longer concerns (renewed, replied) fires a
/// command the decider answers with nothing.
/// </summary>
public static class RenewalTimers
{
    public const string WindowOpens = "renewal-window-opens";
    public const string Lapse = "certificate-lapse";
    public const string InquiryOverdue = "inquiry-overdue";

    /// <summary>The timers these events set, given the case as they leave it.</summary>
    public static IReadOnlyList<TimerSchedule> SetBy(IReadOnlyList<RenewalEvent> events, RenewalState after)
    {
        var timers = new List<TimerSchedule>();
        // What is due already when the dates become known was decided with them (the decider
        // catches up: RenewalDecider.WithTimeCaughtUp); only what falls due later is a timer.
        void Opened(CertificateDates expiry, DateTimeOffset at)
        {
            TimerSchedule[] due = [
                new(WindowOpens, StartOf(Validity.RenewalOpensOn(expiry.UserAuthenticationExpiry))),
                new(Lapse, StartOf(Earliest(expiry).AddDays(1))),
            ];
            timers.AddRange(due.Where(t => t.DueAt > at));
        }

        foreach (var e in events)
        {
            switch (e)
            {
                case ExpiryNoticeSent notice:
                    Opened(notice.Expiry, notice.At);
                    break;
                case CaseOpenedAtCounter opened:
                    Opened(opened.Expiry, opened.At);
                    break;
                case NoticeAmended amended:
                    // Set again on the corrected dates; the old ones, when they fire, find nothing due.
                    Opened(amended.Expiry, amended.At);
                    break;
                case DocumentInquiryMailed mailed:
                    timers.Add(new(InquiryOverdue, StartOf(mailed.ReplyDueOn.AddDays(1))));
                    break;
                case CertificateLapsed lapsed when NextExpiry(after, JapanTime.DateOf(lapsed.At)) is { } next:
                    // The other certificate expires later: its own lapse is still to come.
                    timers.Add(new(Lapse, StartOf(next.AddDays(1))));
                    break;
            }
        }
        return timers;
    }

    private static DateOnly? NextExpiry(RenewalState state, DateOnly today) =>
        state is RenewalState.Active { Case: var file }
            ? Enum.GetValues<Certificate>().Select(file.ExpiryOf).OfType<DateOnly>().Where(d => d >= today).Order().Cast<DateOnly?>().FirstOrDefault()
            : null;

    /// <summary>The command a due timer gives the case, at the moment it fires.</summary>
    public static RenewalCommand CommandFor(string kind, DateTimeOffset now) => kind switch
    {
        WindowOpens => new RenewalCommand.OpenRenewalWindow(now),
        Lapse => new RenewalCommand.RecordLapse(now),
        InquiryOverdue => new RenewalCommand.FlagInquiryOverdue(now),
        _ => throw new ArgumentException($"no renewal timer is called '{kind}'", nameof(kind)),
    };

    private static DateOnly Earliest(CertificateDates expiry) =>
        expiry.SigningExpiry is { } signing && signing < expiry.UserAuthenticationExpiry ? signing : expiry.UserAuthenticationExpiry;

    /// <summary>Midnight, Japan time, at the start of that day.</summary>
    private static DateTimeOffset StartOf(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), JapanTime.Offset);
}
