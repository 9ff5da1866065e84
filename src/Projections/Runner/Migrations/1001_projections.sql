-- The projection runner's own bookkeeping. Read models live in schemas of their own, one per
-- generation of a projection ("queue_board_g3"); the stable schema named after the projection
-- ("queue_board") holds views onto the generation that serves.

create schema if not exists projections;

-- One row per generation of a projection. A generation is one build of the read model from the
-- start of the log: the first, or a rebuild beside the serving one.
--   state:  building (catching up, not served) -> active (served) -> retired (replaced)
--   status: running, or paused at the event it could not apply (paused_seq, last_error)
-- checkpoint: every event with seq_id <= checkpoint has been applied to this generation's
-- tables or is known never to exist; it is written in the same transaction as those tables.
create table projections.generations (
    name          text        not null,
    generation    int         not null,
    code_version  int         not null,
    schema_name   text        not null unique,
    state         text        not null check (state in ('building', 'active', 'retired')),
    status        text        not null default 'running' check (status in ('running', 'paused')),
    checkpoint    bigint      not null default 0,
    applied       bigint      not null default 0,
    paused_seq    bigint,
    skip_seq      bigint,
    last_error    text,
    last_error_at timestamptz,
    created_at    timestamptz not null default now(),
    activated_at  timestamptz,
    dropped_at    timestamptz,
    updated_at    timestamptz not null default now(),
    primary key (name, generation)
);

-- At most one generation serves and at most one is being built, per projection.
create unique index generations_one_active on projections.generations (name) where state = 'active';
create unique index generations_one_building on projections.generations (name) where state = 'building';

-- Events a projection that parks its failures could not apply: the projection went on without them.
create table projections.dead_letters (
    name        text        not null,
    generation  int         not null,
    seq_id      bigint      not null,
    stream_id   uuid        not null,
    event_type  text        not null,
    error       text        not null,
    parked_at   timestamptz not null default now(),
    primary key (name, generation, seq_id)
);
