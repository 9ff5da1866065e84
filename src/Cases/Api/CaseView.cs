using CaseSystem.Cases.Renewal;

namespace CaseSystem.Cases.Api;

/// <param name="Bring">What the visitor brings next time, one thing per entry (for the printed slip), where the item is about that.</param>
public sealed record ChecklistItem(string Code, string Ja, string En, IReadOnlyList<string>? Bring = null);

public sealed record PinView(int? TriesLeft, bool Locked);

public sealed record VisitView(int Number, string Office, WhoCame WhoCame, ReplyForm ReplyForm, bool? IdentityAccepted, IReadOnlyList<Certificate> PinsVerified);

/// <summary>The ticket waiting or called, not yet taken by a visit.</summary>
public sealed record TicketView(string Office, string? Number);

/// <summary>What the desk may correct now (issue 12): the entries it may void, the ended visits whose outcome it may amend.</summary>
public sealed record CorrectionsView(IReadOnlyList<VoidableEntry> Voidable, IReadOnlyList<int> OutcomeAmendable);

/// <summary>A case as a clerk resumes it: where it stands and what is still needed to finish it.</summary>
public sealed record CaseView(
    Guid CaseId,
    long Version,
    string Status,
    string? NoticeNumber,
    Holder? Holder,
    CertificateDates? Expiry,
    DateOnly? RenewalOpensOn,
    int Visits,
    VisitView? CurrentVisit,
    IReadOnlyDictionary<Certificate, PinView> Pins,
    Inquiry? Inquiry,
    IReadOnlyList<RegistryChange> PendingChanges,
    DateOnly? RenewedUntil,
    CardShown? Card,
    CaseClosure? Closure,
    IReadOnlyList<ChecklistItem> Checklist,
    IReadOnlyList<string> AllowedActions,
    TicketView? Ticket,
    CorrectionsView Corrections)
{
    /// <param name="policy">The case's municipality: its insurance-registration closure before expiry (002) and what a proxy brings after an inquiry.</param>
    public static CaseView Of(Guid caseId, RenewalState state, long version, DateOnly today, Policies.MunicipalPolicy? policy = null) => state switch
    {
        RenewalState.Active a => From(caseId, version, a.Case, "active", null, Api.Checklist.For(a.Case, today, policy), state),
        // A case closed as renewed still says until when, and whether the card read again shows it.
        RenewalState.Closed { Closure: CaseClosure.Renewed, Case.RenewedUntil: not null } c => From(caseId, version, c.Case, "closed", c.Closure, Api.Checklist.For(c.Case, today), state),
        RenewalState.Closed c => From(caseId, version, c.Case, "closed", c.Closure, [], state),
        _ => throw new InvalidOperationException("no case"),
    };

    /// <summary>The command endpoint (relative to the case) of each action, as <c>allowedActions</c> names them.</summary>
    public static string PathOf(CaseAction action) => action switch
    {
        CaseAction.Reserve => CasePaths.Reserve,
        CaseAction.Arrive => CasePaths.Arrive,
        CaseAction.Call => CasePaths.Call,
        CaseAction.ReadCard => CasePaths.ReadCard,
        CaseAction.StartVisit => CasePaths.StartVisit,
        CaseAction.CheckPin => CasePaths.CheckPin,
        CaseAction.ResetPin => CasePaths.ResetPin,
        CaseAction.MailInquiry => CasePaths.MailInquiry,
        CaseAction.ReceiveReply => CasePaths.ReceiveReply,
        CaseAction.Renew => CasePaths.Renew,
        CaseAction.EndVisit => CasePaths.EndVisit,
        CaseAction.ReportRegistryChange => CasePaths.ReportRegistryChange,
        CaseAction.CompleteRegistryChange => CasePaths.CompleteRegistryChange,
        CaseAction.Close => CasePaths.Close,
        CaseAction.DropTicket => CasePaths.DropTicket,
        CaseAction.VoidEntry => CasePaths.VoidEntry,
        CaseAction.AmendVisitOutcome => CasePaths.AmendVisitOutcome,
        CaseAction.AmendVisitDocuments => CasePaths.AmendVisitDocuments,
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, null),
    };

    private static CaseView From(Guid caseId, long version, CaseFile file, string status, CaseClosure? closure, IReadOnlyList<ChecklistItem> checklist,
        RenewalState state) => new(
        caseId,
        version,
        status,
        file.NoticeNumber,
        file.Holder,
        file.Expiry,
        Validity.RenewalOpensOn(file.Expiry.UserAuthenticationExpiry),
        file.Visits,
        file.CurrentVisit is { } v ? new VisitView(v.Number, v.Office, v.WhoCame, v.ReplyForm, v.IdentityAccepted, [.. v.PinsVerified]) : null,
        Enum.GetValues<Certificate>().ToDictionary(c => c, c => new PinView(file.TriesLeft.TryGetValue(c, out var t) ? t : null, file.Locked.Contains(c))),
        file.Inquiry,
        [.. file.PendingChanges],
        file.RenewedUntil,
        file.LastCardRead,
        closure,
        checklist,
        [.. Lifecycle.Allowed(state).Select(PathOf)],
        file.OpenTicket is { } ticket ? new TicketView(ticket.Office, ticket.Number) : null,
        state is RenewalState.Active
            ? new CorrectionsView([.. Renewal.Corrections.Voidable(file)], [.. Renewal.Corrections.OutcomeAmendable(file).Select(v => v.Number)])
            : new CorrectionsView([], []));
}

