namespace CaseSystem.Cases.EventStore;

/// <summary>
/// The append: one SQL statement, prepared once per connection, that writes any number of
/// events to one stream, with their hash chain, in one round trip and one transaction.
/// </summary>
/// <remarks>
/// <para>
/// Why one statement and not a PL/pgSQL function: PL/pgSQL sets up its expression state anew in
/// every transaction, and since every append is a transaction of its own, that set-up cost more
/// than everything else the append does (measured: 0.30 ms per call as a function against about
/// 0.08 ms for the same work inside one transaction). A prepared statement keeps its plan.
/// </para>
/// <para>
/// Concurrency: the claim on a version is the UNIQUE(stream_id, version) index, with no lock
/// taken and no stream row updated. The statement reads the stream's newest event (its version
/// and hash) without a lock, computes the new events' versions and hashes from it, and inserts
/// them. A concurrent writer that computed the same next version inserts the same
/// (stream_id, version) key: PostgreSQL makes the second inserter wait for the first
/// transaction to end, then raises a unique violation if it committed (or lets the insert
/// through if it rolled back, when the version is free again and the hash was computed from
/// the right predecessor). So of two racing writers exactly one gets each version, and an
/// event can only be stored on top of the very predecessor its hash chains to. The loser's
/// statement fails as a whole and writes nothing (its sequence numbers stay unused: the global
/// sequence has gaps, which the projection runner handles); the caller turns the violation into
/// a concurrency error, or into the first outcome of a repeated command. Updating a version
/// column on the stream row instead cost 40% of the append's time (a row lookup, a heap update
/// and a WAL record on every append).
/// </para>
/// <para>
/// A new stream also gets its row in event_store.streams (municipality, creation time) in the
/// same statement; two writers creating one stream collide on its first event's key as above.
/// </para>
/// <para>
/// Idempotency: a key is scoped to its stream, since every command addresses one case. A command
/// whose key is found on the stream's events returns that first outcome and writes nothing; the
/// look-up walks the stream's own (stream_id, version) index entries, so an idempotent command
/// costs no row or index entry of its own (a commands table with its own key cost 15% of append
/// throughput). A command that creates a stream must therefore derive the stream's id from its
/// key or from a natural identifier, so that its repeat addresses the same stream. Two sends
/// of one command racing each other collide on the version key like any two writers; the
/// caller then finds the winner's outcome by the key.
/// </para>
/// <para>
/// Data-modifying CTEs all run against one snapshot and cannot see each other's rows; every
/// dependency below therefore goes through a CTE's output (base, input, written), never through
/// re-reading a table.
/// </para>
/// <para>
/// Every statement takes its transaction id before it takes a sequence number: each nextval()
/// sits under the qual "pg_current_xact_id() is not null", a qual without column references
/// that PostgreSQL evaluates (as a one-time filter) before the node computes its output, and
/// pg_current_xact_id() assigns the transaction's id if it has none yet. Without it the id would
/// be assigned only at the first row insert, after nextval(). The projection runner's gap rule
/// depends on this order (see LogReader in the Projections project): a transaction holding a
/// sequence number is visible in every later snapshot as running or finished, never as not yet
/// begun. For the same reason the sequence keeps CACHE 1 (numbers handed out in one global
/// order) and nothing but these statements may insert events.
/// </para>
/// Parameters: $1 municipality, $2 stream id, $3 expected version (-1 any, 0 no stream, N),
/// $4 event types, $5 event data (jsonb), $6 actor id, $7 actor office, $8 correlation id,
/// $9 causation id, $10 idempotency key, $11 command; the full statements also take $12 timer
/// kinds and $13 their due times (empty arrays for none), which the fast path does not.
/// </remarks>
internal static class AppendSql
{
    /// <summary>The statement for these events: a single event (most commands) needs no recursion to chain.</summary>
    public static string For(int eventCount) => eventCount == 1 ? SingleEvent : ManyEvents;

    /// <summary>
    /// The common case, one event on an existing stream at an exact version and setting no timer, as a plain
    /// INSERT ... SELECT: executor start-up of the CTE statements is a large share of their cost.
    /// It returns the new event's sequence number, or no row when it must not go ahead (another
    /// version, another municipality, a repeated key); the caller then runs the full statement,
    /// which checks the same things again and says which it was. Its $4 and $5 are the event's
    /// type and data themselves, not one-element arrays.
    /// </summary>
    public const string OneEventAtVersion = """
        insert into event_store.events (
            seq_id, stream_id, version, municipality, type, data, actor_id, actor_office,
            correlation_id, causation_id, idempotency_key, command, recorded_at, hash)
        select n.seq_id, $2, $3 + 1, $1, $4, $5, $6, $7, $8, $9, $10, $11, now(),
               sha256(h.hash || event_store.canonical_form(
                   n.seq_id, $2, $3 + 1, $1, $4, $5, $6, $7, $8, $9, $10, $11, now()))
        from (
            select e.version, e.hash, e.municipality
            from event_store.events e where e.stream_id = $2
            order by e.version desc limit 1
        ) h
        cross join lateral (select nextval('event_store.events_seq_id_seq') as seq_id where pg_current_xact_id() is not null) n
        where h.version = $3 and h.municipality = $1
          and ($10::text is null or not exists (
              select 1 from event_store.events p where p.stream_id = $2 and p.idempotency_key = $10))
        returning seq_id
        """;

