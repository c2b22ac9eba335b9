-- Fees and commissions per leg fill, as the broker's transactions report them (GET /accounts/{n}/transactions).
-- One row per broker transaction: recorded once whoever reads it first. Realised P&L is net of these.
create table fees (
  broker_transaction_id bigint primary key,
  trade_id              uuid not null,
  order_id              uuid not null references orders(id),
  broker_order_id       bigint not null,
  symbol                text not null,
  quantity              int not null,
  commission_cents      bigint not null,
  clearing_cents        bigint not null,
  regulatory_cents      bigint not null,
  proprietary_cents     bigint not null,
  total_cents           bigint not null,
  executed_at           timestamptz not null,
  recorded_at           timestamptz not null default now()
);
create index fees_by_trade on fees (trade_id);

-- Fees per trade (0 for a trade without any)
create view trade_fees as
  select trade_id, sum(total_cents)::bigint as fee_cents from fees group by trade_id;
