-- The supervisor's search across cases (AuditTrail/AuditSearch.cs) asks for the events of a day
-- or a few days, by staff member, office and kind. A BRIN index on recorded_at finds the days'
-- blocks: events are appended in recorded_at order, so the block ranges are narrow, and a BRIN
-- index costs an append next to nothing (new blocks stay unsummarised until summarised), which
-- is why the event store has no B-tree index besides its keys.
create index if not exists events_recorded_at_brin on event_store.events using brin (recorded_at) with (pages_per_range = 32);
