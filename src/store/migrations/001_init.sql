-- Legwork's first schema: rule versions, scans and candidates, trades, the audit log and settings.
-- Money is integer cents (bigint); times are timestamptz; statuses are checked text.

create table rule_set_versions (
  hash          text primary key,           -- sha256 of the file's content
  name          text not null,
  file          text not null,
  content       text not null,
  first_seen_at timestamptz not null default now()
);

create table scan_runs (
  id                   uuid primary key,
  rule_set             text not null,
  rules_hash           text not null references rule_set_versions(hash),
  slot                 text not null,         -- the schedule slot (or a manual run id): one run per rule set and slot
  status               text not null check (status in ('running', 'completed', 'failed')),
  underlyings          int not null default 0,
  candidates_evaluated int not null default 0,
  accepted             int not null default 0,
  error                text,
  started_at           timestamptz not null default now(),
  finished_at          timestamptz,
  unique (rule_set, slot)
);

create table candidates (
  id            uuid primary key,
  scan_run_id   uuid not null references scan_runs(id) on delete cascade,
  candidate_key text not null,                -- deterministic: strategy, underlying, expiration, strikes
  rule_set      text not null,
  rules_hash    text not null,
  strategy      text not null,
  underlying    text not null,
  expiration    date not null,
  rank          int,                          -- 1 = best; null when not ranked
  score         double precision,
  selected      boolean not null default false, -- among the top trades handed to the executor
  dte           int not null,
  credit_mid_cents     bigint not null,     -- per structure, rounded to the package tick (credit +)
  credit_natural_cents bigint not null,
  facts         jsonb not null,
  legs          jsonb not null,
  trace         jsonb,                         -- which conditions passed, with values (finalists)
  created_at    timestamptz not null default now(),
  unique (scan_run_id, candidate_key)
);
create index candidates_latest on candidates (created_at desc);

create table trades (
  id                  uuid primary key,
  rule_set            text not null,
  rules_hash          text not null,
  candidate_id        uuid references candidates(id) on delete set null,
  strategy            text not null,
  underlying          text not null,
  expiration          date not null,
  quantity            int not null check (quantity > 0),
  legs                jsonb not null,
  status              text not null check (status in ('pending', 'opening', 'open', 'closing', 'closed', 'rejected', 'rolled_back', 'broken')),
  entry_group_id      uuid not null,         -- the executor's group that opens it (created by the executor)
  risk_cents          bigint not null,       -- max loss (or buying power for undefined risk) × quantity, for account limits
  expected_credit_cents bigint not null,     -- mid credit per structure when chosen (credit +)
  facts               jsonb not null default '{}'::jsonb,
  entry_credit_cents  bigint,               -- per structure, signed (credit +)
  exit_debit_cents    bigint,
  realized_pnl_cents  bigint,
  exit_reason         text,
  created_at          timestamptz not null default now(),
  updated_at          timestamptz not null default now(),
  opened_at           timestamptz,
  closed_at           timestamptz,
  -- one trade per chosen candidate: a retried scan cannot create a second
  unique (candidate_id)
);
create index trades_by_status on trades (status);
create index trades_by_underlying on trades (underlying) where status in ('pending', 'opening', 'open', 'closing');

-- Append-only audit of every decision: trade chosen, order sent, price step, fill, rollback, exit, halt
create table audit_events (
  id        bigserial primary key,
  at        timestamptz not null default now(),
  kind      text not null,
  trade_id  uuid,
  group_id  uuid,
  order_id  uuid,
  dedupe_key text unique,
  data      jsonb not null default '{}'::jsonb
);
create index audit_events_by_trade on audit_events (trade_id, id);
create function forbid_change() returns trigger language plpgsql as $$
begin
  raise exception '% is append-only', tg_table_name using errcode = 'insufficient_privilege';
end $$;
create trigger audit_events_append_only before update or delete on audit_events
  for each statement execute function forbid_change();

create table settings (
  key        text primary key,
  value      jsonb not null,
  updated_at timestamptz not null default now()
);
insert into settings (key, value) values ('trading_state', '{"state": "active"}');
