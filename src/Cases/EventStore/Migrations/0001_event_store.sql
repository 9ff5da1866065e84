-- The event store: one row per stream, one row per event.
-- Shaped after Marten's mt_streams / mt_events, with a hash chain per stream added.

create schema if not exists event_store;

-- One row per stream, written once, when its first events are: which municipality it belongs
-- to. The stream's version is not kept here: it is its newest event's, and UNIQUE(stream_id,
-- version) below is what serialises writers (see AppendSql.cs), so an append writes no row
-- but its events'.
create table event_store.streams (
    id            uuid        primary key,
    municipality  text        not null,
    created_at    timestamptz not null
);

-- seq_id comes from a sequence, not an identity column, so the append statement can take the
-- number before it builds the event's hash (the hash covers the global position).
create sequence event_store.events_seq_id_seq as bigint;

create table event_store.events (
    seq_id           bigint      primary key,
    -- No foreign key to streams: the append writes a new stream's row in the same statement as
    -- its first events, and a foreign key would take a KEY SHARE lock on the stream row for every
    -- event (a WAL record and a dirtied page each, measured at a quarter of append throughput).
    -- Verification reports any event without its stream.
    stream_id        uuid        not null,
    version          bigint      not null check (version >= 1),
    municipality     text        not null,
    type             text        not null,
    data             jsonb       not null,
    actor_id         text,
    actor_office     text,
    correlation_id   uuid,
    causation_id     uuid,
    idempotency_key  text,
    command          text,
    recorded_at      timestamptz not null,
    hash             bytea       not null,
    constraint events_stream_version_key unique (stream_id, version)
);

-- No secondary indexes on events: each costs every append an index insertion. Reads of a
-- stream, whole or as of a time, its newest event, and the look-up of a command's idempotency
-- key (keys are scoped to their stream) use the (stream_id, version) key; catch-up reads walk
-- seq_id.

-- The canonical form an event's hash is taken over: a JSON array of every stored field, in a
-- fixed order, as json_build_array writes it (", " between elements; strings escaped by
-- PostgreSQL's escape_json; numbers and null bare; the data as jsonb's own text output, which
-- is canonical for the value: keys sorted, white space and duplicate keys normalised). A JSON
-- array is unambiguous, so no choice of content makes two different events read alike.
-- HashChain.cs rebuilds the same bytes from the stored columns without calling this function,
-- so a change of this function cannot hide a change of the data.
--
-- A SQL expression so that the planner inlines it into the append statement; a single C
-- function call, because the expression is compiled anew at each execution of the append and
-- a field-by-field concatenation cost more to compile than the rest of the append. STABLE, not
-- IMMUTABLE: extract() on a timestamptz and convert_to() are stable, and PostgreSQL will not
-- inline a function whose body is more volatile than declared.
create function event_store.canonical_form(
    p_seq_id bigint, p_stream_id uuid, p_version bigint, p_municipality text, p_type text,
    p_data jsonb, p_actor_id text, p_actor_office text, p_correlation_id uuid,
    p_causation_id uuid, p_idempotency_key text, p_command text, p_recorded_at timestamptz)
returns bytea
language sql stable parallel safe
as $$
    select convert_to(json_build_array(
        'cs-event-v1', p_seq_id, p_stream_id, p_version, p_municipality, p_type,
        p_actor_id, p_actor_office, p_correlation_id, p_causation_id, p_idempotency_key, p_command,
        (extract(epoch from p_recorded_at) * 1000000)::bigint, p_data)::text, 'UTF8')
$$;
