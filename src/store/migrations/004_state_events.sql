-- Every status change of an order group or a trade, as the event that caused it (the domain transition tables in
-- src/domain/group-transitions.ts and trade-transitions.ts). Append-only, like order_events and audit_events.
create table state_events (
  id          bigserial primary key,
  at          timestamptz not null default now(),
  entity      text not null check (entity in ('group', 'trade')),
  entity_id   uuid not null,
  event       text not null,
  from_status text not null,
  to_status   text not null,
  data        jsonb not null default '{}'::jsonb
);
create index state_events_by_entity on state_events (entity_id, id);
create trigger state_events_append_only before update or delete on state_events
  for each statement execute function forbid_change();
