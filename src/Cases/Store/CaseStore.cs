using System.Text.Encodings.Web;
using System.Text.Json.Serialization;
using CaseSystem.Cases.Renewal;
using JasperFx;
using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using CaseSystem.Cases.Store.HashChain;
using Weasel.Core;

namespace CaseSystem.Cases.Store;

/// <summary>
/// The event store: Marten, configured once here for the server, the tools and the tests.
/// Every case is one stream; every stream belongs to one municipality, Marten's tenant.
/// </summary>
public static class CaseStore
{
    /// <summary>Marten's tables (mt_events, mt_streams), Wolverine's and ours share this schema.</summary>
    public const string Schema = "cases";

    /// <summary>Custom metadata carried in mt_events.headers; the staff member is Marten's user_name.</summary>
    public static class Headers
    {
        public const string Office = "office";
        public const string Command = "command";
    }

    /// <summary>
    /// The events' JSON as stored (camelCase, enums by name, Japanese unescaped), for what reads
    /// event JSON or stores parts of a case beside Marten (the case finder's file column).
    /// </summary>
    public static System.Text.Json.JsonSerializerOptions EventJson { get; } = CreateEventJson();

    private static System.Text.Json.JsonSerializerOptions CreateEventJson()
    {
        var options = new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web);
        Customize(options);
        options.Converters.Add(new JsonStringEnumConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    private static void Customize(System.Text.Json.JsonSerializerOptions json)
    {
        json.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        json.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
    }

    /// <summary>This process as PostgreSQL's sessions show it (application_name): host and process id.</summary>
    public static string ProcessName { get; } = $"casesystem {Environment.MachineName}:{Environment.ProcessId}";

    /// <summary>
    /// The data source of our own queries beside Marten (read models, the view log, the chain
    /// verifier). Statements are prepared automatically after a few uses unless the connection
    /// string says otherwise.
    /// </summary>
    public static Npgsql.NpgsqlDataSource DataSource(string connectionString, string name = "cases")
    {
        var builder = new Npgsql.NpgsqlDataSourceBuilder(connectionString) { Name = name };
        if (builder.ConnectionStringBuilder.MaxAutoPrepare == 0) builder.ConnectionStringBuilder.MaxAutoPrepare = 64;
        if (string.IsNullOrEmpty(builder.ConnectionStringBuilder.ApplicationName)) builder.ConnectionStringBuilder.ApplicationName = ProcessName;
        return builder.Build();
    }

    /// <summary>A table's or function's name, in <see cref="Schema"/> unless another is given.</summary>
    public static DbObjectName Name(string name, string schema = Schema) =>
        Weasel.Postgresql.PostgresqlProvider.Instance.Parse(schema, name);

    public static void Configure(StoreOptions opts, string connectionString)
    {
        // PostgreSQL prints the definitions Weasel compares (pg_get_functiondef, pg_get_triggerdef)
        // with names unqualified when their schema is on the search path. Fixing the path makes
        // the comparison the same for every database user (a user named "cases" would put the
        // schema on it through "$user"), so a migration never sees a difference that is not there.
        var connection = new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { SearchPath = Schema + ",public" };
        // Statements prepared after a few uses, unless the connection string says otherwise: Marten's
        // and Wolverine's statements are few and repeated (ops/bench http, 2026-12-02: PostgreSQL's
        // CPU per command fell by about 40% with it).
        if (connection.MaxAutoPrepare == 0) connection.MaxAutoPrepare = 64;
        // The status page names the process that owns a projection by its session's application name.
        if (string.IsNullOrEmpty(connection.ApplicationName)) connection.ApplicationName = ProcessName;
        opts.Connection(connection.ConnectionString);
        opts.DatabaseSchemaName = Schema;

        // Conjoined tenancy, the municipality slug as tenant id: one database is the embedded
        // default, and a municipality can later be moved to a database of its own through
        // Marten's multi-tenancy (MultiTenantedDatabases) without changing a stream.
        opts.Events.TenancyStyle = JasperFx.MultiTenancy.TenancyStyle.Conjoined;
        opts.Events.StreamIdentity = StreamIdentity.AsGuid;
        opts.Events.AppendMode = EventAppendMode.Quick;
        // The version check takes the stream row's lock before the append takes a sequence number:
        // a writer that lost the race burns no sequence number (no gap for the projections to wait
        // out), and every append holds a transaction id before its sequence number, which Marten's
        // high-water detection (UseTransactionEvidenceForGapSkipping) sees as a live reserver.
        opts.Events.UseExclusiveLockOnConcurrentAppends = true;
        opts.Events.MetadataConfig.EnableAll();
        // EnableAll() leaves user_name off in 9.59 (../shared/critter.md, pitfall 1).
        opts.Events.MetadataConfig.UserNameEnabled = true;

        // The stored contract: every event under its own record name, JSON in camelCase with
        // enums by name (tests/Cases.Tests/EventStore/Snapshots freezes it).
        foreach (var type in RenewalEvent.Types)
        {
            opts.Events.MapEventType(type, type.Name);
        }
        opts.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase, Customize);

        opts.Projections.Add(new RenewalCaseProjection(), ProjectionLifecycle.Live);

        opts.Storage.Add(new HashChainFeature(opts));
        opts.Storage.ExtendedSchemaObjects.Add(CaseViewsTable.Definition);
        opts.Storage.ExtendedSchemaObjects.AddRange(CaseSystem.Cases.Auth.Members.StaffTables.All);
    }
}
