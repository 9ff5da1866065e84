using CaseSystem.Cases.Renewal;
using JasperFx.Events;
using static CaseSystem.Cases.Renewal.RenewalEvent;

namespace CaseSystem.Projections.RenewalRates;

/// <summary>The renewal report's fold: a case's facts, one event at a time (the projection's tables are in RenewalReportProjection.cs).</summary>
public sealed partial class RenewalReportProjection
{
    /// <summary>
    /// The fold of one case; every field is a column, so the state round-trips through the table.
    /// The last five serve corrections (issue 12): the office the case was opened at (the office
    /// again when its only visit is voided), the arrival (stream version) each wait was measured
    /// from, the arrival not yet called and the arrival of the call in progress, and whether the
    /// last visit's service time is the last one kept. Rows written before them read as none.
    /// </summary>
    public sealed record CaseFacts(
        string Municipality,
        DateOnly CohortMonth,
        string AgeBand,
        bool NoticeSent,
        string? Office,
        string? WhoCame,
        string Outcome,
        int Visits,
        DateTimeOffset? InquiryMailedAt,
        DateTimeOffset? InquiryReplyAt,
        int PinMismatches,
        bool PinLocked,
        double[] WaitSeconds,
        double[] ServiceSeconds,
        DateTimeOffset? RenewedAt,
        DateTimeOffset? LapsedAt,
        DateTimeOffset? ClosedAt,
        long UpdatedSeq,
        bool UserAuthRenewed,
        string? VisitWhoCame,
        DateTimeOffset? ArrivedAt,
        DateTimeOffset? CalledAt,
        string? OpenedOffice = null,
        long[]? WaitArrivals = null,
        long? ArrivalVersion = null,
        long? CalledArrival = null,
        bool LastVisitServed = false)
    {
        public static CaseFacts Open(string municipality, Holder holder, CertificateDates expiry, bool noticeSent, string? office, long seq)
        {
            var expiresOn = expiry.UserAuthenticationExpiry;
            return new CaseFacts(
                municipality, new DateOnly(expiresOn.Year, expiresOn.Month, 1), ReportCodes.AgeBand(Validity.AgeOn(holder.BirthDate, expiresOn)),
                noticeSent, office, null, ReportCodes.Open, 0, null, null, 0, false, [], [], null, null, null, seq, false, null, null, null,
                OpenedOffice: office, WaitArrivals: []);
        }

        public bool Renewed => RenewedAt is not null;

        /// <summary>The arrival each wait was measured from (0: unknown, a row from before corrections).</summary>
        public long[] Arrivals => WaitArrivals is { } a && a.Length == WaitSeconds.Length ? a : new long[WaitSeconds.Length];
    }

