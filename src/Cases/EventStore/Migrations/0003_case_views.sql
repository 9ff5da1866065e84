-- Who looked at which case: every read of a case's personal data by staff is logged here, and
-- supervisors see it in the case's audit trail. Not events: a view changes no case, and a
-- case's stream (and its version, which clerks send back in If-Match) must not move when
-- somebody merely reads it.
create schema if not exists audit;

create table audit.case_views (
    id            bigint generated always as identity primary key,
    municipality  text        not null,
    case_id       uuid        not null,
    staff_id      text        not null,
    role          text        not null,
    office        text        not null,
    what          text        not null,
    viewed_at     timestamptz not null
);

create index case_views_case on audit.case_views (case_id, viewed_at);
