using CaseSystem.Cases.Renewal;
using CaseSystem.Projections.Daemon;
using JasperFx.Events;
using Npgsql;
using NpgsqlTypes;
using Weasel.Postgresql.Tables;
using static CaseSystem.Projections.Daemon.SqlStatement;

namespace CaseSystem.Projections.Tests.Daemon;

/// <summary>
/// A read model for the group's tests: per case, how many events it folded and the tickets it saw;
/// it refuses the events a test names (the member with a bug, then fixed).
/// </summary>
internal sealed class CountingMember(uint version) : CaseReadModel<CountingMember.Counted>("counting", version)
{
    public sealed record Counted(string Municipality, int Events, string Tickets);

    public volatile Func<IEvent, bool> FailOn = _ => false;

    public string Cases => InSchema("cases");

    public override IReadOnlyList<Table> Tables
    {
        get
        {
            var cases = CaseTable(Cases);
            cases.AddColumn<int>("events").NotNull();
            cases.AddColumn("tickets", "text").NotNull();
            return [cases];
        }
    }

    protected override async Task<IReadOnlyDictionary<Guid, Counted>> LoadAsync(NpgsqlConnection connection, Guid[] caseIds, CancellationToken ct)
    {
        var states = new Dictionary<Guid, Counted>();
        await using var cmd = new NpgsqlCommand(ByCase("case_id, municipality, events, tickets", Cases), connection);
        cmd.Parameters.Add(new() { Value = caseIds, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) states[r.GetGuid(0)] = new Counted(r.GetString(1), r.GetInt32(2), r.GetString(3));
        return states;
    }

    protected override Counted? Evolve(Counted? state, IEvent e)
    {
        if (FailOn(e)) throw new InvalidOperationException($"the counting member refuses event {e.Sequence}");
        var s = state ?? new Counted(e.TenantId, 0, "");
        return s with
        {
            Events = s.Events + 1,
            Tickets = e.Data is RenewalEvent.ArrivedAtOffice a ? s.Tickets + a.TicketNumber + ";" : s.Tickets,
        };
    }

    protected override IEnumerable<SqlStatement> Write(IReadOnlyList<(Guid CaseId, Counted State)> changed)
    {
        yield return new SqlStatement(
            $"insert into {Cases} (case_id, municipality, events, tickets) select * from unnest(?, ?, ?, ?) " +
            "on conflict (case_id) do update set municipality = excluded.municipality, events = excluded.events, tickets = excluded.tickets",
            Column(changed.Select(c => c.CaseId), NpgsqlDbType.Uuid),
            Column(changed.Select(c => c.State.Municipality), NpgsqlDbType.Text),
            Column(changed.Select(c => c.State.Events), NpgsqlDbType.Integer),
            Column(changed.Select(c => c.State.Tickets), NpgsqlDbType.Text));
    }
}
