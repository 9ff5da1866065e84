using CaseSystem.Cases.Renewal;

namespace CaseSystem.Cases.Tests.Renewal;

public sealed class ValidityTests
{
    [Theory]
    [Trait("seed", "001_1357219a37cf8bc2.txt")]
    [InlineData("1990-04-01", "2021-03-01", "2025-04-01")] // birthdays after issue: 2021 is the first
    [InlineData("1990-04-01", "2021-04-02", "2026-04-01")]
    [InlineData("2014-06-15", "2026-03-16", "2030-06-15")] // the same five birthdays for a child (001)
    public void Certificates_run_to_the_fifth_birthday_after_issue_001(string birth, string issued, string expiry) =>
        Assert.Equal(DateOnly.Parse(expiry), Validity.CertificateExpiry(DateOnly.Parse(birth), DateOnly.Parse(issued)));

    [Fact]
    [Trait("seed", "domain.md")]
    public void An_issue_date_that_is_a_birthday_does_not_count_domain_default() =>
        Assert.Equal(new DateOnly(2026, 4, 1), Validity.CertificateExpiry(new DateOnly(1990, 4, 1), new DateOnly(2021, 4, 1)));

    [Theory]
    [Trait("seed", "domain.md")]
    [InlineData("2000-02-29", "2021-03-01", "2026-02-28")] // 2026 is not a leap year: 28 February
    [InlineData("2000-02-29", "2023-03-01", "2028-02-29")] // 2028 is
    [InlineData("2000-02-29", "2024-02-29", "2029-02-28")] // issued on the birthday itself: 2025 is the first
    public void A_holder_born_on_29_February_has_the_birthday_on_28_February_in_other_years_domain_default(string birth, string issued, string expiry) =>
        Assert.Equal(DateOnly.Parse(expiry), Validity.CertificateExpiry(DateOnly.Parse(birth), DateOnly.Parse(issued)));

    [Theory]
    [Trait("seed", "001_1357219a37cf8bc2.txt")]
    [InlineData("1990-04-01", "2020-03-01", "2020-03-10", "2029-04-01")] // 29 at application: 10th birthday (2020 is the 1st)
    [InlineData("2004-04-01", "2020-03-01", "2020-05-10", "2025-04-01")] // 15 at application: 5th
    [InlineData("2010-04-01", "2020-03-01", "2020-03-10", "2024-04-01")] // under 15: 5th (2020 is the 1st)
    [InlineData("2002-04-02", "2020-04-01", "2020-04-20", "2025-04-02")] // 17 on the day of application, 18 at issue: 5th (age at application decides)
    public void The_card_runs_to_the_10th_birthday_from_18_and_the_5th_below_001(string birth, string applied, string issued, string expiry) =>
        Assert.Equal(DateOnly.Parse(expiry), Validity.CardExpiry(DateOnly.Parse(birth), DateOnly.Parse(applied), DateOnly.Parse(issued)));

    [Theory]
    [Trait("seed", "000_1c29ec30be0fd34c.txt")]
    [InlineData("2026-06-15", "2026-03-16")] // the day after the date three months before (domain.md's example)
    [InlineData("2026-05-31", "2026-03-01")] // 31 May → 28 February → 1 March
    [InlineData("2028-05-31", "2028-03-01")] // leap year: 29 February → 1 March
    [InlineData("2026-05-30", "2026-03-01")] // 30 May → 28 February (no 30th) → 1 March
    [InlineData("2026-12-31", "2026-10-01")]
    [InlineData("2027-01-15", "2026-10-16")]
    public void Renewal_opens_the_day_after_the_date_three_months_before_expiry_000(string expiry, string opens) =>
        Assert.Equal(DateOnly.Parse(opens), Validity.RenewalOpensOn(DateOnly.Parse(expiry)));

    [Theory]
    [Trait("seed", "001_1357219a37cf8bc2.txt")]
    [InlineData("2011-06-15", "2026-06-14", false)]
    [InlineData("2011-06-15", "2026-06-15", true)]
    public void No_signing_certificate_under_15_001(string birth, string on, bool may) =>
        Assert.Equal(may, Validity.MayHoldSigningCertificate(DateOnly.Parse(birth), DateOnly.Parse(on)));
}
