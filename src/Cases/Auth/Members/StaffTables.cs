using CaseSystem.Cases.Store;
using Weasel.Core;
using Weasel.Postgresql.Tables;

namespace CaseSystem.Cases.Auth.Members;

/// <summary>
/// The embedded staff directory's tables (schema <c>staff</c>), created and migrated by Weasel with
/// Marten's own. Not events: a staff member is not a renewal case, and a password hash must be
/// replaceable (and a disabled member's sessions deletable) in a way an immutable log is not; who
/// changed what is kept in <see cref="Changes"/>.
/// </summary>
public static class StaffTables
{
    public const string Schema = "staff";

    public static readonly DbObjectName Members = CaseStore.Name("members", Schema);
    public static readonly DbObjectName Sessions = CaseStore.Name("sessions", Schema);
    public static readonly DbObjectName RevokedTokens = CaseStore.Name("revoked_tokens", Schema);
    public static readonly DbObjectName Changes = CaseStore.Name("changes", Schema);

    public static IEnumerable<Table> All
    {
        get
        {
            var members = new Table(Members);
            members.AddColumn<string>("municipality").AsPrimaryKey();
            members.AddColumn<string>("staff_id").AsPrimaryKey();
            members.AddColumn<string>("name").NotNull();
            members.AddColumn<string>("role").NotNull();
            members.AddColumn<string>("office").NotNull();
            // PHC string: $argon2id$v=19$m=…,t=…,p=…$salt$hash (PasswordHasher).
            members.AddColumn<string>("password_hash").NotNull();
            members.AddColumn<bool>("disabled").NotNull().DefaultValueByExpression("false");
            members.AddColumn<int>("failed_sign_ins").NotNull().DefaultValueByExpression("0");
            members.AddColumn("locked_until", "timestamptz");
            members.AddColumn("changed_at", "timestamptz").NotNull();
            yield return members;

            // A browser session: the cookie holds a random id, the table its SHA-256, so a copy of
            // the table signs no one in. Deleting the row ends the session at once.
            var sessions = new Table(Sessions);
            sessions.AddColumn("id_hash", "bytea").AsPrimaryKey();
            sessions.AddColumn<string>("municipality").NotNull();
            sessions.AddColumn<string>("staff_id").NotNull();
            sessions.AddColumn<string>("role").NotNull();
            sessions.AddColumn<string>("office").NotNull();
            sessions.AddColumn("created_at", "timestamptz").NotNull();
            sessions.AddColumn("expires_at", "timestamptz").NotNull();
            sessions.Indexes.Add(new IndexDefinition("sessions_staff") { Columns = ["municipality", "staff_id"] });
            yield return sessions;

            // ops/token's tokens by their id (jti), revoked before they expire; kept until then.
            var revoked = new Table(RevokedTokens);
            revoked.AddColumn<string>("jti").AsPrimaryKey();
            revoked.AddColumn("expires_at", "timestamptz").NotNull();
            revoked.AddColumn("revoked_at", "timestamptz").NotNull();
            revoked.AddColumn<string>("revoked_by").NotNull();
            yield return revoked;

            var changes = new Table(Changes);
            changes.AddColumn<long>("id").AsPrimaryKey().BigAutoIncrement();
            changes.AddColumn<string>("municipality").NotNull();
            changes.AddColumn<string>("staff_id").NotNull();
            changes.AddColumn<string>("what").NotNull();
            changes.AddColumn<string>("by_staff").NotNull();
            changes.AddColumn("at", "timestamptz").NotNull();
            changes.Indexes.Add(new IndexDefinition("changes_staff") { Columns = ["municipality", "staff_id", "at"] });
            yield return changes;
        }
    }
}
