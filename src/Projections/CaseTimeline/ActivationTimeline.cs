using System.Globalization;
using CaseSystem.Cases;
using CaseSystem.Cases.Renewal;
using static CaseSystem.Cases.Renewal.Rule.Seeds;

namespace CaseSystem.Projections.CaseTimeline;

/// <summary>
/// For every counter procedure of one case, when each service works again (002's table of
/// 目安時間, 004's notes), as seen at <see cref="AsOf"/>. Times are in Japan time (+09:00).
/// </summary>
public sealed record ActivationTimelineView(
    DateTimeOffset AsOf,
    IReadOnlyList<ProcedureTimeline> Procedures,
    InsuranceCardGrace? InsuranceCardGrace,
    InsuranceRegistrationClosed? InsuranceRegistration = null);

/// <summary>
/// The health-insurance use registration cannot be applied for from <see cref="ClosedFrom"/>
/// until the user-authentication certificate is renewed (002: within 5 days of its expiry).
/// </summary>
public sealed record InsuranceRegistrationClosed(DateOnly CertificateExpiresOn, DateOnly ClosedFrom, Caveat Caveat);

/// <summary>One counter procedure; <see cref="Procedure"/> is a stable code such as "certificate-renewal".</summary>
public sealed record ProcedureTimeline(
    string Procedure,
    string Ja,
    string En,
    string Seed,
    DateTimeOffset DoneAt,
    IReadOnlyList<string> Certificates,
    IReadOnlyList<ServiceAvailability> Services,
    IReadOnlyList<Caveat> Caveats);

/// <summary>
/// When one service works again after a procedure. <see cref="LatestFrom"/> is set when the
/// rule depends on something the case does not know (a caveat names the condition): the service
/// works from <see cref="AvailableFrom"/> at the earliest and from <see cref="LatestFrom"/> at the latest.
/// </summary>
public sealed record ServiceAvailability(
    string Service,
    string Ja,
    string En,
    ActivationRule Rule,
    DateTimeOffset AvailableFrom,
    DateTimeOffset? LatestFrom,
    string Status,
    IReadOnlyList<Caveat> Caveats);

/// <summary>A cell of the seed's table, in its own words.</summary>
public sealed record ActivationRule(string Code, string Ja, string En, string Seed);

/// <summary>A note beside the timeline; <see cref="At"/> is the moment it speaks of, where the seed gives one.</summary>
public sealed record Caveat(string Code, string Ja, string En, string Seed, DateTimeOffset? At = null);

/// <summary>
/// After the user-authentication certificate lapsed, with no new one issued yet: the card still
/// works as a health-insurance card through <see cref="WorksUntil"/> (004); <see cref="EndsAt"/>
/// is the first moment it no longer does.
/// </summary>
public sealed record InsuranceCardGrace(
    DateOnly CertificateExpiredOn,
    DateOnly WorksUntil,
    DateTimeOffset EndsAt,
    string Status,
    Caveat Caveat);

public static class ServiceStatus
{
    public const string Available = "available";
    public const string Pending = "pending";

    /// <summary>Between the earliest and the latest time of a rule that depends on an unknown condition.</summary>
    public const string Conditional = "conditional";
}

public static class GraceStatus
{
    public const string InGrace = "in-grace";
    public const string Ended = "ended";
}