/// <summary>What is still needed to finish a case, in the order a clerk deals with it.</summary>
public static class Checklist
{
    public static IReadOnlyList<ChecklistItem> For(CaseFile file, DateOnly today, Policies.MunicipalPolicy? policy = null)
    {
        var insuranceRegistrationClosedDays = policy?.InsuranceRegistrationClosedDaysBeforeExpiry;
        var items = new List<ChecklistItem>();
        if (file.RenewedUntil is { } until)
        {
            items.Add(new("renewed", $"更新済みです(新しい有効期限 {JapanTime.Ja(until)})。", $"Renewed, valid until {until:yyyy-MM-dd}."));
            items.Add(RenewalOnCard(file.LastCardRead, until));
            return items;
        }
        foreach (var change in file.PendingChanges)
        {
            var what = change == RegistryChange.Address ? "住所" : "氏名";
            items.Add(new("pending-registry-change", $"先に{what}の変更手続きを済ませてください。更新はその後です。", $"Finish the pending change of {change.ToString().ToLowerInvariant()} first."));
        }

        var expiry = file.Expiry.UserAuthenticationExpiry;
        var opensOn = Validity.RenewalOpensOn(expiry);
        if (today < opensOn)
        {
            items.Add(new("window-not-open", $"更新は{JapanTime.Ja(opensOn)}から可能です。", $"Renewal opens on {opensOn:yyyy-MM-dd}."));
        }
        else if (today > expiry)
        {
            items.Add(new("expired", $"有効期限({JapanTime.Ja(expiry)})が過ぎています。新規発行の手続きになります(手数料無料)。", "Expired: the certificates are issued anew (free of charge)."));
        }
        else if (insuranceRegistrationClosedDays is { } days && today >= expiry.AddDays(-days))
        {
            items.Add(InsuranceRegistrationClosed(days));
        }

        foreach (var locked in file.Locked)
        {
            items.Add(new("pin-locked", $"{locked.NameJa()}の暗証番号がロックされています。窓口で初期化(本人確認書類1点)が必要です。", $"The {locked} PIN is locked: reset it at the counter with one ID."));
        }

        if (file.Inquiry is { ReplyReceived: false } inquiry)
        {
            items.Add(new("inquiry-reply-awaited",
                $"文書照会の回答書を待っています({JapanTime.Ja(inquiry.MailedOn)}送付、期限{JapanTime.Ja(inquiry.ReplyDueOn)}{(inquiry.Overdue ? "、期限超過" : "")})。",
                $"Waiting for the inquiry's reply (mailed {inquiry.MailedOn:yyyy-MM-dd}, due {inquiry.ReplyDueOn:yyyy-MM-dd}{(inquiry.Overdue ? ", overdue" : "")})."));
            items.Add(SecondVisitDocuments(policy));
            return items;
        }

        if (file.CurrentVisit is { WhoCame: WhoCame.AppointedProxy, ReplyForm: not ReplyForm.Sealed } && file.Inquiry is null)
        {
            items.Add(new("mail-inquiry", "封入された照会書兼回答書がないため、本日は更新できません。文書照会を送付してください。",
                "No sealed reply form: no renewal today; mail a document inquiry."));
            return items;
        }
        if (file.CurrentVisit is { PinMismatchOnForm: true })
        {
            items.Add(new("mail-inquiry", "照会書兼回答書の暗証番号が誤っていたため、本日は更新できません。文書照会を送付してください。",
                "The PIN on the reply form was wrong: no renewal today; mail a document inquiry."));
            return items;
        }

        var minor = !Validity.MayHoldSigningCertificate(file.Holder.BirthDate, today);
        items.Add(minor
            ? new("who-comes", "法定代理人が、本人のマイナンバーカード、顔写真付きの本人確認書類、戸籍全部事項証明書(または親子関係のわかる母子健康手帳)を持参してください。署名用電子証明書は発行できません。",
                "A legal representative comes with the holder's card, photo ID and proof of authority; no signing certificate under 15.")
            : new("who-comes", "本人がマイナンバーカードを持参し、2つの暗証番号を入力します。代理人の場合は封入された照会書兼回答書と代理人の本人確認書類が必要です。",
                "The holder comes with the card and both PINs; a proxy needs the sealed reply form and their own ID."));
        return items;
    }

