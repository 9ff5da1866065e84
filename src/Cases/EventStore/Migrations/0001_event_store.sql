-- The event store: one row per stream, one row per event, one row per idempotent command.
-- Shaped after Marten's mt_streams / mt_events, with a hash chain per stream added.

create schema if not exists event_store;

create table event_store.streams (
    id            uuid        primary key,
    municipality  text        not null,
    version       bigint      not null check (version >= 0),
    last_hash     bytea,
    created_at    timestamptz not null,
    updated_at    timestamptz not null
);

-- seq_id comes from a sequence, not an identity column, so the append function can take the
-- number before it builds the event's hash (the hash covers the global position).
create sequence event_store.events_seq_id_seq as bigint;

create table event_store.events (
    seq_id           bigint      primary key,
    stream_id        uuid        not null references event_store.streams (id),
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
-- stream, whole or as of a time, use the (stream_id, version) key; catch-up reads walk seq_id.

create table event_store.commands (
    municipality     text        not null,
    idempotency_key  text        not null,
    stream_id        uuid        not null,
    first_version    bigint      not null,
    last_version     bigint      not null,
    last_seq_id      bigint      not null,
    recorded_at      timestamptz not null,
    primary key (municipality, idempotency_key)
);

-- The canonical form an event's hash is taken over: every stored field, each written as
-- "<byte length>:<text>" (a null as "-"), so no choice of content can make two different
-- events read alike. The data is jsonb's own text output, which is canonical for the value
-- (keys sorted, white space and duplicate keys normalised). The verifier in C# rebuilds the
-- same bytes from the stored columns without calling this function, so a change of this
-- function cannot hide a change of the data.
--
-- A plain SQL expression so that the planner inlines it into the append statement: as a
-- PL/pgSQL function, or with a helper per field that cannot be inlined, it cost more than the
-- rest of the append. STABLE, not IMMUTABLE: extract() on a timestamptz and convert_to() are
-- stable, and PostgreSQL will not inline a function whose body is more volatile than declared.
create function event_store.canonical_form(
    p_seq_id bigint, p_stream_id uuid, p_version bigint, p_municipality text, p_type text,
    p_data jsonb, p_actor_id text, p_actor_office text, p_correlation_id uuid,
    p_causation_id uuid, p_idempotency_key text, p_command text, p_recorded_at timestamptz)
returns bytea
language sql stable parallel safe
as $$
    select convert_to(
        'cs-event-v1'
        || '|' || coalesce(octet_length(p_seq_id::text) || ':' || p_seq_id::text, '-')
        || '|' || coalesce(octet_length(p_stream_id::text) || ':' || p_stream_id::text, '-')
        || '|' || coalesce(octet_length(p_version::text) || ':' || p_version::text, '-')
        || '|' || coalesce(octet_length(p_municipality) || ':' || p_municipality, '-')
        || '|' || coalesce(octet_length(p_type) || ':' || p_type, '-')
        || '|' || coalesce(octet_length(p_actor_id) || ':' || p_actor_id, '-')
        || '|' || coalesce(octet_length(p_actor_office) || ':' || p_actor_office, '-')
        || '|' || coalesce(octet_length(p_correlation_id::text) || ':' || p_correlation_id::text, '-')
        || '|' || coalesce(octet_length(p_causation_id::text) || ':' || p_causation_id::text, '-')
        || '|' || coalesce(octet_length(p_idempotency_key) || ':' || p_idempotency_key, '-')
        || '|' || coalesce(octet_length(p_command) || ':' || p_command, '-')
        || '|' || coalesce(octet_length(((extract(epoch from p_recorded_at) * 1000000)::bigint)::text) || ':'
                           || ((extract(epoch from p_recorded_at) * 1000000)::bigint)::text, '-')
        || '|' || coalesce(octet_length(p_data::text) || ':' || p_data::text, '-'),
        'UTF8')
$$;
