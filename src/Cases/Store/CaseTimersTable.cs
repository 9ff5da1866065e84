using Weasel.Core;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace CaseSystem.Cases.Store;

/// <summary>
/// Durable timers: a case's pending reactions to time (the renewal window opening, a certificate
/// reaching its expiry, an inquiry going unanswered), written in the same transaction as the
/// events that set them (see <see cref="CaseTimerWrites"/>), so a timer exists exactly when its
/// events do. At most one pending timer per (case, kind): setting it again moves it.
/// </summary>
public static class CaseTimersTable
{
    public static readonly DbObjectName Name = CaseStore.Name("case_timers");

    public static Table Definition
    {
        get
        {
            var table = new Table(Name);
            table.AddColumn<Guid>("stream_id").AsPrimaryKey();
            table.AddColumn<string>("kind").AsPrimaryKey();
            table.AddColumn<string>("tenant_id").NotNull();
            table.AddColumn("due_at", "timestamptz").NotNull();
            // A runner that takes a timer claims it until this moment (see TimerRunner.cs).
            table.AddColumn("claimed_until", "timestamptz");
            table.AddColumn("fired_at", "timestamptz");
            // What the runners poll: the pending timers in the order they fall due.
            table.Indexes.Add(new IndexDefinition("case_timers_pending") { Columns = ["due_at"], Predicate = "fired_at is null" });
            return table;
        }
    }
}

/// <summary>Queues the timers a command's events set into the command's own Marten transaction.</summary>
public static class CaseTimerWrites
{
    public static void Queue(Marten.IDocumentSession session, Guid caseId, IEnumerable<Renewal.TimerSchedule> timers)
    {
        foreach (var timer in timers)
        {
            session.QueueSqlCommand(
                $"insert into {Name.QualifiedName} (stream_id, kind, tenant_id, due_at) values (?, ?, ?, ?) " +
                "on conflict (stream_id, kind) do update set due_at = excluded.due_at, claimed_until = null, fired_at = null",
                caseId, timer.Kind, session.TenantId, timer.DueAt.ToUniversalTime());
        }
    }

    private static DbObjectName Name => CaseTimersTable.Name;
}