    private const string Head = """
        with recursive
        head as (
            select e.version, e.hash, e.municipality
            from event_store.events e where e.stream_id = $2
            order by e.version desc limit 1
        ),
        prior as (
            select min(e.version) as first_version, max(e.version) as last_version, max(e.seq_id) as last_seq_id
            from event_store.events e
            where $10::text is not null and e.stream_id = $2 and e.municipality = $1 and e.idempotency_key = $10
            having count(*) > 0
        ),
        base as (
            -- The head this append builds on; no row when it must not go ahead.
            select coalesce(h.version, 0) as version, h.hash
            from (values (1)) one left join head h on true
            where not exists (select 1 from prior)
              and coalesce(h.municipality, $1) = $1
              and ($3 = -1 or $3 = coalesce(h.version, 0))
        ),
        """;

    // input: the events to write, each with its sequence number and its hash.
    private const string SingleEvent = Head + """
        input as (
            select 1::bigint as i, $4[1] as type, $5[1] as data, n.seq_id,
                   sha256(coalesce(b.hash, ''::bytea) || event_store.canonical_form(
                       n.seq_id, $2, b.version + 1, $1, $4[1], $5[1], $6, $7, $8, $9, $10, $11, now())) as hash
            from base b cross join lateral (select nextval('event_store.events_seq_id_seq') as seq_id where pg_current_xact_id() is not null) n
        ),
        """ + Tail;

    private const string ManyEvents = Head + """
        numbered as (
            select u.i, u.type, u.data, nextval('event_store.events_seq_id_seq') as seq_id
            from base, unnest($4::text[], $5::jsonb[]) with ordinality as u(type, data, i)
            where pg_current_xact_id() is not null
        ),
        chain (i, hash) as (
            select 0::bigint, b.hash from base b
            union all
            select x.i, sha256(coalesce(c.hash, ''::bytea) || event_store.canonical_form(
                x.seq_id, $2, b.version + x.i, $1, x.type, x.data, $6, $7, $8, $9, $10, $11, now()))
            from chain c join numbered x on x.i = c.i + 1, base b
        ),
        input as (
            select x.i, x.type, x.data, x.seq_id, c.hash from numbered x join chain c on c.i = x.i
        ),
        """ + Tail;

    private const string Tail = """
        created as (
            insert into event_store.streams (id, municipality, created_at)
            select $2, $1, now() from base b where b.version = 0
            on conflict (id) do nothing
        ),
        written as (
            insert into event_store.events (
                seq_id, stream_id, version, municipality, type, data, actor_id, actor_office,
                correlation_id, causation_id, idempotency_key, command, recorded_at, hash)
            select x.seq_id, $2, b.version + x.i, $1, x.type, x.data, $6, $7, $8, $9, $10, $11, now(), x.hash
            from input x, base b
            returning seq_id, version
        ),
        scheduled as (
            -- Timers the events set ($12 kinds, $13 due times), only when the events are written.
            insert into event_store.timers (stream_id, kind, municipality, due_at, set_by_seq)
            select $2, t.kind, $1, t.due_at, (select max(w.seq_id) from written w)
            from unnest($12::text[], $13::timestamptz[]) as t(kind, due_at)
            where exists (select 1 from written)
            on conflict (stream_id, kind) do update
                set due_at = excluded.due_at, set_by_seq = excluded.set_by_seq, claimed_until = null, fired_at = null
        )
        select
            case
                when p.first_version is not null then 'repeated'
                when h.municipality <> $1 then 'other-municipality'
                when w.last_seq_id is not null then 'appended'
                else 'conflict'
            end as status,
            coalesce(p.first_version, w.first_version) as first_version,
            coalesce(p.last_version, w.last_version) as last_version,
            coalesce(p.last_seq_id, w.last_seq_id) as last_seq_id,
            coalesce(h.version, 0) as head_version
        from (values (1)) one
        left join head h on true
        left join prior p on true
        left join (select min(version) as first_version, max(version) as last_version, max(seq_id) as last_seq_id from written) w on true
        """;
}
