-- Trade approval (issue 15): a rule set with `execution.approval: manual` proposes its trades; each waits in
-- `awaiting_approval` until a human approves it (→ pending, planned on fresh quotes), rejects it, or its deadline passes
-- (→ rejected). Times are broker time, written from the one clock like every compared timestamp.
alter table trades drop constraint trades_status_check;
alter table trades add constraint trades_status_check check (status in ('awaiting_approval', 'pending', 'opening', 'open',
  'closing', 'closed', 'rejected', 'rolled_back', 'broken'));

alter table trades
  add column approval_deadline timestamptz,  -- set on a proposed trade: it expires at this instant
  add column approval_by       text,         -- who approved or rejected it: cli:<user>, http:<user>, discord:<user>
  add column approval_at       timestamptz;  -- when it was approved, rejected or expired

-- The approval sweep reads the proposals whose deadline passed
create index trades_awaiting_approval on trades (approval_deadline) where status = 'awaiting_approval';
