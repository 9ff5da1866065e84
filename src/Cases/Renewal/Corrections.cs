namespace CaseSystem.Cases.Renewal;

/// <summary>
/// What a correction may touch, and its reason (issue 12: corrected, never erased).
/// <para>
/// Voidable — an entry recorded on the wrong case, which did not happen to this case:
/// <list type="bullet">
/// <item>an arrival (<c>ArrivedAtOffice</c>): its ticket leaves the queue, and no wait is counted
/// for it. Not while a visit that counts was started on that ticket: void the visit first.</item>
/// <item>a visit (<c>VisitStarted</c>), with its identity check, PINs verified and end: it stops
/// counting in the case's visits and the report's visits per case. Only the case's last visit,
/// while nothing in it binds it: later visits and their read models built on it, and the report
/// takes back exactly the visit it counted last.</item>
/// </list>
/// Never voidable — facts that happened whatever the case: a renewal or an issuance (the
/// certificates were written at the J-LIS terminal), a PIN check, lock or reset (what the card
/// said or had done to it; the tries left must stay as the card counts them), a card read, a
/// notice (J-LIS's), an inquiry mailed or its reply received (a letter went out or came in), the
/// timers' facts (the window opening, a lapse, an overdue reply), a registry change, a closure.
/// A visit in which a renewal, a PIN reset, an inquiry or a reply was recorded is bound by it, and
/// is not voidable either.
/// </para>
/// <para>
/// Amendable — a fact of a visit recorded wrong: the outcome of an ended visit (not of one that
/// renewed: its outcome closed the case), and the documents and reply form of the visit in
/// progress (not once something binds it: those documents were what the renewal, the reset or the
/// inquiry went on), after which the identity check is made again.
/// </para>
/// Who corrected and where is in the event's metadata, like every event's. The reason is
/// required and at most <see cref="ReasonMaxLength"/> characters; it is free text kept forever in a
/// hash-chained log, so a run of 12 digits (a My Number) is refused. A PIN cannot be told from
/// other numbers; the desk asks for none.
/// </summary>
public static class Corrections
{
    public const int ReasonMaxLength = 200;

    /// <summary>The reason, trimmed; refused when empty, too long or holding what looks like a My Number.</summary>
    public static string Reason(string? reason)
    {
        var text = reason?.Trim() ?? "";
        if (text.Length == 0) throw new RuleViolation(Rules.CorrectionReason, "理由が入力されていません。");
        if (text.Length > ReasonMaxLength) throw new RuleViolation(Rules.CorrectionReason, $"理由は{ReasonMaxLength}文字以内です({text.Length}文字)。");
        if (MyNumbers.LooksLikeOne(text)) throw new RuleViolation(Rules.CorrectionReason, "理由に12桁の番号は書けません。");
        // As the edge takes free text: line breaks and tabs, never other controls or format characters.
        if (text.Any(c => c is not ('\t' or '\n' or '\r')
                && char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.Control or System.Globalization.UnicodeCategory.Format))
        {
            throw new RuleViolation(Rules.CorrectionReason, "理由に制御文字は使えません。");
        }
        return text;
    }

    /// <summary>The entries that may be voided now.</summary>
    public static IEnumerable<VoidableEntry> Voidable(CaseFile file)
    {
        foreach (var ticket in file.TicketList.Where(t => t.Arrival && ArrivalRefusal(file, t) is null))
        {
            yield return new VoidableEntry(ticket.Version, nameof(RenewalEvent.ArrivedAtOffice), ticket.Office, null, ticket.Number);
        }
        if (LastVisit(file) is { } visit && VisitRefusal(file, visit) is null)
        {
            yield return new VoidableEntry(visit.Version, nameof(RenewalEvent.VisitStarted), visit.Office, visit.Number, null);
        }
    }

    /// <summary>The stored type of the entry at that version if it may be voided; else the rule that refuses.</summary>
    public static string VoidableAt(CaseFile file, long version)
    {
        if (file.TicketList.FirstOrDefault(t => t.Version == version && t.Arrival) is { } ticket)
        {
            return ArrivalRefusal(file, ticket) is { } refused ? throw refused : nameof(RenewalEvent.ArrivedAtOffice);
        }
        if (file.VisitHistory.FirstOrDefault(v => v.Version == version) is { } visit)
        {
            return VisitRefusal(file, visit) is { } refused ? throw refused : nameof(RenewalEvent.VisitStarted);
        }
        throw new RuleViolation(Rules.EntryNotVoidable, $"第{version}版の記録は取り消せる記録(来庁・窓口対応)ではありません。");
    }

    /// <summary>The ended visits whose outcome may be amended.</summary>
    public static IEnumerable<VisitEntry> OutcomeAmendable(CaseFile file) =>
        file.VisitHistory.Where(v => v is { Voided: false, Outcome: not null, Renewed: false });

    /// <summary>Why the outcome of that visit cannot be amended, or null.</summary>
    public static RuleViolation? OutcomeRefusal(CaseFile file, int number) =>
        file.VisitHistory.FirstOrDefault(v => v.Number == number && !v.Voided) switch
        {
            null => new RuleViolation(Rules.OutcomeNotAmendable, $"{number}回目の来庁は記録されていません。"),
            { Outcome: null } => new RuleViolation(Rules.OutcomeNotAmendable, $"{number}回目の来庁は対応中です。結果は対応の終了で記録します。"),
            { Renewed: true } => new RuleViolation(Rules.OutcomeNotAmendable, $"{number}回目の来庁では電子証明書を更新(発行)しています。"),
            _ => null,
        };

    /// <summary>What binds the visit in progress (so that its documents stand), or null.</summary>
    public static string? BindingOfCurrentVisit(CaseFile file) =>
        file.CurrentVisit is { } visit ? file.VisitHistory.LastOrDefault(v => v.Number == visit.Number)?.Binding ?? (visit.Renewed ? "CertificatesRenewed" : null) : null;

    private static VisitEntry? LastVisit(CaseFile file) => file.VisitHistory.LastOrDefault();

    private static RuleViolation? ArrivalRefusal(CaseFile file, TicketEntry ticket)
    {
        if (ticket.Voided) return new RuleViolation(Rules.EntryNotVoidable, "この来庁はすでに取り消されています。");
        if (ticket.Visit is { } number && !file.VisitHistory.Any(v => v.Number == number && v.Voided))
        {
            return new RuleViolation(Rules.VoidVisitFirst, $"番号札{ticket.Number}で{number}回目の窓口対応が記録されています。");
        }
        return null;
    }

    private static RuleViolation? VisitRefusal(CaseFile file, VisitEntry visit)
    {
        if (visit.Voided) return new RuleViolation(Rules.EntryNotVoidable, $"{visit.Number}回目の来庁はすでに取り消されています。");
        if (visit.Number != file.VisitCount) return new RuleViolation(Rules.VisitNotLast, $"{visit.Number}回目の後に{file.VisitCount}回目の来庁が記録されています。");
        if (visit.Binding is { } binding) return new RuleViolation(Rules.VisitBound, $"この来庁で「{BindingJa(binding)}」が記録されています。");
        return null;
    }

    public static string BindingJa(string binding) => binding switch
    {
        "CertificatesRenewed" => "電子証明書の更新",
        "CertificatesIssued" or "CertificatesIssuedOnReissuedCard" => "電子証明書の発行",
        "PinReset" => "暗証番号の初期化",
        "DocumentInquiryMailed" => "文書照会の送付",
        "InquiryReplyReceived" => "回答書の受理",
        _ => binding,
    };
}
