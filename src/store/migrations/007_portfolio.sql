-- The account as a whole (issue 14): one portfolio per broker account and environment, what it holds (each position
-- attributed to the trade that holds it, or foreign), snapshots of equity and greeks over time, and the account
-- failsafes that tripped. Times are broker time (the venue's clock under TT_ENV=sim).
create table portfolios (
  id                  bigserial primary key,
  environment         text not null,            -- sim | sandbox | production
  account_number      text not null,
  created_at          timestamptz not null default now(),
  synced_at           timestamptz,
  net_liq_cents       bigint,
  cash_cents          bigint,
  buying_power_cents  bigint,
  maintenance_cents   bigint,
  greeks              jsonb,                    -- {delta, betaDelta, gamma, theta, vega} at the last sync
  unique (environment, account_number)          -- a restart or a second process never makes a second one
);

-- What the broker holds, split by owner: the quantity a trade of ours holds of the symbol, and the rest as 'foreign'
create table portfolio_positions (
  portfolio_id              bigint not null references portfolios(id) on delete cascade,
  symbol                    text not null,
  owner                     text not null,      -- a trade id, or 'foreign'
  trade_id                  uuid references trades(id),
  underlying                text not null,
  instrument_type           text not null,
  quantity                  int not null,       -- signed: long +, short -
  multiplier                int not null,
  mark_cents                bigint,             -- per unit
  average_open_price_cents  bigint not null,    -- per unit, unsigned
  expires_at                timestamptz,
  greeks                    jsonb,              -- per the whole position
  synced_at                 timestamptz not null,
  primary key (portfolio_id, symbol, owner)
);

create table account_snapshots (
  id                    bigserial primary key,
  portfolio_id          bigint not null references portfolios(id) on delete cascade,
  kind                  text not null check (kind in ('close', 'intraday')),
  at                    timestamptz not null,
  session_date          date not null,          -- New York date of the session
  net_liq_cents         bigint not null,
  cash_cents            bigint not null,
  buying_power_cents    bigint not null,
  realized_pnl_cents    bigint not null,        -- Legwork's settled trades, net of fees, all time
  unrealized_pnl_cents  bigint not null,        -- open positions at their marks
  greeks                jsonb not null,
  positions             jsonb not null,         -- per position: symbol, owner, quantity, mark, greeks
  unique (portfolio_id, kind, at)
);
create unique index account_snapshots_one_close on account_snapshots (portfolio_id, session_date) where kind = 'close';
create index account_snapshots_by_time on account_snapshots (portfolio_id, at);

-- A failsafe that tripped halts trading until `legwork resume` resets it
create table failsafe_trips (
  id          bigserial primary key,
  name        text not null,                    -- dailyLoss | drawdown | brokerErrors
  tripped_at  timestamptz not null,
  reason      text not null,
  data        jsonb not null default '{}',
  reset_at    timestamptz,
  reset_by    text
);
create unique index failsafe_trips_one_active on failsafe_trips (name) where reset_at is null;