/// <summary>
/// Replays one case's events up to a moment and says when each service works again after each
/// counter procedure. Pure: no clock, no I/O. "翌日" (next day) is read as from 00:00 Japan time
/// of the next calendar day, "翌々日" as from 00:00 of the calendar day after that, "翌朝9時" as
/// 09:00 of the next calendar day, whatever the machine's time zone.
/// </summary>
public static class ActivationTimeline
{
    /// <summary>Within the days before expiry, with nothing renewed yet, up to the expiry (after it the certificate has lapsed).</summary>
    private static InsuranceRegistrationClosed? RegistrationClosed(DateOnly? expiry, bool renewed, DateTimeOffset asOf, int? days)
    {
        if (days is not { } d || expiry is not { } on || renewed) return null;
        var today = JapanTime.DateOf(asOf);
        var from = on.AddDays(-d);
        return today >= from && today <= on
            ? new InsuranceRegistrationClosed(on, from, new Caveat("insurance-registration-closed",
                $"利用者証明用電子証明書の有効期限までが{d}日以内になると健康保険証の利用申し込みができなくなるため、先に電子証明書の更新が必要です。",
                $"Within {d} days of the user-authentication expiry the health-insurance use registration cannot be applied for: renew first.",
                Fujiidera, new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), JapanTime.Offset)))
            : null;
    }

    /// <summary>
    /// The rows of 002's table a case's events are. Certificates issued onto a re-issued card are
    /// the 電子証明書の発行 row: 002 ※2 counts "電子証明書が未搭載のカードに新たに搭載した場合" there, and a
    /// re-issued card carries none until they are issued onto it (003: 200 yen). They keep a
    /// procedure of their own so that the handout says what was done. No event of a case is the
    /// card's own delivery (the table's カードの交付・再交付 row).
    /// </summary>
    private enum Procedure { PinReset, CertificateRenewal, CertificateIssuance, ReissuedCardIssuance }

    private static class Service
    {
        public const string ConvenienceStore = "convenience-store";
        public const string HealthInsurance = "health-insurance-registration";
        public const string PublicFunds = "public-funds-account";
        public const string Mynaportal = "mynaportal-login";
    }

    private static readonly ActivationRule Immediately = new("immediately", "即時可能", "immediately", Fujiidera);
    private static readonly ActivationRule NextDay = new("next-day", "翌日", "from the next day (00:00 Japan time)", Fujiidera);
    private static readonly ActivationRule OneHourLater = new("one-hour", "1時間後", "1 hour later", Fujiidera);
    private static readonly ActivationRule NextMorningNine = new("next-morning-0900", "翌朝9時以降目安", "from about 09:00 the next morning", Fujiidera);

    private static readonly ActivationRule OneHourOrDayAfterNext = new(
        "one-hour-if-mynaportal-user-else-day-after-next",
        "マイナポータルの利用者登録済の場合 1時間後、マイナポータルの利用者未登録の場合 翌々日",
        "1 hour later if registered as a Mynaportal user; otherwise from the day after next",
        Fujiidera);

    private static readonly ActivationRule MynaportalLoginAfterIssuance = new(
        "day-after-next-or-next-day-1500",
        "マイナポータルの利用者未登録の場合 翌々日(全国での各種手続件数が少ない場合は翌日15時以降を目安)",
        "for holders not registered as Mynaportal users: from the day after next (from about 15:00 the next day when national volume is low)",
        Fujiidera);

    /// <param name="insuranceRegistrationClosedDays">The municipality's days before the user-authentication expiry from which the insurance-use registration is closed (002), if it says.</param>
    /// <remarks>
    /// Corrections (issue 12) need nothing here: the timeline is made of renewals, issuances, PIN
    /// resets, card reads and lapses, none of which a correction can void or amend (Corrections),
    /// and a visit in which one was recorded cannot be voided.
    /// </remarks>
    public static ActivationTimelineView Of(IEnumerable<RenewalEvent> events, DateTimeOffset asOf, int? insuranceRegistrationClosedDays = null)
    {
        ArgumentNullException.ThrowIfNull(events);

        var done = new List<(Procedure Procedure, DateTimeOffset At, IReadOnlyList<Certificate> Certificates)>();
        DateOnly? userAuthenticationExpiry = null;
        DateOnly? lapsedOn = null;

        void Done(Procedure procedure, DateTimeOffset at, IReadOnlyList<Certificate> certificates, DateOnly newExpiry)
        {
            done.Add((procedure, at, certificates));
            if (!certificates.Contains(Certificate.UserAuthentication)) return;
            userAuthenticationExpiry = newExpiry;
            lapsedOn = null;
        }

        foreach (var e in events.Where(e => e.At <= asOf).OrderBy(e => e.At))
        {
            switch (e)
            {
                case RenewalEvent.ExpiryNoticeSent n:
                    userAuthenticationExpiry = n.Expiry.UserAuthenticationExpiry;
                    break;
                case RenewalEvent.NoticeAmended a:
                    userAuthenticationExpiry = a.Expiry.UserAuthenticationExpiry;
                    break;
                case RenewalEvent.CaseOpenedAtCounter o:
                    userAuthenticationExpiry = o.Expiry.UserAuthenticationExpiry;
                    break;
                case RenewalEvent.CardRead r:
                    userAuthenticationExpiry = r.UserAuthenticationExpiry;
                    break;
                case RenewalEvent.PinReset p:
                    done.Add((Procedure.PinReset, p.At, p.Certificates));
                    break;
                case RenewalEvent.CertificatesRenewed r:
                    Done(Procedure.CertificateRenewal, r.At, r.Certificates, r.NewExpiry);
                    break;
                case RenewalEvent.CertificatesIssued i:
                    // Stored as a flagged CertificatesIssued before the re-issued card's event of its own existed.
                    Done(i.OnReissuedCard ? Procedure.ReissuedCardIssuance : Procedure.CertificateIssuance, i.At, i.Certificates, i.NewExpiry);
                    break;
                case RenewalEvent.CertificatesIssuedOnReissuedCard i:
                    Done(Procedure.ReissuedCardIssuance, i.At, i.Certificates, i.NewExpiry);
                    break;
                case RenewalEvent.CertificateLapsed { Certificate: Certificate.UserAuthentication } l:
                    lapsedOn = l.ExpiredOn;
                    break;
            }
        }

        var procedures = done
            .Select(d => Timeline(d.Procedure, Jst(d.At), d.Certificates, asOf, userAuthenticationExpiry, insuranceRegistrationClosedDays))
            .ToList();
        return new ActivationTimelineView(Jst(asOf), procedures, lapsedOn is { } expiredOn ? Grace(expiredOn, asOf) : null,
            RegistrationClosed(userAuthenticationExpiry, renewed: done.Any(d => d.Procedure != Procedure.PinReset), asOf, insuranceRegistrationClosedDays));
    }

    /// <summary>"有効期限の満了月から3か月後の月末まで" (004): the last day of the third month after the month of expiry.</summary>
    public static DateOnly InsuranceCardWorksUntil(DateOnly expiredOn) =>
        new DateOnly(expiredOn.Year, expiredOn.Month, 1).AddMonths(4).AddDays(-1);

    private static ProcedureTimeline Timeline(
        Procedure procedure, DateTimeOffset doneAt, IReadOnlyList<Certificate> certificates, DateTimeOffset asOf, DateOnly? userAuthenticationExpiry,
        int? insuranceRegistrationClosedDays)
    {
        var (code, ja, en) = procedure switch
        {
            Procedure.PinReset => ("pin-reset", "暗証番号再設定・ロック解除", "PIN reset / lock release"),
            Procedure.CertificateRenewal => ("certificate-renewal", "電子証明書の更新(有効期間内の更新)", "certificate renewal (while still valid)"),
            Procedure.CertificateIssuance => ("certificate-issuance", "電子証明書の発行(有効期間経過後など)", "certificate issuance (after expiry etc.)"),
            _ => ("reissued-card-issuance", "再交付したカードへの電子証明書の発行", "certificates issued onto a re-issued card"),
        };

        var services = Services(procedure, doneAt)
            .Select(s => s with { Status = StatusAt(asOf, s.AvailableFrom, s.LatestFrom) })
            .Select(s => s.Service == Service.HealthInsurance && InsuranceRegistrationClosedRule(s.AvailableFrom, asOf, userAuthenticationExpiry, insuranceRegistrationClosedDays) is { } caveat
                ? s with { Caveats = [.. s.Caveats, caveat] }
                : s)
            .ToList();

        return new ProcedureTimeline(code, ja, en, Fujiidera, doneAt, [.. certificates.Select(CertificateCode)], services, ProcedureCaveats(procedure, doneAt));
    }

    private static IEnumerable<ServiceAvailability> Services(Procedure procedure, DateTimeOffset doneAt)
    {
        var oneHour = doneAt.AddHours(1);
        var nextDay = DayStart(doneAt, 1);
        var dayAfterNext = DayStart(doneAt, 2);

        switch (procedure)
        {
            case Procedure.PinReset:
                yield return ConvenienceStore(Immediately, doneAt);
                yield return HealthInsurance(Immediately, doneAt);
                yield return PublicFunds(Immediately, doneAt);
                break;

            case Procedure.CertificateRenewal:
                yield return ConvenienceStore(NextDay, nextDay, FamilyRegisterReregistration());
                yield return HealthInsurance(OneHourLater, oneHour, InsuranceBusy(doneAt.AddDays(2)), InsuranceAppliedAtOnce(nextDay, "翌日", "the next day"));
                yield return PublicFunds(OneHourLater, oneHour);
                break;

            case Procedure.CertificateIssuance or Procedure.ReissuedCardIssuance:
                var nextDayAt15 = DayStart(doneAt, 1, new TimeOnly(15, 0));
                var lowVolume = LowNationalVolume(nextDayAt15);
                yield return ConvenienceStore(NextDay, nextDay, FamilyRegisterReregistration());
                yield return HealthInsurance(NextMorningNine, DayStart(doneAt, 1, new TimeOnly(9, 0)), InsuranceAppliedAtOnce(dayAfterNext, "翌々日", "the day after next"));
                yield return PublicFunds(OneHourOrDayAfterNext, oneHour, MynaportalRegistrationUnknown(oneHour, dayAfterNext), lowVolume) with { LatestFrom = dayAfterNext };
                yield return new ServiceAvailability(
                    Service.Mynaportal, "マイナポータルへのログイン", "Mynaportal login",
                    MynaportalLoginAfterIssuance, nextDayAt15, dayAfterNext, ServiceStatus.Pending,
                    [MynaportalUnregisteredOnly(), lowVolume]);
                break;
        }
    }

    private static ServiceAvailability ConvenienceStore(ActivationRule rule, DateTimeOffset from, params Caveat[] caveats) =>
        new(Service.ConvenienceStore, "コンビニ交付", "convenience-store certificate issuance", rule, from, null, ServiceStatus.Pending, caveats);

    private static ServiceAvailability HealthInsurance(ActivationRule rule, DateTimeOffset from, params Caveat[] caveats) =>
        new(Service.HealthInsurance, "健康保険証利用登録(マイナ保険証)", "health-insurance use registration (My Number insurance card)", rule, from, null, ServiceStatus.Pending, caveats);

    private static ServiceAvailability PublicFunds(ActivationRule rule, DateTimeOffset from, params Caveat[] caveats) =>
        new(Service.PublicFunds, "公金受取口座登録", "public-funds receiving account registration", rule, from, null, ServiceStatus.Pending, caveats);

    private static string StatusAt(DateTimeOffset asOf, DateTimeOffset from, DateTimeOffset? latest) =>
        asOf < from ? ServiceStatus.Pending
        : asOf >= (latest ?? from) ? ServiceStatus.Available
        : ServiceStatus.Conditional;

    private static IReadOnlyList<Caveat> ProcedureCaveats(Procedure procedure, DateTimeOffset doneAt) => procedure switch
    {
        Procedure.PinReset => [CollationNumberB(doneAt.AddHours(24))],
        _ => [ServicesMayRefuse(doneAt.AddHours(48)), SmartphoneCertificate()],
    };

    /// <summary>
    /// "利用者証明用電子証明書の有効期限までが5日以内になると健康保険証の利用申し込みができなくなる" (002):
    /// applies, in a municipality whose profile says so (its days), when, on the later of the
    /// service's first day and <paramref name="asOf"/>, the user-authentication certificate in
    /// force expires within those days.
    /// </summary>
    private static Caveat? InsuranceRegistrationClosedRule(DateTimeOffset availableFrom, DateTimeOffset asOf, DateOnly? userAuthenticationExpiry, int? closedDays)
    {
        if (userAuthenticationExpiry is not { } expiry || closedDays is not { } days) return null;
        var day = JapanTime.DateOf(availableFrom > asOf ? availableFrom : asOf);
        var blockedFrom = expiry.AddDays(-days);
        if (day < blockedFrom || day > expiry) return null;
        return new Caveat(
            "insurance-five-day-rule",
            $"利用者証明用電子証明書の有効期限({JapanTime.Ja(expiry)})までが{days}日以内になると({JapanTime.Ja(blockedFrom)}から)健康保険証の利用申し込みができなくなるため、先に電子証明書の更新が必要です。",
            $"From {Iso(blockedFrom)} the user-authentication certificate expires within {days} days (on {Iso(expiry)}): the health-insurance use registration cannot be applied for until the certificate is renewed.",
            Fujiidera,
            DayStart(blockedFrom));
    }

    private static InsuranceCardGrace Grace(DateOnly expiredOn, DateTimeOffset asOf)
    {
        var worksUntil = InsuranceCardWorksUntil(expiredOn);
        var endsAt = DayStart(worksUntil.AddDays(1));
        var caveat = new Caveat(
            "insurance-card-grace",
            $"電子証明書の有効期限({JapanTime.Ja(expiredOn)})が切れても、有効期限の満了月から3か月後の月末({JapanTime.Ja(worksUntil)})までは、マイナ保険証として医療機関で利用できます。更新しないまま猶予期間が過ぎると、マイナ保険証の利用登録が解除されます。",
            $"The certificate expired on {Iso(expiredOn)}; the card still works as a health-insurance card at medical institutions until the end of the third month after the month of expiry ({Iso(worksUntil)}). If not renewed by then, the insurance-use registration is cancelled.",
            Kawasaki,
            endsAt);
        return new InsuranceCardGrace(expiredOn, worksUntil, endsAt, asOf < endsAt ? GraceStatus.InGrace : GraceStatus.Ended, caveat);
    }

    private static Caveat CollationNumberB(DateTimeOffset at) => new(
        "collation-number-b-24h",
        $"照合番号B(顔認証時等に使用)は手続後、24時間経過({Ja(at)})を目安にロック解除となる場合があります。",
        $"Collation number B (used for face recognition etc.) may unlock only about 24 hours after the procedure ({Iso(at)}).",
        Fujiidera,
        at);

    private static Caveat FamilyRegisterReregistration() => new(
        "family-register-reregistration",
        "コンビニ交付の利用登録申請(戸籍のみ)をされている方は、利用登録申請が必要です(一度登録していても再度申請が必要です)。",
        "Holders registered for family-register (koseki) certificates at convenience stores must apply for that registration again, even if registered before.",
        Fujiidera);

    private static Caveat InsuranceBusy(DateTimeOffset at) => new(
        "insurance-system-busy",
        $"健康保険証利用登録済のカードを医療機関で保険証として利用できるのは原則1時間後ですが、システムの込み具合で2日程度({Ja(at)}頃まで)かかる場合もあります。",
        $"A card already registered for insurance use works at medical institutions after 1 hour in principle, but it can take about 2 days (until about {Iso(at)}) when the system is busy.",
        Fujiidera,
        at);

    private static Caveat InsuranceAppliedAtOnce(DateTimeOffset day, string dayJa, string dayEn) => new(
        "insurance-applied-at-once",
        $"カードの手続後、すぐに申込みを行った場合は、{dayJa}({JapanTime.Ja(JapanTime.DateOf(day))})未明に利用登録が完了します。",
        $"Applied for right after the procedure, the registration completes in the early morning of {dayEn} ({Iso(JapanTime.DateOf(day))}).",
        Fujiidera,
        day);

    private static Caveat MynaportalRegistrationUnknown(DateTimeOffset registered, DateTimeOffset unregistered) => new(
        "mynaportal-registration-unknown",
        $"マイナポータルの利用者登録済の場合は1時間後({Ja(registered)})、利用者未登録の場合は翌々日({Ja(unregistered)})からです。この案件の記録からは利用者登録の有無が分かりません。",
        $"From 1 hour later ({Iso(registered)}) if the holder is registered as a Mynaportal user, otherwise from the day after next ({Iso(unregistered)}); the case does not record which.",
        Fujiidera,
        unregistered);

    private static Caveat LowNationalVolume(DateTimeOffset at) => new(
        "low-national-volume",
        $"全国での各種手続件数が少ない場合は、翌日15時以降({Ja(at)}以降)を目安にログインできる場合があります。",
        $"When national volume is low, login may work from about 15:00 the next day ({Iso(at)}).",
        Fujiidera,
        at);

    private static Caveat MynaportalUnregisteredOnly() => new(
        "mynaportal-unregistered-only",
        "この目安は、マイナポータルの利用者未登録の方が電子証明書の発行後にログインできるようになる時期です。",
        "This estimate is for holders not yet registered as Mynaportal users, logging in after the certificates were issued.",
        Fujiidera);

    private static Caveat ServicesMayRefuse(DateTimeOffset at) => new(
        "services-may-refuse-48h",
        $"サービスによって、電子証明書更新時から48時間以内({Ja(at)}まで)は、カードが利用できない場合があります。",
        $"Depending on the service, the card may not be usable for up to 48 hours after the certificate renewal (until {Iso(at)}).",
        Kawasaki,
        at);

    private static Caveat SmartphoneCertificate() => new(
        "smartphone-certificate-reapply",
        "スマホ用電子証明書をご利用の方は、カードの再交付や電子証明書の更新・新規発行をすると、スマホ用電子証明書も再度、利用申請・登録が必要です。",
        "Holders using a smartphone certificate must apply for and register it again after a card re-issue or a certificate renewal or new issuance.",
        Fujiidera);

    private static string CertificateCode(Certificate certificate) =>
        certificate == Certificate.Signing ? "signing" : "user-authentication";

    private static DateTimeOffset Jst(DateTimeOffset moment) => moment.ToOffset(JapanTime.Offset);

    private static DateTimeOffset DayStart(DateOnly date, TimeOnly time = default) => new(date.ToDateTime(time), JapanTime.Offset);

    private static DateTimeOffset DayStart(DateTimeOffset moment, int daysLater, TimeOnly time = default) =>
        DayStart(JapanTime.DateOf(moment).AddDays(daysLater), time);

    private static string Ja(DateTimeOffset moment)
    {
        var (date, minute) = JapanTime.Of(moment);
        return JapanTime.Ja(date) + JapanTime.Ja(minute);
    }

    private static string Iso(DateTimeOffset moment) => Jst(moment).ToString("yyyy-MM-dd HH:mm 'JST'", CultureInfo.InvariantCulture);

    private static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