    /// <summary>The case's facts after one event: the same instance when the event changes nothing. Pure and allocation-light.</summary>
    internal static CaseFacts? Fold(CaseFacts? s, IEvent stored)
    {
        if (stored.Data is not RenewalEvent e) return s;
        var seq = stored.Sequence;
        if (s is null)
        {
            return e switch
            {
                ExpiryNoticeSent n => CaseFacts.Open(stored.TenantId, n.Holder, n.Expiry, noticeSent: true, office: null, seq),
                CaseOpenedAtCounter o => CaseFacts.Open(stored.TenantId, o.Holder, o.Expiry, noticeSent: false, o.Office, seq),
                _ => null,
            };
        }
        switch (e)
        {
            case NoticeAmended n:
            {
                // The corrected notice moves the case to its expiry's cohort and its holder's age band.
                var opened = CaseFacts.Open(s.Municipality, n.Holder, n.Expiry, s.NoticeSent, s.Office, seq);
                return s.CohortMonth == opened.CohortMonth && s.AgeBand == opened.AgeBand
                    ? s
                    : s with { CohortMonth = opened.CohortMonth, AgeBand = opened.AgeBand, UpdatedSeq = seq };
            }

            case ArrivedAtOffice a:
                return s with { ArrivedAt = a.At, ArrivalVersion = stored.Version, CalledAt = null, CalledArrival = null, UpdatedSeq = seq };

            case CalledToCounter c when s.ArrivedAt is { } arrived:
            {
                var waits = Append(s.WaitSeconds, arrived, c.At);
                var arrivals = waits.Length == s.WaitSeconds.Length ? s.Arrivals : [.. s.Arrivals, s.ArrivalVersion ?? 0];
                return s with
                {
                    WaitSeconds = waits, WaitArrivals = arrivals, ArrivedAt = null, CalledAt = c.At,
                    CalledArrival = s.ArrivalVersion, ArrivalVersion = null, UpdatedSeq = seq,
                };
            }

            case CalledToCounter c when s.CalledAt is null:
                return s with { CalledAt = c.At, UpdatedSeq = seq };

            case VisitStarted v:
            {
                var who = ReportCodes.WhoCame(v.WhoCame);
                var first = s.Visits == 0;
                // Counted, not the visit's number: a voided visit's number is not given again.
                return s with
                {
                    Visits = s.Visits + 1,
                    Office = first ? v.Office : s.Office,
                    WhoCame = first && !s.Renewed ? who : s.WhoCame,
                    VisitWhoCame = who,
                    LastVisitServed = false,
                    UpdatedSeq = seq,
                };
            }

            case VisitEnded x when s.CalledAt is { } called:
            {
                var services = Append(s.ServiceSeconds, called, x.At);
                return s with
                {
                    ServiceSeconds = services, LastVisitServed = services.Length > s.ServiceSeconds.Length,
                    CalledAt = null, CalledArrival = null, ArrivedAt = null, ArrivalVersion = null, VisitWhoCame = null, UpdatedSeq = seq,
                };
            }

            case VisitEnded:
                return s.ArrivedAt is null && s.VisitWhoCame is null ? s : s with { ArrivedAt = null, ArrivalVersion = null, VisitWhoCame = null, UpdatedSeq = seq };

            case TicketDropped:
                return s.ArrivedAt is null && s.CalledAt is null
                    ? s
                    : s with { ArrivedAt = null, ArrivalVersion = null, CalledAt = null, CalledArrival = null, UpdatedSeq = seq };

            case EntryVoided { Entry: nameof(VisitStarted) }:
                return VisitVoided(s, seq);

            case EntryVoided { Entry: nameof(ArrivedAtOffice) } x:
                return ArrivalVoided(s, x.Version, seq);

            case PinMismatchRecorded:
                return s with { PinMismatches = s.PinMismatches + 1, UpdatedSeq = seq };

            case PinLocked when !s.PinLocked:
                return s with { PinLocked = true, UpdatedSeq = seq };

            case DocumentInquiryMailed m when s.InquiryMailedAt is null:
                return s with { InquiryMailedAt = m.At, UpdatedSeq = seq };

            case InquiryReplyReceived r when s.InquiryMailedAt is not null && s.InquiryReplyAt is null:
                return s with { InquiryReplyAt = r.At, UpdatedSeq = seq };

            case CertificatesRenewed r:
                return Renewal(s, r.Certificates, issued: false, r.At, seq);

            // Before CertificatesIssuedOnReissuedCard existed, such an issuance was a flagged CertificatesIssued.
            case CertificatesIssued { OnReissuedCard: true } i:
                return Renewal(s, i.Certificates, issued: true, i.At, seq, ReportCodes.IssuedOnReissuedCard);

            case CertificatesIssued i:
                return Renewal(s, i.Certificates, issued: true, i.At, seq);

            case CertificatesIssuedOnReissuedCard i:
                return Renewal(s, i.Certificates, issued: true, i.At, seq, ReportCodes.IssuedOnReissuedCard);

            case CertificateLapsed { Certificate: Certificate.UserAuthentication } l when s.LapsedAt is null:
                return s with { LapsedAt = l.At, Outcome = s.Outcome == ReportCodes.Open ? ReportCodes.Lapsed : s.Outcome, UpdatedSeq = seq };

            case CaseClosed c when s.ClosedAt is null:
                return Close(s, c, seq);

            // A type acted on here must be listed in the constructor's Reads, or the daemon never loads it.
            default:
                return s;
        }
    }

