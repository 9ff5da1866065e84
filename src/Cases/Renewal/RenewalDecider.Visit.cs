using static CaseSystem.Cases.Renewal.RenewalCommand;
using static CaseSystem.Cases.Renewal.RenewalEvent;

namespace CaseSystem.Cases.Renewal;

/// <summary>The visit: where and when it may start, which documents count, who is identified.</summary>
public sealed partial class RenewalDecider
{
    private IReadOnlyList<RenewalEvent> StartVisit(RenewalCommand.StartVisit c, CaseFile file)
    {
        if (policy.ReceptionClosed(c.Office, c.Now) is { } closed) throw new RuleViolation(closed.Rule, closed.Detail);
        if (policy.Reservation is { } terms) RequireReservation(c, file, terms);
        if (policy.Wards.Count > 0 && policy.WardOf(c.Office) is { } ward && HolderWard(file.Holder) is { } home && home != ward)
        {
            throw new RuleViolation(Rules.ResidenceWardOffice, $"{ward}の窓口です。{HolderWardJa(file.Holder)}");
        }

        var today = JapanTime.DateOf(c.Now);
        var documents = c.Documents.Select(Classify).ToList();
        var visit = file.VisitCount + 1;
        var started = new VisitStarted(visit, c.Office, c.WhoCame, documents,
            c.WhoCame == WhoCame.AppointedProxy ? c.ReplyForm : ReplyForm.NotApplicable, c.HolderPresent, c.Now);
        var (accepted, rule, reason) = IdentityCheck(c, file, documents, today);
        return accepted
            ? [started, new IdentityAccepted(visit, rule.Id, c.Now)]
            : [started, new IdentityRefused(visit, rule.Id, reason, c.Now)];
    }

    /// <summary>004: 「予約した受取場所に、予約した日時に来所してください」.</summary>
    private static void RequireReservation(RenewalCommand.StartVisit c, CaseFile file, ReservationTerms terms)
    {
        if (file.ReservedOffice != c.Office)
        {
            throw new RuleViolation(Rules.ReservationRequired, $"{c.Office} の予約がありません。");
        }
        if (file.ReservedSlot is { } slot && (c.Now < slot - terms.EarliestBefore || c.Now > slot + terms.LatestAfter))
        {
            throw new RuleViolation(Rules.ReservedDateAndTime,
                $"予約は{JapanTime.Ja(JapanTime.DateOf(slot))} {JapanTime.Ja(TimeOnly.FromTimeSpan(slot.ToOffset(JapanTime.Offset).TimeOfDay))}です"
                + $"(受付は{terms.EarliestBefore.TotalMinutes:0}分前から{terms.LatestAfter.TotalMinutes:0}分後まで)。");
        }
    }

    /// <summary>The ward named in the holder's registered address, where the municipality's offices serve their wards (004).</summary>
    private string? HolderWard(Holder holder) => policy.Wards.FirstOrDefault(w => holder.RegisteredAddress.Contains(w, StringComparison.Ordinal));

    private string HolderWardJa(Holder holder) => HolderWard(holder) is { } ward ? $"住所地は{ward}です。" : "";

    /// <summary>Whether the office is the ward office of the holder's address; an address that names no ward cannot say otherwise.</summary>
    private bool AtResidenceWardOffice(string office, Holder holder) =>
        policy.WardOf(office) is { } ward && (HolderWard(holder) is not { } home || home == ward);

    private ShownDocument Classify(PresentedDocument d)
    {
        var list = d.Kind switch
        {
            DocumentKinds.FamilyRegisterCertificate or DocumentKinds.MaternalChildHandbook or DocumentKinds.GuardianshipCertificate
                => DocumentList.ProofOfAuthority,
            DocumentKinds.LetterOfAttorney => DocumentList.LetterOfAttorney,
            DocumentKinds.ReplyForm => DocumentList.ReplyForm,
            _ => policy.ListOf(d.Kind) ?? throw new RuleViolation(Rules.UnknownDocument, d.Kind),
        };
        return new ShownDocument(d.Kind, list, d.Owner, d.IssuedOn, d.ValidUntil);
    }

    /// <summary>
    /// Why a document does not count today, or null when it does: issued too early (運転経歴証明書
    /// before 2012-04-01, 000/004), or past its validity, where only the applicant's own My
    /// Number Card has the profile's months of grace (004 「マイナンバーカード(申請者の本人確認書類)に限り」).
    /// </summary>
    private (Rule Rule, string Detail)? NotCounting(ShownDocument d, DateOnly today)
    {
        var terms = policy.TermsOf(d.Kind);
        if (terms.IssuedOnOrAfter is { } from && (d.IssuedOn is not { } issued || issued < from))
        {
            return (Rules.DocumentIssuedTooEarly, d.IssuedOn is null
                ? $"{d.Kind}: 交付年月日({JapanTime.Ja(from)}以降)の確認が必要です。"
                : $"{d.Kind}: {JapanTime.Ja(from)}より前の交付です。");
        }
        if (d.ValidUntil is not { } until) return null;
        var grace = d.Owner == DocumentOwner.Holder ? terms.GraceAfterExpiryMonths : 0;
        return today <= until.AddMonths(grace) ? null : (Rules.DocumentExpired, $"{d.Kind}: 有効期限({JapanTime.Ja(until)})が過ぎています。");
    }

