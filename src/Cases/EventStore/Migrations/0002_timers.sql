-- Durable timers: a stream's pending reactions to time (a certificate reaching its expiry, an
-- inquiry going unanswered). Written by the append statement in the same transaction as the
-- events that set them, so a timer exists exactly when its events do. At most one pending timer
-- per (stream, kind): setting it again moves it. The store knows only kinds and times; what a
-- kind means is the domain's.
create table event_store.timers (
    stream_id     uuid        not null,
    kind          text        not null,
    municipality  text        not null,
    due_at        timestamptz not null,
    set_by_seq    bigint      not null,
    -- A runner that takes a timer claims it until this moment (see TimerRunner.cs).
    claimed_until timestamptz,
    fired_at      timestamptz,
    primary key (stream_id, kind)
);

-- What the runners poll: the pending timers in the order they fall due.
create index timers_pending_idx on event_store.timers (due_at) where fired_at is null;
