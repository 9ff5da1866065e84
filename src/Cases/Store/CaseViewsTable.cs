using Weasel.Core;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace CaseSystem.Cases.Store;

/// <summary>
/// Who looked at which case: every read of a case's personal data by staff is logged here, and
/// supervisors see it in the case's audit trail. Not events: a view changes no case, and a
/// case's stream (and its version, which clerks send back in If-Match) must not move when
/// somebody merely reads it.
/// </summary>
public static class CaseViewsTable
{
    public static readonly DbObjectName Name = CaseStore.Name("case_views", "audit");

    public static Table Definition
    {
        get
        {
            var table = new Table(Name);
            table.AddColumn<long>("id").AsPrimaryKey().BigAutoIncrement();
            table.AddColumn<string>("municipality").NotNull();
            table.AddColumn<Guid>("case_id").NotNull();
            table.AddColumn<string>("staff_id").NotNull();
            table.AddColumn<string>("role").NotNull();
            table.AddColumn<string>("office").NotNull();
            table.AddColumn<string>("what").NotNull();
            table.AddColumn("viewed_at", "timestamptz").NotNull();
            table.Indexes.Add(new IndexDefinition("case_views_case") { Columns = ["case_id", "viewed_at"] });
            return table;
        }
    }
}
