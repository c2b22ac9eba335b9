-- Positions a trader closed by hand outside Legwork (the Tastytrade app, another tool): the fills of a broker order that
-- is not ours (none of our broker ids, no external id of ours), read from the broker's Trade transactions
-- (GET /accounts/{n}/transactions), recorded against the trade whose position they closed. One row per broker
-- transaction (one leg fill), recorded once whoever reads it first. A trade's positions are its fills, settlements and
-- these; its fees include theirs.
create table outside_closes (
  broker_transaction_id bigint primary key,
  trade_id              uuid not null references trades(id),
  broker_order_id       bigint not null,
  symbol                text not null,
  -- only closing fills are ever taken: an opening order by hand is never a trade's
  action                text not null check (action in ('Buy to Close', 'Sell to Close')),
  quantity              int not null check (quantity > 0),
  price_cents           bigint not null,     -- per unit, unsigned, as the transaction's price
  fee_cents             bigint not null,     -- commission and fees of the transaction, as a cost
  executed_at           timestamptz not null,
  recorded_at           timestamptz not null default now()
);
create index outside_closes_by_trade on outside_closes (trade_id);

-- Net position per trade and symbol from fills, settlements and closes by hand. Cash is cents: options count 100
-- shares a contract, shares (any symbol that is not an OCC option symbol) one
create or replace view trade_positions as
  select trade_id, symbol,
         sum(case when action like 'Buy%' then quantity else -quantity end)::int as quantity,
         sum(case when action like 'Buy%' then -price_cents else price_cents end * quantity
             * case when symbol ~ '^[A-Z0-9 ]{6}[0-9]{6}[CP][0-9]{8}$' then 100 else 1 end)::bigint as cash_cents
  from (select trade_id, symbol, action, quantity, price_cents from fills
        union all
        select trade_id, symbol, action, quantity, price_cents from settlements
        union all
        select trade_id, symbol, action, quantity, price_cents from outside_closes) moves
  group by trade_id, symbol;

-- Fees per trade: its fills', its settlements' (assignment and exercise fees) and its closes by hand
create or replace view trade_fees as
  select trade_id, sum(fee_cents)::bigint as fee_cents
  from (select trade_id, total_cents as fee_cents from fees
        union all
        select trade_id, fee_cents from settlements
        union all
        select trade_id, fee_cents from outside_closes) charges
  group by trade_id;