    private static CaseFacts Renewal(CaseFacts s, IReadOnlyList<Certificate> certificates, bool issued, DateTimeOffset at, long seq, string? outcome = null)
    {
        var userAuth = false;
        for (var i = 0; i < certificates.Count; i++)
        {
            if (certificates[i] == Certificate.UserAuthentication) userAuth = true;
        }
        if (userAuth && !s.UserAuthRenewed)
        {
            return s with
            {
                UserAuthRenewed = true,
                Outcome = outcome ?? (issued || s.LapsedAt is not null ? ReportCodes.RenewedLate : ReportCodes.RenewedBeforeExpiry),
                RenewedAt = s.RenewedAt ?? at,
                WhoCame = s.Renewed ? s.WhoCame : s.VisitWhoCame ?? s.WhoCame,
                UpdatedSeq = seq,
            };
        }
        if (!userAuth && !s.Renewed)
        {
            return s with
            {
                Outcome = outcome ?? (s.LapsedAt is not null ? ReportCodes.RenewedLate : ReportCodes.RenewedBeforeExpiry),
                RenewedAt = at,
                WhoCame = s.VisitWhoCame ?? s.WhoCame,
                UpdatedSeq = seq,
            };
        }
        return s;
    }

    private static CaseFacts Close(CaseFacts s, CaseClosed c, long seq)
    {
        if (s.Renewed) return s with { ClosedAt = c.At, UpdatedSeq = seq };
        // Closed during a visit: that visit finished the case.
        if (s.VisitWhoCame is { } who && who != s.WhoCame) s = s with { WhoCame = who };
        return c.Closure switch
        {
            CaseClosure.Renewed => s with
            {
                ClosedAt = c.At,
                RenewedAt = c.At,
                Outcome = s.LapsedAt is not null ? ReportCodes.RenewedLate : ReportCodes.RenewedBeforeExpiry,
                UpdatedSeq = seq,
            },
            CaseClosure.Lapsed => s with { ClosedAt = c.At, Outcome = ReportCodes.Lapsed, UpdatedSeq = seq },
            CaseClosure.Withdrawn => s with { ClosedAt = c.At, Outcome = ReportCodes.Withdrawn, UpdatedSeq = seq },
            CaseClosure.MovedOut => s with { ClosedAt = c.At, Outcome = ReportCodes.MovedOut, UpdatedSeq = seq },
            _ => s with { ClosedAt = c.At, UpdatedSeq = seq },
        };
    }

    /// <summary>
    /// The case's last visit, voided (the decider voids no other, nor one that renewed): it stops
    /// counting in visits per case, with its service time; the first visit voided, the case's
    /// office is again the one it was opened at, and nobody has come.
    /// </summary>
    private static CaseFacts VisitVoided(CaseFacts s, long seq)
    {
        var inProgress = s.VisitWhoCame is not null;
        var visits = Math.Max(0, s.Visits - 1);
        s = s with
        {
            Visits = visits,
            VisitWhoCame = null,
            CalledAt = inProgress ? null : s.CalledAt,
            CalledArrival = inProgress ? null : s.CalledArrival,
            ServiceSeconds = !inProgress && s.LastVisitServed && s.ServiceSeconds.Length > 0 ? s.ServiceSeconds[..^1] : s.ServiceSeconds,
            LastVisitServed = false,
            UpdatedSeq = seq,
        };
        return visits == 0 && !s.Renewed ? s with { Office = s.OpenedOffice, WhoCame = null } : s;
    }

    /// <summary>An arrival voided (recorded on the wrong case): no wait is counted from it, and its pending arrival or call is gone.</summary>
    private static CaseFacts ArrivalVoided(CaseFacts s, long version, long seq)
    {
        var arrivals = s.Arrivals;
        var i = Array.IndexOf(arrivals, version);
        var pending = s.ArrivalVersion == version;
        var called = s.CalledArrival == version;
        if (i < 0 && !pending && !called) return s;
        return s with
        {
            WaitSeconds = i < 0 ? s.WaitSeconds : [.. s.WaitSeconds[..i], .. s.WaitSeconds[(i + 1)..]],
            WaitArrivals = i < 0 ? arrivals : [.. arrivals[..i], .. arrivals[(i + 1)..]],
            ArrivedAt = pending ? null : s.ArrivedAt,
            ArrivalVersion = pending ? null : s.ArrivalVersion,
            CalledAt = called ? null : s.CalledAt,
            CalledArrival = called ? null : s.CalledArrival,
            UpdatedSeq = seq,
        };
    }

    /// <summary>The array with one more duration; a negative one (clocks out of step) is left out.</summary>
    private static double[] Append(double[] durations, DateTimeOffset from, DateTimeOffset to)
    {
        var seconds = (to - from).TotalSeconds;
        if (seconds < 0) return durations;
        var longer = new double[durations.Length + 1];
        durations.CopyTo(longer, 0);
        longer[^1] = seconds;
        return longer;
    }
}
