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
create function event_store.canonical_form(
    p_seq_id bigint, p_stream_id uuid, p_version bigint, p_municipality text, p_type text,
    p_data jsonb, p_actor_id text, p_actor_office text, p_correlation_id uuid,
    p_causation_id uuid, p_idempotency_key text, p_command text, p_recorded_at timestamptz)
returns bytea
language plpgsql immutable parallel safe
-- PL/pgSQL, not SQL: a SQL helper called per field is not inlined (each parameter is used
-- twice), and PostgreSQL would then plan it anew on every call, at a sixth of the speed.
as $$
declare
    f text[] := array[
        p_seq_id::text, p_stream_id::text, p_version::text, p_municipality, p_type,
        p_actor_id, p_actor_office, p_correlation_id::text, p_causation_id::text,
        p_idempotency_key, p_command,
        ((extract(epoch from p_recorded_at) * 1000000)::bigint)::text,
        p_data::text];
    r text := 'cs-event-v1';
    v text;
begin
    foreach v in array f loop
        r := r || '|' || coalesce(octet_length(v) || ':' || v, '-');
    end loop;
    return convert_to(r, 'UTF8');
end
$$;

-- Errors raised here carry SQLSTATEs of our own (class "CS") so the C# side maps them to
-- typed exceptions (the actual version travels in the message: Npgsql withholds DETAIL from
-- clients unless told to include it):
--   CS001 wrong expected version (a lost race), CS002 stream belongs to another municipality,
--   CS003 idempotency key already used for another stream.
--
-- One call appends any number of events to one stream in one round trip and one transaction.
-- Concurrency: the stream row is the lock. "Exactly N" and "any" take it with FOR UPDATE;
-- "no stream" inserts it with ON CONFLICT DO NOTHING, which waits for a concurrent inserter
-- to finish and then sees its row. Either way two writers of one stream are serialised and the
-- loser sees the winner's committed version (READ COMMITTED takes a fresh snapshot per
-- statement), so the version check below can never pass for both.
-- Idempotency is checked only after the stream lock is held: a repeat of a command that is
-- committing right now waits for it and then finds its outcome instead of failing the version
-- check. A repeat on another stream is caught by the commands primary key (SQLSTATE 23505),
-- which the caller turns into a lookup.
create function event_store.append(
    p_municipality text, p_stream_id uuid, p_expected bigint,
    p_types text[], p_data jsonb[],
    p_actor_id text, p_actor_office text, p_correlation_id uuid, p_causation_id uuid,
    p_idempotency_key text, p_command text)
returns table (first_version bigint, last_version bigint, last_seq_id bigint, repeated boolean)
language plpgsql
as $$
declare
    v_now          timestamptz := now();
    v_version      bigint;
    v_hash         bytea;
    v_municipality text;
    v_seq          bigint;
    v_first        bigint;
    v_count        int := coalesce(array_length(p_types, 1), 0);
    v_prior        event_store.commands%rowtype;
begin
    if v_count = 0 or v_count <> coalesce(array_length(p_data, 1), 0) then
        raise exception 'append needs one or more events, with a type for each' using errcode = '22023';
    end if;

    if p_expected = 0 then
        insert into event_store.streams (id, municipality, version, created_at, updated_at)
        values (p_stream_id, p_municipality, 0, v_now, v_now)
        on conflict (id) do nothing;
        if found then
            v_version := 0;
        end if;
    end if;

    if v_version is null then
        select s.version, s.last_hash, s.municipality into v_version, v_hash, v_municipality
        from event_store.streams s where s.id = p_stream_id for update;

        if not found and p_expected = -1 then
            insert into event_store.streams (id, municipality, version, created_at, updated_at)
            values (p_stream_id, p_municipality, 0, v_now, v_now)
            on conflict (id) do nothing;
            if found then
                v_version := 0;
                v_municipality := p_municipality;
            else
                -- Created by a concurrent writer since our select: "any" takes its lock and goes on.
                select s.version, s.last_hash, s.municipality into v_version, v_hash, v_municipality
                from event_store.streams s where s.id = p_stream_id for update;
            end if;
        elsif not found then
            raise exception 'wrong expected version: stream=% expected=% actual=0', p_stream_id, p_expected
                using errcode = 'CS001';
        end if;

        if v_municipality <> p_municipality then
            raise exception 'stream % is not a stream of %', p_stream_id, p_municipality
                using errcode = 'CS002';
        end if;
    end if;

    if p_idempotency_key is not null then
        select * into v_prior from event_store.commands c
        where c.municipality = p_municipality and c.idempotency_key = p_idempotency_key;
        if found then
            if v_prior.stream_id <> p_stream_id then
                raise exception 'idempotency key % was used for another stream', p_idempotency_key
                    using errcode = 'CS003';
            end if;
            return query select v_prior.first_version, v_prior.last_version, v_prior.last_seq_id, true;
            return;
        end if;
    end if;

    if p_expected > 0 and v_version <> p_expected then
        raise exception 'wrong expected version: stream=% expected=% actual=%', p_stream_id, p_expected, v_version
            using errcode = 'CS001';
    elsif p_expected = 0 and v_version <> 0 then
        raise exception 'wrong expected version: stream=% expected=0 actual=%', p_stream_id, v_version
            using errcode = 'CS001';
    end if;

    v_first := v_version + 1;
    for i in 1 .. v_count loop
        v_seq := nextval('event_store.events_seq_id_seq');
        v_version := v_version + 1;
        v_hash := sha256(coalesce(v_hash, ''::bytea) || event_store.canonical_form(
            v_seq, p_stream_id, v_version, p_municipality, p_types[i], p_data[i],
            p_actor_id, p_actor_office, p_correlation_id, p_causation_id,
            p_idempotency_key, p_command, v_now));
        insert into event_store.events (
            seq_id, stream_id, version, municipality, type, data, actor_id, actor_office,
            correlation_id, causation_id, idempotency_key, command, recorded_at, hash)
        values (
            v_seq, p_stream_id, v_version, p_municipality, p_types[i], p_data[i], p_actor_id,
            p_actor_office, p_correlation_id, p_causation_id, p_idempotency_key, p_command,
            v_now, v_hash);
    end loop;

    update event_store.streams
    set version = v_version, last_hash = v_hash, updated_at = v_now
    where id = p_stream_id;

    if p_idempotency_key is not null then
        insert into event_store.commands (
            municipality, idempotency_key, stream_id, first_version, last_version, last_seq_id, recorded_at)
        values (p_municipality, p_idempotency_key, p_stream_id, v_first, v_version, v_seq, v_now);
    end if;

    return query select v_first, v_version, v_seq, false;
end
$$;
