using System.Globalization;
using System.Text.Json;
using CaseSystem.Cases;
using CaseSystem.Cases.Renewal;
using CaseSystem.Projections.CaseTimeline;

namespace CaseSystem.Projections.Tests.CaseTimeline;

public sealed class ActivationTimelineTests
{
    private const string Fujiidera = "002_2a7693c0dfa04a34.txt";
    private const string Kawasaki = "004_90c5c7590592c0d4.txt";

    private static readonly Certificate[] Both = [Certificate.UserAuthentication, Certificate.Signing];
    private const int FujiideraClosedDays = 5;
    private static readonly Holder Holder = new("藤井 花子", "フジイ ハナコ", new DateOnly(1990, 6, 15), "大阪府藤井寺市岡1丁目1番1号");

    /// <summary>Wednesday 10 June 2026, 14:20 Japan time.</summary>
    private static readonly DateTimeOffset DoneAt = At("2026-06-10T14:20:00+09:00");

    private static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture);

    private static RenewalEvent Procedure(string procedure, DateTimeOffset at) => procedure switch
    {
        "pin-reset" => new RenewalEvent.PinReset(Both, at),
        "certificate-renewal" => new RenewalEvent.CertificatesRenewed(Both, new DateOnly(2031, 6, 15), 0, at),
        "certificate-issuance" => new RenewalEvent.CertificatesIssued(Both, new DateOnly(2031, 6, 15), 0, at),
        "reissued-card-issuance" => new RenewalEvent.CertificatesIssuedOnReissuedCard(Both, new DateOnly(2031, 6, 15), 200, at),
        _ => throw new ArgumentOutOfRangeException(nameof(procedure)),
    };

    private static RenewalEvent Opened(DateOnly userAuthenticationExpiry, DateTimeOffset at) =>
        new RenewalEvent.CaseOpenedAtCounter(Holder, new CertificateDates(userAuthenticationExpiry, userAuthenticationExpiry), "マイナンバー総合窓口", at);

    private static ProcedureTimeline Single(ActivationTimelineView view) => Assert.Single(view.Procedures);

    private static ServiceAvailability ServiceOf(ProcedureTimeline procedure, string service) =>
        Assert.Single(procedure.Services, s => s.Service == service);

    private static Caveat CaveatOf(IEnumerable<Caveat> caveats, string code) => Assert.Single(caveats, c => c.Code == code);

    [Theory]
    [Trait("seed", Fujiidera)]
    [InlineData("pin-reset", "convenience-store", "immediately", "2026-06-10T14:20:00+09:00", null)]
    [InlineData("pin-reset", "health-insurance-registration", "immediately", "2026-06-10T14:20:00+09:00", null)]
    [InlineData("pin-reset", "public-funds-account", "immediately", "2026-06-10T14:20:00+09:00", null)]
    [InlineData("certificate-renewal", "convenience-store", "next-day", "2026-06-11T00:00:00+09:00", null)]
    [InlineData("certificate-renewal", "health-insurance-registration", "one-hour", "2026-06-10T15:20:00+09:00", null)]
    [InlineData("certificate-renewal", "public-funds-account", "one-hour", "2026-06-10T15:20:00+09:00", null)]
    [InlineData("certificate-issuance", "convenience-store", "next-day", "2026-06-11T00:00:00+09:00", null)]
    [InlineData("certificate-issuance", "health-insurance-registration", "next-morning-0900", "2026-06-11T09:00:00+09:00", null)]
    [InlineData("certificate-issuance", "public-funds-account", "one-hour-if-mynaportal-user-else-day-after-next", "2026-06-10T15:20:00+09:00", "2026-06-12T00:00:00+09:00")]
    [InlineData("certificate-issuance", "mynaportal-login", "day-after-next-or-next-day-1500", "2026-06-11T15:00:00+09:00", "2026-06-12T00:00:00+09:00")]
    [InlineData("reissued-card-issuance", "convenience-store", "next-day", "2026-06-11T00:00:00+09:00", null)]
    [InlineData("reissued-card-issuance", "health-insurance-registration", "next-morning-0900", "2026-06-11T09:00:00+09:00", null)]
    [InlineData("reissued-card-issuance", "public-funds-account", "one-hour-if-mynaportal-user-else-day-after-next", "2026-06-10T15:20:00+09:00", "2026-06-12T00:00:00+09:00")]
    [InlineData("reissued-card-issuance", "mynaportal-login", "day-after-next-or-next-day-1500", "2026-06-11T15:00:00+09:00", "2026-06-12T00:00:00+09:00")]
    public void Every_cell_of_the_table(string procedure, string service, string rule, string availableFrom, string? latestFrom)
    {
        var timeline = Single(ActivationTimeline.Of([Procedure(procedure, DoneAt)], DoneAt));
        var cell = ServiceOf(timeline, service);

        Assert.Equal(procedure, timeline.Procedure);
        Assert.Equal(rule, cell.Rule.Code);
        Assert.Equal(Fujiidera, cell.Rule.Seed);
        Assert.Equal(At(availableFrom), cell.AvailableFrom);
        Assert.Equal(JapanTime.Offset, cell.AvailableFrom.Offset);
        Assert.Equal(latestFrom is null ? null : At(latestFrom), cell.LatestFrom);
    }

    [Theory]
    [Trait("seed", Fujiidera)]
    [InlineData("pin-reset", "convenience-store health-insurance-registration public-funds-account")]
    [InlineData("certificate-renewal", "convenience-store health-insurance-registration public-funds-account")]
    [InlineData("certificate-issuance", "convenience-store health-insurance-registration public-funds-account mynaportal-login")]
    [InlineData("reissued-card-issuance", "convenience-store health-insurance-registration public-funds-account mynaportal-login")]
    public void Mynaportal_login_is_shown_only_where_the_seed_speaks_of_it(string procedure, string services)
    {
        var timeline = Single(ActivationTimeline.Of([Procedure(procedure, DoneAt)], DoneAt));

        Assert.Equal(services.Split(' '), timeline.Services.Select(s => s.Service));
    }

    [Fact]
    [Trait("seed", Fujiidera)]
    public void Certificates_issued_onto_a_reissued_card_are_the_issuance_row_under_a_name_of_their_own()
    {
        // 002 ※2: "電子証明書が未搭載のカードに新たに搭載した場合" is the 電子証明書の発行 row; 003: 200 yen, an issuance.
        var onReissued = Single(ActivationTimeline.Of([Procedure("reissued-card-issuance", DoneAt)], DoneAt));
        var flagged = Single(ActivationTimeline.Of([new RenewalEvent.CertificatesIssued(Both, new DateOnly(2031, 6, 15), 200, DoneAt, OnReissuedCard: true)], DoneAt));
        var afterExpiry = Single(ActivationTimeline.Of([new RenewalEvent.CertificatesIssued(Both, new DateOnly(2031, 6, 15), 0, DoneAt)], DoneAt));

        Assert.Equal(("reissued-card-issuance", "再交付したカードへの電子証明書の発行"), (onReissued.Procedure, onReissued.Ja));
        Assert.Equal(onReissued.Procedure, flagged.Procedure);
        Assert.Equal(afterExpiry.Services.Select(x => (x.Service, x.Rule.Code, x.AvailableFrom, x.LatestFrom)), onReissued.Services.Select(x => (x.Service, x.Rule.Code, x.AvailableFrom, x.LatestFrom)));
        Assert.Equal(("certificate-issuance", "電子証明書の発行(有効期間経過後など)"), (afterExpiry.Procedure, afterExpiry.Ja));
    }

    [Fact]
    [Trait("seed", Fujiidera)]
    public void Public_funds_after_issuance_is_conditional_between_one_hour_and_the_day_after_next()
    {
        var events = new[] { Procedure("certificate-issuance", DoneAt) };

        string StatusAt(string asOf) => ServiceOf(Single(ActivationTimeline.Of(events, At(asOf))), "public-funds-account").Status;

        Assert.Equal("pending", StatusAt("2026-06-10T15:19:59+09:00"));
        Assert.Equal("conditional", StatusAt("2026-06-10T15:20:00+09:00"));
        Assert.Equal("conditional", StatusAt("2026-06-11T23:59:59+09:00"));
        Assert.Equal("available", StatusAt("2026-06-12T00:00:00+09:00"));

        var cell = ServiceOf(Single(ActivationTimeline.Of(events, DoneAt)), "public-funds-account");
        var condition = CaveatOf(cell.Caveats, "mynaportal-registration-unknown");
        Assert.Equal(At("2026-06-12T00:00:00+09:00"), condition.At);
        Assert.Contains("マイナポータルの利用者登録済の場合は1時間後", condition.Ja);
    }

    [Fact]
    [Trait("seed", Fujiidera)]
    public void Low_national_volume_may_allow_login_from_15_00_the_next_day()
    {
        var timeline = Single(ActivationTimeline.Of([Procedure("certificate-issuance", DoneAt)], DoneAt));

        var onPublicFunds = CaveatOf(ServiceOf(timeline, "public-funds-account").Caveats, "low-national-volume");
        var onMynaportal = CaveatOf(ServiceOf(timeline, "mynaportal-login").Caveats, "low-national-volume");

        Assert.Equal(At("2026-06-11T15:00:00+09:00"), onPublicFunds.At);
        Assert.Equal(onPublicFunds, onMynaportal);
        Assert.Equal(Fujiidera, onPublicFunds.Seed);
        Assert.Contains("2026年6月11日15時00分", onPublicFunds.Ja);
        Assert.Single(ServiceOf(timeline, "mynaportal-login").Caveats, c => c.Code == "mynaportal-unregistered-only");
    }

    [Theory]
    [Trait("seed", Fujiidera)]
    [InlineData("certificate-renewal")]
    [InlineData("certificate-issuance")]
    [InlineData("reissued-card-issuance")]
    public void Convenience_store_family_register_users_must_register_again(string procedure)
    {
        var timeline = Single(ActivationTimeline.Of([Procedure(procedure, DoneAt)], DoneAt));

        var caveat = CaveatOf(ServiceOf(timeline, "convenience-store").Caveats, "family-register-reregistration");
        Assert.Equal(Fujiidera, caveat.Seed);
        Assert.Contains("戸籍のみ", caveat.Ja);
    }

    [Fact]
    [Trait("seed", Fujiidera)]
    public void Pin_reset_has_no_footnotes_on_its_services_and_warns_about_collation_number_b_for_24_hours()
    {
        var timeline = Single(ActivationTimeline.Of([Procedure("pin-reset", DoneAt)], DoneAt));

        Assert.All(timeline.Services, s => Assert.Empty(s.Caveats));
        var caveat = Assert.Single(timeline.Caveats);
        Assert.Equal("collation-number-b-24h", caveat.Code);
        Assert.Equal(At("2026-06-11T14:20:00+09:00"), caveat.At);
        Assert.Equal(Fujiidera, caveat.Seed);
    }

    [Fact]
    [Trait("seed", Fujiidera)]
    public void Insurance_after_renewal_may_take_about_two_days_and_an_application_at_once_completes_early_next_morning()
    {
        var insurance = ServiceOf(Single(ActivationTimeline.Of([Procedure("certificate-renewal", DoneAt)], DoneAt)), "health-insurance-registration");

        Assert.Equal(At("2026-06-12T14:20:00+09:00"), CaveatOf(insurance.Caveats, "insurance-system-busy").At);
        var atOnce = CaveatOf(insurance.Caveats, "insurance-applied-at-once");
        Assert.Equal(At("2026-06-11T00:00:00+09:00"), atOnce.At);
        Assert.Contains("翌日(2026年6月11日)未明", atOnce.Ja);
    }

    [Fact]
    [Trait("seed", Fujiidera)]
    public void Insurance_after_issuance_applied_at_once_completes_early_on_the_day_after_next()
    {
        var insurance = ServiceOf(Single(ActivationTimeline.Of([Procedure("certificate-issuance", DoneAt)], DoneAt)), "health-insurance-registration");

        var atOnce = Assert.Single(insurance.Caveats);
        Assert.Equal("insurance-applied-at-once", atOnce.Code);
        Assert.Equal(At("2026-06-12T00:00:00+09:00"), atOnce.At);
        Assert.Contains("翌々日(2026年6月12日)未明", atOnce.Ja);
    }

    [Theory]
    [Trait("seed", Kawasaki)]
    [InlineData("certificate-renewal", true)]
    [InlineData("certificate-issuance", true)]
    [InlineData("reissued-card-issuance", true)]
    [InlineData("pin-reset", false)]
    public void Services_may_refuse_the_card_for_48_hours_after_the_certificates_are_renewed(string procedure, bool applies)
    {
        var timeline = Single(ActivationTimeline.Of([Procedure(procedure, DoneAt)], DoneAt));

        var caveat = timeline.Caveats.SingleOrDefault(c => c.Code == "services-may-refuse-48h");
        if (!applies)
        {
            Assert.Null(caveat);
            return;
        }
        Assert.NotNull(caveat);
        Assert.Equal(At("2026-06-12T14:20:00+09:00"), caveat.At);
        Assert.Equal(Kawasaki, caveat.Seed);
    }

    [Theory]
    [Trait("seed", Fujiidera)]
    [InlineData("certificate-renewal", true)]
    [InlineData("certificate-issuance", true)]
    [InlineData("reissued-card-issuance", true)]
    [InlineData("pin-reset", false)]
    public void Smartphone_certificates_must_be_applied_for_again(string procedure, bool applies)
    {
        var timeline = Single(ActivationTimeline.Of([Procedure(procedure, DoneAt)], DoneAt));

        var caveat = timeline.Caveats.SingleOrDefault(c => c.Code == "smartphone-certificate-reapply");
        Assert.Equal(applies, caveat is not null);
        if (caveat is not null) Assert.Equal(Fujiidera, caveat.Seed);
    }

    [Fact]
    public void An_event_after_as_of_is_ignored()
    {
        var events = new[] { Procedure("pin-reset", DoneAt), Procedure("certificate-renewal", DoneAt.AddMinutes(10)) };

        var before = ActivationTimeline.Of(events, DoneAt.AddMinutes(9));
        var after = ActivationTimeline.Of(events, DoneAt.AddMinutes(10));

        Assert.Equal(["pin-reset"], before.Procedures.Select(p => p.Procedure));
        Assert.Equal(["pin-reset", "certificate-renewal"], after.Procedures.Select(p => p.Procedure));
    }

    [Fact]
    public void A_service_pending_at_one_moment_is_available_later()
    {
        var events = new[] { Procedure("certificate-renewal", DoneAt) };

        string StatusAt(string service, string asOf) => ServiceOf(Single(ActivationTimeline.Of(events, At(asOf))), service).Status;

        Assert.Equal("pending", StatusAt("health-insurance-registration", "2026-06-10T15:19:59+09:00"));
        Assert.Equal("available", StatusAt("health-insurance-registration", "2026-06-10T15:20:00+09:00"));
        Assert.Equal("pending", StatusAt("convenience-store", "2026-06-10T23:59:59+09:00"));
        Assert.Equal("available", StatusAt("convenience-store", "2026-06-10T15:00:00Z"));
    }

    [Fact]
    public void As_of_is_given_back_in_japan_time()
    {
        var view = ActivationTimeline.Of([], At("2026-06-10T05:20:00Z"));

        Assert.Equal(At("2026-06-10T14:20:00+09:00"), view.AsOf);
        Assert.Equal(JapanTime.Offset, view.AsOf.Offset);
        Assert.Empty(view.Procedures);
        Assert.Null(view.InsuranceCardGrace);
    }

    [Theory]
    [Trait("seed", Fujiidera)]
    [InlineData("2026-06-10T23:30:00+09:00", "2026-06-11T00:00:00+09:00")]
    [InlineData("2026-06-10T14:30:00Z", "2026-06-11T00:00:00+09:00")]
    [InlineData("2026-06-10T15:30:00Z", "2026-06-12T00:00:00+09:00")]
    [InlineData("2026-06-10T10:30:00-05:00", "2026-06-12T00:00:00+09:00")]
    [InlineData("2026-06-10T23:59:59+09:00", "2026-06-11T00:00:00+09:00")]
    public void Next_day_is_the_next_japan_calendar_day(string renewedAt, string nextDay)
    {
        var at = At(renewedAt);
        var timeline = Single(ActivationTimeline.Of([Procedure("certificate-renewal", at)], at));

        var store = ServiceOf(timeline, "convenience-store");
        Assert.Equal(At(nextDay), store.AvailableFrom);
        Assert.Equal(JapanTime.Offset, store.AvailableFrom.Offset);
        Assert.Equal(at, timeline.DoneAt);
        Assert.Equal(JapanTime.Offset, timeline.DoneAt.Offset);
        Assert.Equal("pending", store.Status);
    }

    [Fact]
    [Trait("seed", Fujiidera)]
    public void Renewal_at_23_30_japan_time_given_in_utc_works_at_the_convenience_store_thirty_minutes_later()
    {
        var renewedAt = At("2026-06-10T14:30:00Z");

        var view = ActivationTimeline.Of([Procedure("certificate-renewal", renewedAt)], At("2026-06-10T15:00:00Z"));

        var store = ServiceOf(Single(view), "convenience-store");
        Assert.Equal(At("2026-06-11T00:00:00+09:00"), store.AvailableFrom);
        Assert.Equal("available", store.Status);
        Assert.Equal(At("2026-06-11T00:30:00+09:00"), ServiceOf(Single(view), "health-insurance-registration").AvailableFrom);
    }

    [Fact]
    [Trait("seed", Fujiidera)]
    public void Issuance_at_00_30_japan_time_counts_the_next_morning_from_that_japan_day()
    {
        var issuedAt = At("2026-06-10T15:30:00Z");

        var timeline = Single(ActivationTimeline.Of([Procedure("certificate-issuance", issuedAt)], issuedAt));

        Assert.Equal(At("2026-06-12T09:00:00+09:00"), ServiceOf(timeline, "health-insurance-registration").AvailableFrom);
        Assert.Equal(At("2026-06-13T00:00:00+09:00"), ServiceOf(timeline, "public-funds-account").LatestFrom);
        Assert.Equal(At("2026-06-12T15:00:00+09:00"), ServiceOf(timeline, "mynaportal-login").AvailableFrom);
    }

    [Theory]
    [Trait("seed", Fujiidera)]
    [InlineData("2026-06-10T10:00:00+09:00", true)]
    [InlineData("2026-06-15T16:00:00+09:00", true)]
    [InlineData("2026-06-09T23:59:00+09:00", false)]
    [InlineData("2026-06-09T15:30:00Z", true)]
    public void Five_day_rule_on_insurance_registration_after_a_pin_reset(string resetAt, bool applies)
    {
        var at = At(resetAt);
        var events = new[] { Opened(new DateOnly(2026, 6, 15), at.AddMinutes(-30)), Procedure("pin-reset", at) };

        var insurance = ServiceOf(Single(ActivationTimeline.Of(events, at, FujiideraClosedDays)), "health-insurance-registration");

        var caveat = insurance.Caveats.SingleOrDefault(c => c.Code == "insurance-five-day-rule");
        Assert.Equal(applies, caveat is not null);
        if (caveat is null) return;
        Assert.Equal(At("2026-06-10T00:00:00+09:00"), caveat.At);
        Assert.Equal(Fujiidera, caveat.Seed);
        Assert.Contains("2026年6月15日", caveat.Ja);
    }

    [Fact]
    [Trait("seed", Fujiidera)]
    public void Five_day_rule_is_the_municipalitys_own_and_absent_where_its_profile_says_nothing()
    {
        // 002 is Fujiidera's page: the others' profiles set no closure, and their timelines carry no such caveat.
        var at = At("2026-06-12T10:00:00+09:00");
        var events = new[] { Opened(new DateOnly(2026, 6, 15), at.AddMinutes(-30)), Procedure("pin-reset", at) };
        Assert.DoesNotContain(ServiceOf(Single(ActivationTimeline.Of(events, at)), "health-insurance-registration").Caveats, c => c.Code == "insurance-five-day-rule");
        Assert.Equal(FujiideraClosedDays, Cases.Policies.MunicipalPolicies.For("fujiidera").InsuranceRegistrationClosedDaysBeforeExpiry);
        foreach (var other in new[] { "takatsuki", "saku", "hirosaki", "kawasaki" })
        {
            Assert.Null(Cases.Policies.MunicipalPolicies.For(other).InsuranceRegistrationClosedDaysBeforeExpiry);
        }
    }

    [Fact]
    [Trait("seed", Fujiidera)]
    public void Five_day_rule_appears_once_the_as_of_moment_reaches_it()
    {
        var resetAt = At("2026-06-05T10:00:00+09:00");
        var events = new[] { Opened(new DateOnly(2026, 6, 15), resetAt.AddMinutes(-30)), Procedure("pin-reset", resetAt) };

        bool AppliesAt(string asOf) => ServiceOf(Single(ActivationTimeline.Of(events, At(asOf), FujiideraClosedDays)), "health-insurance-registration")
            .Caveats.Any(c => c.Code == "insurance-five-day-rule");

        Assert.False(AppliesAt("2026-06-09T23:59:59+09:00"));
        Assert.True(AppliesAt("2026-06-10T00:00:00+09:00"));
    }

    [Fact]
    [Trait("seed", Fujiidera)]
    public void Five_day_rule_no_longer_applies_once_the_user_authentication_certificate_is_renewed()
    {
        var resetAt = At("2026-06-12T10:00:00+09:00");
        var events = new[]
        {
            Opened(new DateOnly(2026, 6, 15), resetAt.AddMinutes(-30)),
            Procedure("pin-reset", resetAt),
            Procedure("certificate-renewal", resetAt.AddMinutes(7)),
        };

        var before = ActivationTimeline.Of(events, resetAt, FujiideraClosedDays);
        var after = ActivationTimeline.Of(events, resetAt.AddMinutes(7), FujiideraClosedDays);

        Assert.Contains(ServiceOf(Single(before), "health-insurance-registration").Caveats, c => c.Code == "insurance-five-day-rule");
        Assert.All(after.Procedures, p => Assert.DoesNotContain(ServiceOf(p, "health-insurance-registration").Caveats, c => c.Code == "insurance-five-day-rule"));
    }

    [Theory]
    [Trait("seed", Kawasaki)]
    [InlineData("2026-06-15", "2026-09-30")]
    [InlineData("2026-11-30", "2027-02-28")]
    [InlineData("2027-11-05", "2028-02-29")]
    [InlineData("2026-01-31", "2026-04-30")]
    [InlineData("2026-12-01", "2027-03-31")]
    public void Insurance_card_works_until_the_end_of_the_third_month_after_the_month_of_expiry(string expiredOn, string worksUntil)
    {
        Assert.Equal(DateOnly.Parse(worksUntil, CultureInfo.InvariantCulture), ActivationTimeline.InsuranceCardWorksUntil(DateOnly.Parse(expiredOn, CultureInfo.InvariantCulture)));
    }

    [Fact]
    [Trait("seed", Kawasaki)]
    public void Insurance_card_grace_after_a_lapse_with_no_issuance_yet()
    {
        var expiredOn = new DateOnly(2026, 6, 15);
        var events = new RenewalEvent[]
        {
            Opened(expiredOn, At("2026-05-01T09:00:00+09:00")),
            new RenewalEvent.CertificateLapsed(Certificate.UserAuthentication, expiredOn, At("2026-06-16T00:05:00+09:00")),
            new RenewalEvent.CertificateLapsed(Certificate.Signing, expiredOn, At("2026-06-16T00:05:00+09:00")),
        };

        Assert.Null(ActivationTimeline.Of(events, At("2026-06-16T00:04:59+09:00")).InsuranceCardGrace);

        var grace = ActivationTimeline.Of(events, At("2026-07-01T12:00:00+09:00")).InsuranceCardGrace;
        Assert.NotNull(grace);
        Assert.Equal(expiredOn, grace.CertificateExpiredOn);
        Assert.Equal(new DateOnly(2026, 9, 30), grace.WorksUntil);
        Assert.Equal(At("2026-10-01T00:00:00+09:00"), grace.EndsAt);
        Assert.Equal("in-grace", grace.Status);
        Assert.Equal("insurance-card-grace", grace.Caveat.Code);
        Assert.Equal(Kawasaki, grace.Caveat.Seed);
        Assert.Contains("2026年9月30日", grace.Caveat.Ja);

        Assert.Equal("in-grace", ActivationTimeline.Of(events, At("2026-09-30T14:59:59Z")).InsuranceCardGrace!.Status);
        Assert.Equal("ended", ActivationTimeline.Of(events, At("2026-09-30T15:00:00Z")).InsuranceCardGrace!.Status);
    }

    [Fact]
    [Trait("seed", Kawasaki)]
    public void Insurance_card_grace_ends_with_the_issuance_that_follows()
    {
        var expiredOn = new DateOnly(2026, 6, 15);
        var issuedAt = At("2026-07-03T10:00:00+09:00");
        var events = new RenewalEvent[]
        {
            new RenewalEvent.CertificateLapsed(Certificate.UserAuthentication, expiredOn, At("2026-06-16T00:05:00+09:00")),
            Procedure("certificate-issuance", issuedAt),
        };

        Assert.NotNull(ActivationTimeline.Of(events, issuedAt.AddSeconds(-1)).InsuranceCardGrace);
        Assert.Null(ActivationTimeline.Of(events, issuedAt).InsuranceCardGrace);
    }

    [Fact]
    [Trait("seed", Kawasaki)]
    public void A_lapse_of_the_signing_certificate_alone_gives_no_insurance_grace()
    {
        var events = new[] { new RenewalEvent.CertificateLapsed(Certificate.Signing, new DateOnly(2026, 6, 15), At("2026-06-16T00:05:00+09:00")) };

        Assert.Null(ActivationTimeline.Of(events, At("2026-07-01T00:00:00+09:00")).InsuranceCardGrace);
    }

    [Fact]
    [Trait("seed", Fujiidera)]
    public void Pin_reset_then_renewal_in_the_same_visit_lists_both_in_order()
    {
        var resetAt = At("2026-06-10T10:05:00+09:00");
        var renewedAt = At("2026-06-10T10:12:00+09:00");
        var events = new RenewalEvent[]
        {
            Opened(new DateOnly(2026, 6, 15), At("2026-06-10T09:50:00+09:00")),
            new RenewalEvent.PinLocked(Certificate.UserAuthentication, At("2026-06-10T10:02:00+09:00")),
            new RenewalEvent.PinReset([Certificate.UserAuthentication], resetAt),
            new RenewalEvent.CertificatesRenewed(Both, new DateOnly(2031, 6, 15), 0, renewedAt),
            new RenewalEvent.VisitEnded(1, VisitOutcome.Done, At("2026-06-10T10:15:00+09:00")),
        };

        var view = ActivationTimeline.Of(events, At("2026-06-10T10:20:00+09:00"));

        Assert.Equal(
            [("pin-reset", resetAt), ("certificate-renewal", renewedAt)],
            view.Procedures.Select(p => (p.Procedure, p.DoneAt)));
        Assert.Equal(["user-authentication"], view.Procedures[0].Certificates);
        Assert.Equal(["user-authentication", "signing"], view.Procedures[1].Certificates);
        Assert.Equal(resetAt, ServiceOf(view.Procedures[0], "convenience-store").AvailableFrom);
        Assert.Equal("available", ServiceOf(view.Procedures[0], "convenience-store").Status);
        Assert.Equal(At("2026-06-11T00:00:00+09:00"), ServiceOf(view.Procedures[1], "convenience-store").AvailableFrom);
        Assert.Equal("pending", ServiceOf(view.Procedures[1], "convenience-store").Status);
    }

    [Fact]
    public void Procedures_are_ordered_by_time_whatever_order_the_events_come_in()
    {
        var events = new[] { Procedure("certificate-renewal", DoneAt.AddMinutes(5)), Procedure("pin-reset", DoneAt) };

        var view = ActivationTimeline.Of(events, DoneAt.AddHours(1));

        Assert.Equal(["pin-reset", "certificate-renewal"], view.Procedures.Select(p => p.Procedure));
    }

    [Fact]
    public void Serialises_with_web_defaults()
    {
        var view = ActivationTimeline.Of([Procedure("certificate-issuance", DoneAt)], DoneAt);

        var json = JsonSerializer.Serialize(view, new JsonSerializerOptions(JsonSerializerDefaults.Web));
        var back = JsonSerializer.Deserialize<ActivationTimelineView>(json, new JsonSerializerOptions(JsonSerializerDefaults.Web));

        Assert.Contains("\"availableFrom\":\"2026-06-11T00:00:00+09:00\"", json, StringComparison.Ordinal);
        Assert.Contains("\"seed\":\"002_2a7693c0dfa04a34.txt\"", json, StringComparison.Ordinal);
        Assert.NotNull(back);
        Assert.Equal(
            view.Procedures[0].Services.Select(s => (s.Service, s.AvailableFrom, s.LatestFrom, s.Status)),
            back.Procedures[0].Services.Select(s => (s.Service, s.AvailableFrom, s.LatestFrom, s.Status)));
    }

    [Fact]
    [Trait("seed", Rule.Seeds.Hirosaki)]
    public void An_issuance_stored_as_a_flagged_CertificatesIssued_times_like_one_onto_a_reissued_card_003()
    {
        var legacy = Single(ActivationTimeline.Of([new RenewalEvent.CertificatesIssued(Both, new DateOnly(2031, 6, 15), 200, DoneAt, OnReissuedCard: true)], DoneAt));
        Assert.Equal(Single(ActivationTimeline.Of([Procedure("reissued-card-issuance", DoneAt)], DoneAt)).Procedure, legacy.Procedure);
    }

    [Theory]
    [Trait("seed", Rule.Seeds.Fujiidera)]
    [InlineData("2026-06-09T10:00:00+09:00", false)]
    [InlineData("2026-06-10T00:00:00+09:00", true)]
    [InlineData("2026-06-15T23:59:00+09:00", true)]
    [InlineData("2026-06-16T00:00:00+09:00", false)]
    public void Within_5_days_of_the_user_certificates_expiry_Fujiidera_says_the_insurance_registration_is_closed_002(string asOf, bool closed)
    {
        var opened = Opened(new DateOnly(2026, 6, 15), At("2026-03-16T10:00:00+09:00"));
        var view = ActivationTimeline.Of([opened], At(asOf), insuranceRegistrationClosedDays: 5);
        Assert.Equal(closed, view.InsuranceRegistration is not null);
        if (closed) Assert.Equal((new DateOnly(2026, 6, 10), Fujiidera), (view.InsuranceRegistration!.ClosedFrom, view.InsuranceRegistration.Caveat.Seed));
        // Elsewhere the seed says nothing, and after a renewal it no longer applies.
        Assert.Null(ActivationTimeline.Of([opened], At(asOf)).InsuranceRegistration);
        Assert.Null(ActivationTimeline.Of([opened, Procedure("certificate-renewal", At("2026-06-01T10:00:00+09:00"))], At(asOf), 5).InsuranceRegistration);
    }
}
