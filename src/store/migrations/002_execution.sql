-- Execution state: order groups (one trading decision), orders (one broker order each, across replaces), their
-- append-only events, and fills recorded once by the broker's fill id. Positions per trade are derived from fills.

create table order_groups (
  id            uuid primary key,
  trade_id      uuid not null references trades(id),
  kind          text not null check (kind in ('entry', 'exit')),
  mode          text not null check (mode in ('combo', 'legged')),
  status        text not null check (status in ('planned', 'denied', 'submitting', 'working', 'filled', 'compensating',
                                                 'rolled_back', 'cancelled', 'broken')),
  -- legs, quantity, pricing plan (start/floor/step/interval/max steps/deadline), partial-fill policy, rules hash
  intent        jsonb not null,
  filled_units  int not null default 0,
  reason        text,                       -- why denied / rolled back / broken
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now()
);
create index order_groups_open on order_groups (status) where status in ('planned', 'submitting', 'working', 'compensating');
create index order_groups_by_trade on order_groups (trade_id);

create table orders (
  id                uuid primary key,       -- ours, sent as external-identifier
  group_id          uuid not null references order_groups(id),
  role              text not null check (role in ('package', 'leg', 'compensation')),
  seq               int not null,           -- order of placement within the group (legged: protective legs first)
  status            text not null check (status in ('planned', 'denied', 'submitting', 'unknown', 'working', 'partially_filled',
                                                    'pending_cancel', 'filled', 'cancelled', 'expired', 'rejected')),
  broker_status     text,                   -- Tastytrade's raw status, verbatim
  broker_order_id   bigint unique,          -- the current broker id (a replace gives a new one)
  legs              jsonb not null,         -- [{symbol, instrumentType, action, quantity}] for the whole order
  size              int not null check (size > 0), -- spread units (package) or contracts (single leg)
  limit_price_cents bigint,                 -- signed: credit +, debit −
  filled_units      int not null default 0,
  price_steps       int not null default 0, -- replaces made while walking the price
  reject_reason     text,
  submitted_at      timestamptz,
  created_at        timestamptz not null default now(),
  updated_at        timestamptz not null default now(),
  unique (group_id, role, seq)
);
create index orders_open on orders (status) where status in ('planned', 'submitting', 'unknown', 'working', 'partially_filled', 'pending_cancel');

-- Every broker id an order ever had (replace chain), so late updates of a replaced id still find their order
create table order_broker_ids (
  broker_order_id bigint primary key,
  order_id        uuid not null references orders(id),
  created_at      timestamptz not null default now()
);

create table order_events (
  id          bigserial primary key,
  at          timestamptz not null default now(),
  order_id    uuid not null references orders(id),
  group_id    uuid not null,
  type        text not null,
  from_status text,
  to_status   text,
  source      text not null check (source in ('local', 'http', 'stream', 'poll', 'reconcile')),
  dedupe_key  text unique,
  data        jsonb not null default '{}'::jsonb
);
create index order_events_by_order on order_events (order_id, id);
create trigger order_events_append_only before update or delete on order_events
  for each statement execute function forbid_change();

create table fills (
  broker_fill_id  text primary key,         -- Tastytrade fill-id: a fill is recorded once whatever reports it
  order_id        uuid not null references orders(id),
  group_id        uuid not null,
  trade_id        uuid not null,
  broker_order_id bigint not null,
  symbol          text not null,
  action          text not null,
  quantity        int not null check (quantity > 0),
  price_cents     bigint not null,          -- per unit, unsigned
  filled_at       timestamptz not null,
  recorded_at     timestamptz not null default now()
);
create index fills_by_trade on fills (trade_id);

-- Net position per trade and symbol, derived from fills (never stored, so it cannot disagree with them)
create view trade_positions as
  select trade_id, symbol,
         sum(case when action like 'Buy%' then quantity else -quantity end)::int as quantity,
         -- signed cash of the fills in cents per share-unit ×100: sells bring cash (+), buys cost (−)
         sum(case when action like 'Buy%' then -price_cents else price_cents end * quantity * 100)::bigint as cash_cents
  from fills group by trade_id, symbol;