    private (bool Accepted, Rule Rule, string Reason) IdentityCheck(
        RenewalCommand.StartVisit c, CaseFile file, IReadOnlyList<ShownDocument> shown, DateOnly today)
    {
        var judged = shown.Select(d => (Document: d, Not: NotCounting(d, today))).ToList();
        var valid = judged.Where(j => j.Not is null).Select(j => j.Document).ToList();
        // Which shown documents did not count, and why: the clerk sees exactly what failed.
        var excluded = string.Concat(judged.Select(j => j.Not?.Detail));
        int Count(DocumentOwner owner, DocumentList list) => valid.Count(d => d.Owner == owner && d.List == list);
        bool Has(string kind) => valid.Any(d => d.Kind == kind);
        (bool, Rule, string) Refused(Rule rule, string reason) => (false, rule, reason + excluded);
        var holderAge = Validity.AgeOn(file.Holder.BirthDate, today);

        switch (c.WhoCame)
        {
            case WhoCame.Holder:
                return (true, Rules.HolderPresence, "");

            case WhoCame.AppointedProxy when file.Inquiry is not null && policy.SecondVisit is { } terms:
            {
                var (holderA, holderB) = HolderIds(valid);
                var missing = terms.Missing(holderA, holderB, Count(DocumentOwner.Representative, DocumentList.A),
                    Count(DocumentOwner.Representative, DocumentList.B), Has(DocumentKinds.LetterOfAttorney));
                // Only what is missing is named, not the whole requirement (issue 13).
                return missing.Count == 0
                    ? (true, Rules.InquirySecondVisit, "")
                    : Refused(Rules.InquirySecondVisit, $"文書照会後は、{terms.Ja}が必要です。足りないもの: {string.Join("、", missing)}。");
            }

            case WhoCame.AppointedProxy:
            {
                int a = Count(DocumentOwner.Representative, DocumentList.A), b = Count(DocumentOwner.Representative, DocumentList.B);
                if (policy.ProxyIdentified(a, b)) return (true, Rules.ProxyIdentity, "");
                // What was shown and what is still short, not only the whole requirement (issue 13).
                var shortfall = policy.ProxyIdentityShortfallJa(a, b) is { } s ? $"提示された代理人の書類はA{a}点・B{b}点で、{s}が必要です。" : "";
                return Refused(Rules.ProxyIdentity, $"代理人の本人確認書類({policy.ProxyIdentityJa})が必要です。{shortfall}");
            }

            case WhoCame.LegalRepresentativeOfMinor:
            {
                if (holderAge >= 15) return (false, Rules.LegalRepresentativeOfMinor, $"本人は{holderAge}歳です。法定代理人による手続きは15歳未満の方に限ります。");
                var authority = c.AuthorityOnRecord || Has(DocumentKinds.FamilyRegisterCertificate) || Has(DocumentKinds.MaternalChildHandbook);
                if (Count(DocumentOwner.Representative, DocumentList.A) < 1)
                {
                    return Refused(Rules.LegalRepresentativeOfMinor, "法定代理人の顔写真付き本人確認書類(A1点)が必要です。");
                }
                return authority
                    ? (true, Rules.LegalRepresentativeOfMinor, "")
                    : Refused(Rules.LegalRepresentativeOfMinor, "代理権の確認書類(戸籍全部事項証明書または母子健康手帳)が必要です。");
            }

            case WhoCame.GuardianOfAdultWard:
            {
                var certificateFresh = valid.Any(d => d.Kind == DocumentKinds.GuardianshipCertificate
                    && d.IssuedOn is { } issued && issued >= today.AddMonths(-3) && issued <= today);
                if (Count(DocumentOwner.Representative, DocumentList.A) < 1)
                {
                    return Refused(Rules.GuardianCertificate, "成年後見人の顔写真付き本人確認書類(A1点)が必要です。");
                }
                return certificateFresh
                    ? (true, Rules.GuardianCertificate, "")
                    : Refused(Rules.GuardianCertificate, "発行から3か月以内の成年後見登記事項証明書が必要です。");
            }

            default:
                throw new InvalidOperationException($"unhandled {c.WhoCame}");
        }
    }

    /// <summary>The holder's identity documents besides their My Number Card, by list.</summary>
    private static (int A, int B) HolderIds(IEnumerable<ShownDocument> valid)
    {
        var ids = valid.Where(d => d.Owner == DocumentOwner.Holder && d.Kind != DocumentKinds.MyNumberCard).ToList();
        return (ids.Count(d => d.List == DocumentList.A), ids.Count(d => d.List == DocumentList.B));
    }

    private IReadOnlyList<RenewalEvent> ResetPin(RenewalCommand.ResetPin c, CaseFile file)
    {
        var visit = RequireAcceptedVisit(file);
        var today = JapanTime.DateOf(c.Now);
        var valid = visit.Documents.Where(d => NotCounting(d, today) is null).ToList();
        switch (visit.WhoCame)
        {
            case WhoCame.Holder when !valid.Any(d => d.Owner == DocumentOwner.Holder && d.List is DocumentList.A or DocumentList.B):
                throw new RuleViolation(Rules.HolderIdWhenPinUnknown);
            case WhoCame.LegalRepresentativeOfMinor or WhoCame.GuardianOfAdultWard when policy.RepresentativePinReset is { } terms:
            {
                var (holderA, holderB) = HolderIds(valid);
                int Acting(DocumentList list) => valid.Count(d => d.Owner == DocumentOwner.Representative && d.List == list);
                if (!terms.IsSatisfiedBy(holderA, holderB, Acting(DocumentList.A), Acting(DocumentList.B), letter: true))
                {
                    throw new RuleViolation(Rules.RepresentativePinReset, $"{terms.Ja}が必要です。");
                }
                break;
            }
        }
        return [new PinReset([.. c.Certificates.Distinct()], c.Now)];
    }
}
