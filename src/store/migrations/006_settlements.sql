-- Settlements the broker made to a trade's positions without an order of ours (GET /accounts/{n}/transactions,
-- Receive Deliver): an option removed at expiration, by assignment or exercise, and the shares delivered for it.
-- A trade's positions are its fills plus these, so delivered shares are owned (and closed) by the trade they came from.
create table settlements (
  broker_transaction_id bigint primary key,
  trade_id              uuid not null references trades(id),
  kind                  text not null check (kind in ('expiration', 'assignment', 'exercise', 'delivery')),
  symbol                text not null,
  instrument_type       text not null,
  -- its effect on the trade's position, as a fill's action: a removed short is 'Buy to Close', a removed long
  -- 'Sell to Close'; a delivery its own action
  action                text not null check (action in ('Buy to Open', 'Sell to Open', 'Buy to Close', 'Sell to Close')),
  quantity              int not null check (quantity > 0),
  price_cents           bigint not null,     -- per unit, unsigned: 0 for a removal, the strike for delivered shares
  fee_cents             bigint not null,
  executed_at           timestamptz not null,
  recorded_at           timestamptz not null default now()
);
create index settlements_by_trade on settlements (trade_id);

-- Net position per trade and symbol from fills and settlements. Cash is cents: options count 100 shares a contract,
-- shares (any symbol that is not an OCC option symbol) one
create or replace view trade_positions as
  select trade_id, symbol,
         sum(case when action like 'Buy%' then quantity else -quantity end)::int as quantity,
         sum(case when action like 'Buy%' then -price_cents else price_cents end * quantity
             * case when symbol ~ '^[A-Z0-9 ]{6}[0-9]{6}[CP][0-9]{8}$' then 100 else 1 end)::bigint as cash_cents
  from (select trade_id, symbol, action, quantity, price_cents from fills
        union all
        select trade_id, symbol, action, quantity, price_cents from settlements) moves
  group by trade_id, symbol;

-- Fees per trade: its fills' and its settlements' (assignment and exercise fees)
create or replace view trade_fees as
  select trade_id, sum(fee_cents)::bigint as fee_cents
  from (select trade_id, total_cents as fee_cents from fees
        union all
        select trade_id, fee_cents from settlements) charges
  group by trade_id;