    /// <summary>002: 「利用者証明用電子証明書の有効期限までが5日以内になると健康保険証の利用申し込みができなくなるため、先に電子証明書の更新が必要です」.</summary>
    /// <summary>
    /// What the proxy brings on the visit after the inquiry: the municipality's own terms for that
    /// visit (Kawasaki's, 004), or else its usual proxy identity, as the decider checks them.
    /// </summary>
    private static ChecklistItem SecondVisitDocuments(Policies.MunicipalPolicy? policy)
    {
        IReadOnlyList<string> terms = (policy as IRenewalPolicy)?.SecondVisit is { } second ? second.Parts
            : [policy is IRenewalPolicy p ? $"代理人の本人確認書類({p.ProxyIdentityJa})" : "代理人の本人確認書類"];
        IReadOnlyList<string> bring = ["本人のマイナンバーカード", "文書照会の回答書", .. terms];
        return new("second-visit-documents",
            $"次回来庁時:代理人が{string.Join("、", bring)}を持参してください。",
            "Next visit: the proxy brings the holder's card, the reply, and the identity documents the municipality requires for that visit.",
            bring);
    }

    public static ChecklistItem InsuranceRegistrationClosed(int days) => new("insurance-registration-closed",
        $"利用者証明用電子証明書の有効期限まで{days}日以内のため、健康保険証の利用申込みはできません。先に電子証明書の更新が必要です。",
        $"Within {days} days of the user-authentication expiry the health-insurance use registration cannot be applied for: renew the certificate first.");

    /// <summary>Whether a card read after the renewal shows the new expiry: the evidence that the J-LIS terminal wrote it.</summary>
    private static ChecklistItem RenewalOnCard(CardShown? card, DateOnly until) => card switch
    {
        { AfterRenewal: true } when card.UserAuthenticationExpiry == until => new("renewal-on-card",
            $"カードの再読取で新しい有効期限({JapanTime.Ja(until)})を確認しました。", $"The card, read again, shows the new expiry {until:yyyy-MM-dd}."),
        { AfterRenewal: true } => new("card-expiry-differs",
            $"再読取したカードの有効期限({JapanTime.Ja(card.UserAuthenticationExpiry)})が更新後の有効期限({JapanTime.Ja(until)})と異なります。J-LIS端末で確認してください。",
            $"The card, read again, shows {card.UserAuthenticationExpiry:yyyy-MM-dd}, not the new expiry {until:yyyy-MM-dd}: check on the J-LIS terminal."),
        _ => new("re-read-card", "J-LIS端末で更新した後、カードを再読取して新しい有効期限を確認してください。",
            "After renewing on the J-LIS terminal, read the card again to confirm the new expiry."),
    };
}
