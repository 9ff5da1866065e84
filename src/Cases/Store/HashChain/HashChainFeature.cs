using Marten;
using Weasel.Core;
using Weasel.Postgresql;
using Weasel.Core.Migrations;
using Weasel.Postgresql.Functions;
using Weasel.Postgresql.Tables;
using Weasel.Postgresql.Triggers;

namespace CaseSystem.Cases.Store.HashChain;

/// <summary>
/// The tamper evidence, as schema objects Marten (Weasel) manages with its own: a link per event
/// in <c>cases.case_event_chain</c>, SHA-256 over the stream's previous link and the event's
/// canonical form, written by a trigger on <c>mt_events</c>.
/// <para>
/// Why a trigger: under Quick append Marten's session listeners see no sequence number or version
/// (both are taken inside <c>mt_quick_append_events</c>), so only the database sees the values the
/// hash must cover; the AFTER INSERT trigger runs in the append's own transaction, and also links
/// any row written around .NET. A writer that lost a race on a stream fails on the stream's
/// version check before its rows exist, so two links never race for one version
/// (../shared/critter.md §7).
/// </para>
/// <para>
/// A feature, not ExtendedSchemaObjects: those are created before Marten's event tables, and the
/// trigger needs mt_events to exist (critter.md pitfall 2).
/// </para>
/// </summary>
public sealed class HashChainFeature(StoreOptions options) : FeatureSchemaBase("HashChain", options.Advanced.Migrator)
{
    public static readonly DbObjectName ChainTable = CaseStore.Name("case_event_chain");
    public static readonly DbObjectName CanonicalFunction = CaseStore.Name("case_event_canonical");
    private static readonly DbObjectName LinkFunction = CaseStore.Name("case_event_link");

    /// <summary>Marten's event type name for JasperFx's Tombstone (tests/Cases.Tests/EventStore/FailedAppendTests reads it back).</summary>
    public const string TombstoneType = "tombstone";

    /// <summary>The version of the canonical form; a change of <see cref="CanonicalForm"/> needs a new one.</summary>
    public const string FormatTag = "cs-event-v2";

    protected override IEnumerable<ISchemaObject> schemaObjects()
    {
        var chain = new Table(ChainTable);
        chain.AddColumn<Guid>("stream_id").AsPrimaryKey();
        chain.AddColumn<long>("version").AsPrimaryKey();
        chain.AddColumn<string>("tenant_id").NotNull();
        chain.AddColumn<long>("seq_id").NotNull();
        chain.AddColumn("hash", "bytea").NotNull();
        yield return chain;

        // Both functions are written as pg_get_functiondef prints them, so that a migration finds
        // no difference (otherwise Weasel drops and recreates the function, with CASCADE, which
        // takes the trigger with it: critter.md pitfall 3).
        yield return new Function(CanonicalFunction, $"""
            CREATE OR REPLACE FUNCTION {CanonicalFunction.QualifiedName}(e mt_events)
             RETURNS bytea
             LANGUAGE sql
             STABLE
            AS $function$
                select convert_to(json_build_array(
                    '{FormatTag}', e.seq_id, e.id, e.stream_id, e.version, e.tenant_id, e.type, e.user_name,
                    e.correlation_id, e.causation_id, (extract(epoch from e.timestamp) * 1000000)::bigint,
                    e.headers, e.data)::text, 'UTF8')
            $function$;
            """);

        yield return new Function(LinkFunction, $"""
            CREATE OR REPLACE FUNCTION {LinkFunction.QualifiedName}()
             RETURNS trigger
             LANGUAGE plpgsql
            AS $function$
            declare
                previous bytea;
            begin
                select c.hash into previous from {ChainTable.QualifiedName} c
                where c.stream_id = new.stream_id and c.version = new.version - 1;
                insert into {ChainTable.QualifiedName} (stream_id, version, tenant_id, seq_id, hash)
                values (new.stream_id, new.version, new.tenant_id, new.seq_id,
                        sha256(coalesce(previous, ''::bytea) || {CanonicalFunction.QualifiedName}(new)));
                return null;
            end;
            $function$;
            """);

        // Unqualified, as PostgreSQL prints them with the store's search path (CaseStore.Configure).
        yield return new Trigger(CaseStore.Name("trg_case_event_link"), CaseStore.Name("mt_events"), $"{LinkFunction.Name}()")
        {
            Timing = TriggerTiming.After,
            Events = TriggerEvents.Insert,
            ForEachRow = true,
            // Marten's tombstones are no case's events: rows that fill the sequence numbers of an append
            // whose transaction failed after it took them (a commit refused, PostgreSQL restarting), so
            // that the read models need not wait at the gap, in a stream whose id each process draws at
            // random (JasperFx's Tombstone.StreamId). Linking them failed (their timestamp is -infinity,
            // which the canonical form cannot hold), so none was ever written (issue 14, found by
            // ops/chaos). Known by their type; the verifier leaves their streams out.
            // In the trigger, not the function: a changed trigger is dropped and made again, where a
            // changed function is dropped with what depends on it (../shared/critter.md, pitfall 3).
            // Written as PostgreSQL prints it (pg_get_triggerdef), so that a migration finds no difference.
            Condition = $"((new.type)::text <> '{TombstoneType}'::text)",
        };
    }
}
