namespace CaseSystem.Cases.Renewal;

/// <summary>How long cards and certificates are valid, and when renewal is possible.</summary>
public static class Validity
{
    /// <summary>
    /// The n-th birthday after <paramref name="issuedOn"/>. An issue date that is itself a
    /// birthday does not count (the count starts after it), and a holder born on 29 February has
    /// the birthday on 28 February in a year that is not a leap year: both are documented
    /// defaults (domain.md), which the seeds leave open.
    /// </summary>
    public static DateOnly NthBirthdayAfter(DateOnly birthDate, DateOnly issuedOn, int n)
    {
        var first = BirthdayIn(birthDate, issuedOn.Year);
        if (first <= issuedOn) first = BirthdayIn(birthDate, issuedOn.Year + 1);
        return BirthdayIn(birthDate, first.Year + n - 1);
    }

    public static DateOnly BirthdayIn(DateOnly birthDate, int year) =>
        birthDate is { Month: 2, Day: 29 } && !DateTime.IsLeapYear(year)
            ? new DateOnly(year, 2, 28)
            : new DateOnly(year, birthDate.Month, birthDate.Day);

    public static int AgeOn(DateOnly birthDate, DateOnly on)
    {
        var age = on.Year - birthDate.Year;
        return on < BirthdayIn(birthDate, on.Year) ? age - 1 : age;
    }

    /// <summary>Both certificates run to the 5th birthday after issue, whatever the age (001, 003, 004).</summary>
    public static DateOnly CertificateExpiry(DateOnly birthDate, DateOnly issuedOn) => NthBirthdayAfter(birthDate, issuedOn, 5);

    /// <summary>The card: the 10th birthday for those 18 or older at application, the 5th below that (001).</summary>
    public static DateOnly CardExpiry(DateOnly birthDate, DateOnly appliedOn, DateOnly issuedOn) =>
        NthBirthdayAfter(birthDate, issuedOn, AgeOn(birthDate, appliedOn) >= 18 ? 10 : 5);

    /// <summary>No signing certificate for a holder under 15 (001).</summary>
    public static bool MayHoldSigningCertificate(DateOnly birthDate, DateOnly on) => AgeOn(birthDate, on) >= 15;

    /// <summary>
    /// Renewal opens the day after the date three months before expiry (000, 004), where a month
    /// without that day ends the month: expiry 31 May → 28 February → opens 1 March.
    /// </summary>
    public static DateOnly RenewalOpensOn(DateOnly expiry) => expiry.AddMonths(-3).AddDays(1);
}
