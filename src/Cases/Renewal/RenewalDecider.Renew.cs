using static CaseSystem.Cases.Renewal.RenewalCommand;
using static CaseSystem.Cases.Renewal.RenewalEvent;

namespace CaseSystem.Cases.Renewal;

/// <summary>Renewal, issuance after expiry, and issuance onto a re-issued card.</summary>
public sealed partial class RenewalDecider
{
    /// <summary>Issuing certificates onto a re-issued card costs 200 yen (003 ※).</summary>
    public const int ReissuedCardFeeYen = 200;

    private IReadOnlyList<RenewalEvent> Renew(RenewCertificates c, CaseFile file)
    {
        var visit = RequireAcceptedVisit(file);
        var today = JapanTime.DateOf(c.Now);
        var certificates = c.Certificates.Distinct().ToList();

        if (certificates.Where(file.Renewed.Contains).Select(x => x.NameJa()).ToList() is [_, ..] again)
        {
            throw new RuleViolation(Rules.AlreadyRenewed, string.Join("・", again));
        }
        if (!file.PendingChanges.IsEmpty)
        {
            throw new RuleViolation(Rules.PendingRegistryChange,
                string.Join("・", file.PendingChanges.Select(p => p == RegistryChange.Address ? "住所" : "氏名")) + "の変更が未済です。");
        }
        if (certificates.Contains(Certificate.Signing) && !Validity.MayHoldSigningCertificate(file.Holder.BirthDate, today))
        {
            throw new RuleViolation(Rules.NoSigningUnder15);
        }
        if (visit.WhoCame == WhoCame.AppointedProxy)
        {
            if (file.Inquiry is { ReplyReceived: false }) throw new RuleViolation(Rules.InquiryReplyAwaited);
            if (file.Inquiry is null && visit.ReplyForm != ReplyForm.Sealed) throw new RuleViolation(Rules.ProxySealedReplyForm);
            if (visit.PinMismatchOnForm) throw new RuleViolation(Rules.ProxyWrongPinOnForm);
        }
        if (visit.WhoCame == WhoCame.GuardianOfAdultWard && certificates.Contains(Certificate.Signing) && !visit.HolderPresent)
        {
            throw new RuleViolation(Rules.WardPresentForSigning);
        }

        var renew = new List<Certificate>();
        var issue = new List<Certificate>();
        foreach (var certificate in certificates)
        {
            if (file.Locked.Contains(certificate)) throw new RuleViolation(Rules.PinLocked, certificate.NameJa());
            if (!visit.PinsVerified.Contains(certificate)) throw new RuleViolation(Rules.PinNotVerified, certificate.NameJa());
            var expiry = certificate == Certificate.Signing && file.SigningRevoked ? null : file.ExpiryOf(certificate);
            if (c.OnReissuedCard || expiry is null || today > expiry || file.Lapsed.Contains(certificate))
            {
                issue.Add(certificate);
            }
            else if (today < Validity.RenewalOpensOn(expiry.Value))
            {
                throw new RuleViolation(Rules.RenewalWindow,
                    $"{certificate.NameJa()}の有効期限は{JapanTime.Ja(expiry.Value)}です。更新は{JapanTime.Ja(Validity.RenewalOpensOn(expiry.Value))}から可能です。");
            }
            else
            {
                renew.Add(certificate);
            }
        }

        // 003: 「即日で電子証明書の発行は出来ません。文書照会による再度来庁が必要」 — where the profile says
        // so (Hirosaki), a proxy has certificates issued only on the visit after an answered inquiry,
        // never on the sealed form alone.
        if (policy.ProxyIssuanceNeedsInquiry && issue.Count > 0 && visit.WhoCame == WhoCame.AppointedProxy && file.Inquiry is not { ReplyReceived: true })
        {
            throw new RuleViolation(Rules.ProxyIssuanceNeedsInquiry, string.Join("・", issue.Select(x => x.NameJa())));
        }

        var newExpiry = Validity.CertificateExpiry(file.Holder.BirthDate, today);
        if (c.OnReissuedCard) return [new CertificatesIssuedOnReissuedCard(issue, newExpiry, ReissuedCardFeeYen, c.Now)];
        var events = new List<RenewalEvent>();
        if (renew.Count > 0) events.Add(new CertificatesRenewed(renew, newExpiry, 0, c.Now));
        if (issue.Count > 0) events.Add(new CertificatesIssued(issue, newExpiry, 0, c.Now));
        return events;
    }
}
