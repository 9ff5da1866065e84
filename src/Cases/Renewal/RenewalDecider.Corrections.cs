using static CaseSystem.Cases.Renewal.RenewalEvent;

namespace CaseSystem.Cases.Renewal;

/// <summary>Tickets that leave the queue without a visit, and corrections (what each may touch: <see cref="Corrections"/>).</summary>
public sealed partial class RenewalDecider
{
    private static IReadOnlyList<RenewalEvent> DropTicket(RenewalCommand.DropTicket c, CaseFile file) =>
        file.OpenTicket is { } ticket
            ? [new TicketDropped(ticket.Office, ticket.Number, c.Drop, c.Now)]
            : throw new RuleViolation(Rules.NoOpenTicket);

    private static IReadOnlyList<RenewalEvent> VoidEntry(RenewalCommand.VoidEntry c, CaseFile file)
    {
        var reason = Corrections.Reason(c.Reason);
        return [new EntryVoided(c.Version, Corrections.VoidableAt(file, c.Version), reason, c.Now)];
    }

    private static IReadOnlyList<RenewalEvent> AmendOutcome(RenewalCommand.AmendVisitOutcome c, CaseFile file)
    {
        var reason = Corrections.Reason(c.Reason);
        if (Corrections.OutcomeRefusal(file, c.Visit) is { } refused) throw refused;
        // The outcome it has already: a retry, or nothing to correct.
        return file.VisitHistory.Any(v => v.Number == c.Visit && v.Outcome == c.Outcome)
            ? []
            : [new VisitOutcomeAmended(c.Visit, c.Outcome, reason, c.Now)];
    }

    /// <summary>The documents as they really were, and the identity check made again on them, as at the start of a visit.</summary>
    private IReadOnlyList<RenewalEvent> AmendDocuments(RenewalCommand.AmendVisitDocuments c, CaseFile file)
    {
        var reason = Corrections.Reason(c.Reason);
        var visit = RequireVisit(file);
        if (Corrections.BindingOfCurrentVisit(file) is { } binding)
        {
            throw new RuleViolation(Rules.DocumentsNotAmendable, $"この来庁で「{Corrections.BindingJa(binding)}」が記録されています。");
        }
        var documents = c.Documents.Select(Classify).ToList();
        var replyForm = visit.WhoCame == WhoCame.AppointedProxy ? c.ReplyForm : ReplyForm.NotApplicable;
        var asStarted = new RenewalCommand.StartVisit(visit.Office, visit.WhoCame, c.Documents, c.Now, replyForm, visit.HolderPresent, c.AuthorityOnRecord);
        var (accepted, rule, why) = IdentityCheck(asStarted, file, documents, JapanTime.DateOf(c.Now));
        var amended = new VisitDocumentsAmended(visit.Number, documents, replyForm, reason, c.Now);
        return accepted
            ? [amended, new IdentityAccepted(visit.Number, rule.Id, c.Now)]
            : [amended, new IdentityRefused(visit.Number, rule.Id, why, c.Now)];
    }
}
