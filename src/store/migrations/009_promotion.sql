-- Sandbox before production (issue 15): every trade says which environment it ran in, so paper evidence (sim, sandbox)
-- can be told from real-money trades; a rule set trades with TT_ENV=production only at a hash someone promoted.

-- Trades recorded before this migration are taken as paper (sim), unless every portfolio this database holds is of one
-- environment (the reconcile role syncs the account under its TT_ENV since 007): then its trades ran there, and a
-- database that already traded real money does not offer its production trades as paper evidence. The default only
-- fills those rows: every insert names its environment from then on (src/store/trades.repo.ts).
alter table trades add column environment text not null default 'sim'
  check (environment in ('sim', 'sandbox', 'production'));
alter table trades alter column environment drop default;
update trades set environment = single.environment
  from (select min(environment) as environment from portfolios having count(distinct environment) = 1) single;
create index trades_by_rules_hash on trades (rule_set, rules_hash, environment);

-- One promotion per rule set and content hash: who, when, why and the evidence it rested on (the paper trades counted,
-- with their outcomes, and where they were read). An edit to the file is a new hash and needs a new promotion.
create table promotions (
  id           bigserial primary key,
  rule_set     text not null,
  rules_hash   text not null references rule_set_versions(hash),
  promoted_by  text not null,
  promoted_at  timestamptz not null,
  reason       text not null check (btrim(reason) <> ''),
  evidence     jsonb not null,
  unique (rule_set, rules_hash)
);
-- A promotion is a record of a decision, like the audit log: never changed or taken back (disable the rule set instead)
create trigger promotions_append_only before update or delete on promotions
  for each statement execute function forbid_change();
