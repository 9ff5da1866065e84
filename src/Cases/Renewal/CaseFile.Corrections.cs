using System.Collections.Immutable;
using static CaseSystem.Cases.Renewal.RenewalEvent;

namespace CaseSystem.Cases.Renewal;

/// <summary>
/// A queue ticket of the case: opened at stream version <see cref="Version"/> by an arrival (or by
/// a call when no ticket was open); used by the visit it led to, dropped (no-show, cancelled), or
/// voided (the arrival was recorded on the wrong case). <see cref="CalledTo"/> is the counter it was
/// last called to (null while it waits): the call of the next ticket calls only one that waits.
/// </summary>
public sealed record TicketEntry(long Version, string Office, string? Number, bool Arrival, int? Visit = null, TicketDrop? Dropped = null, bool Voided = false,
    string? CalledTo = null)
{
    /// <summary>Waiting or called, no visit yet.</summary>
    public bool Open => Visit is null && Dropped is null && !Voided;
}

/// <summary>
/// A visit as the case remembers it for corrections: where it starts in the log, how it ended,
/// whether it renewed, and the first thing done in it that a correction cannot undo (<see cref="Binding"/>).
/// </summary>
public sealed record VisitEntry(int Number, long Version, string Office, VisitOutcome? Outcome = null, bool Renewed = false, string? Binding = null, bool Voided = false);

/// <summary>An entry that may be voided now: its stream version and stored type, the visit or ticket it is.</summary>
public sealed record VoidableEntry(long Version, string Entry, string Office, int? Visit, string? TicketNumber);

public sealed partial record CaseFile
{
    public ImmutableList<TicketEntry> TicketList => Tickets ?? [];

    public ImmutableList<VisitEntry> VisitHistory => VisitLog ?? [];

    /// <summary>The visits that count: started and not voided.</summary>
    public int Visits => VisitCount - VoidedVisits;

    /// <summary>The case's last ticket that is not voided, when it is still open (the queue board's open ticket too).</summary>
    public TicketEntry? OpenTicket => TicketList.LastOrDefault(t => !t.Voided) is { Open: true } ticket ? ticket : null;

    /// <summary>
    /// The office the case was last seen at by its entries that count (a ticket or a visit), else
    /// the reserved one, else the one it was opened at; null when it says none.
    /// </summary>
    public string? LastSeenOffice =>
        TicketList.Where(t => !t.Voided).Select(t => (t.Version, t.Office))
            .Concat(VisitHistory.Where(v => !v.Voided).Select(v => (v.Version, v.Office)))
            .OrderBy(seen => seen.Version).Select(seen => seen.Office).LastOrDefault()
        ?? ReservedOffice ?? OpenedOffice;

    /// <summary>Whether the entry at that version was voided already.</summary>
    public bool IsVoided(long version) =>
        TicketList.Any(t => t.Version == version && t.Voided) || VisitHistory.Any(v => v.Version == version && v.Voided);

    private CaseFile Arrived(ArrivedAtOffice e, long version) =>
        this with { Tickets = TicketList.Add(new TicketEntry(version, e.Office, e.TicketNumber, Arrival: true)) };

    /// <summary>A call with no ticket open opens one, as the queue board does.</summary>
    private CaseFile Called(CalledToCounter e, long version) => OpenTicket is { } open
        ? this with { Tickets = TicketList.Replace(open, open with { CalledTo = e.Counter }) }
        : this with { Tickets = TicketList.Add(new TicketEntry(version, e.Office, null, Arrival: false, CalledTo: e.Counter)) };

    private CaseFile Dropped(TicketDropped e) =>
        OpenTicket is { } open ? this with { Tickets = TicketList.Replace(open, open with { Dropped = e.Drop }) } : this;

    /// <summary>The visit takes the open ticket, if there is one.</summary>
    private CaseFile VisitOpened(VisitStarted e, long version) => this with
    {
        VisitLog = VisitHistory.Add(new VisitEntry(e.Visit, version, e.Office)),
        Tickets = OpenTicket is { } open ? TicketList.Replace(open, open with { Visit = e.Visit }) : Tickets,
    };

    /// <summary>
    /// A voided arrival's ticket leaves the queue; a voided visit stops counting, and a visit in
    /// progress ends with it (its identity check and PIN verifications go with it; the tries left
    /// stay as the card said). Its number is not given again: later events still name visits by number.
    /// </summary>
    private CaseFile Voided(EntryVoided e)
    {
        if (TicketList.FirstOrDefault(t => t.Version == e.Version && !t.Voided) is { } ticket)
        {
            return this with { Tickets = TicketList.Replace(ticket, ticket with { Voided = true }) };
        }
        if (VisitHistory.FirstOrDefault(v => v.Version == e.Version && !v.Voided) is { } visit)
        {
            return this with
            {
                VisitLog = VisitHistory.Replace(visit, visit with { Voided = true }),
                VoidedVisits = VoidedVisits + 1,
                CurrentVisit = CurrentVisit?.Number == visit.Number ? null : CurrentVisit,
            };
        }
        return this;
    }

    /// <summary>Something done in the visit in progress that no correction undoes (a renewal, a PIN reset, a letter mailed, a reply taken in).</summary>
    private CaseFile Bound(RenewalEvent e) => WithLog(CurrentVisit?.Number, v => v.Binding is null ? v with { Binding = e.GetType().Name } : v);

    private CaseFile WithLog(int? number, Func<VisitEntry, VisitEntry> change) =>
        VisitHistory.FindLastIndex(v => v.Number == number) is var i and >= 0
            ? this with { VisitLog = VisitHistory.SetItem(i, change(VisitHistory[i])) }
            : this;
}
