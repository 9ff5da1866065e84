using System.Globalization;
using CaseSystem.Cases;
using CaseSystem.Cases.Auth;
using CaseSystem.Cases.Policies;

using CaseSystem.Tests.Shared;

namespace CaseSystem.Chaos;

/// <summary>
/// The counters' day the run lives in, and the staff tokens its servers accept. Arrivals and visits
/// are refused outside reception hours, and the run may start at any real hour, so every server
/// process runs on one clock shifted to a Monday morning (CASES_CLOCK_OFFSET, demo mode without the
/// sample cases, as the tests' server processes do): the offset is computed once here and given to
/// each process, since every process on one database must read the same time.
/// </summary>
internal sealed class Counter
{
    /// <summary>A Monday at 10:00 Japan time with no holiday or closure near it (the http benchmark's day).</summary>
    public static readonly DateTimeOffset ClockStart = new(2026, 3, 16, 10, 0, 0, JapanTime.Offset);

    public static readonly string[] Municipalities = OpenDesks.Municipalities;

    private readonly StaffTokenSigner _signer;

    public Counter(string keyFile, TimeSpan span)
    {
        KeyFile = keyFile;
        _signer = new StaffTokenSigner(StaffTokenKey.LoadOrCreate(keyFile));
        Offset = ClockStart - DateTimeOffset.UtcNow;
        Desks = OpenDesks.From(ClockStart, span);
    }

    /// <summary>The token key the server processes read (CASES_TOKEN_KEY_FILE).</summary>
    public string KeyFile { get; }

    public TimeSpan Offset { get; }

    /// <summary>CASES_CLOCK_OFFSET as the servers read it: seconds.</summary>
    public string OffsetSetting => Offset.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture);

    /// <summary>The servers' time now.</summary>
    public DateTimeOffset Now => DateTimeOffset.UtcNow + Offset;

    public DateOnly Today => JapanTime.DateOf(Now);

    public IReadOnlyList<Desk> Desks { get; }

    /// <summary>A bearer token valid for a day of the servers' clock.</summary>
    public string Token(string staffId, StaffRole role, string municipality, string office) =>
        _signer.Issue(new StaffIdentity(staffId, role, municipality, office, Now.AddHours(24)));

    /// <summary>A supervisor's token (the chain check is for those who audit), at the municipality's first office.</summary>
    public string SupervisorToken(string municipality) =>
        Token("chaos-supervisor", StaffRole.Supervisor, municipality, MunicipalPolicies.For(municipality).Offices[0].Id);
}
