// Groups and trades move only by the events of their transition tables: a compare-and-set from the statuses the table
// allows, recorded in the append-only state_events in the same statement; a move the table refuses changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deterministicId, newId } from '../../src/domain/ids.js';
import type { GroupIntent } from '../../src/domain/order-group.js';
import { getGroup, insertGroup, moveGroup } from '../../src/store/groups.repo.js';
import { migrate } from '../../src/store/migrate.js';
import { getTrade, insertPendingTrade, moveTrade } from '../../src/store/trades.repo.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
  await migrate(db.sql);
});
afterAll(async () => {
  await db.drop();
});

async function newTradeWithEntry(): Promise<{ tradeId: string; groupId: string }> {
  const tradeId = newId();
  const groupId = deterministicId('entry-group', tradeId);
  await insertPendingTrade(db.sql, {
    id: tradeId,
    ruleSet: 'manual',
    rulesHash: 'h',
    candidateId: null,
    strategy: 'iron-condor',
    underlying: 'SPY',
    expiration: '2026-12-18',
    quantity: 1,
    legs: [],
    entryGroupId: groupId,
    riskCents: 50_000,
    expectedCreditCents: 100,
    facts: {},
  });
  const intent: GroupIntent = {
    tradeId,
    kind: 'entry',
    mode: 'combo',
    quantity: 1,
    legs: [],
    pricing: {
      startCents: 100,
      floorCents: 90,
      stepCents: 1,
      stepEverySeconds: 10,
      maxSteps: 0,
      fillTimeoutSeconds: 60,
    },
    partialFill: 'keep',
    ruleSet: 'manual',
    rulesHash: 'h',
  };
  await insertGroup(db.sql, groupId, intent);
  return { tradeId, groupId };
}

const eventsOf = (id: string) =>
  db.sql<{ entity: string; event: string; from: string; to: string }[]>`
    select entity, event, from_status as "from", to_status as "to" from state_events where entity_id = ${id} order by id`;

describe('moveGroup / moveTrade', () => {
  it('applies allowed events and records each change once', async () => {
    const { tradeId, groupId } = await newTradeWithEntry();
    expect(await moveGroup(db.sql, groupId, 'SlotClaimed')).toBe(true);
    expect(await moveTrade(db.sql, tradeId, 'EntrySent')).toBe(true);
    expect(await moveGroup(db.sql, groupId, 'Working')).toBe(true);
    expect(await moveGroup(db.sql, groupId, 'Working')).toBe(true); // a repeat is allowed and records nothing
    expect(await moveGroup(db.sql, groupId, 'Filled', { filledUnits: 1 })).toBe(true);
    expect(await moveTrade(db.sql, tradeId, 'Opened', { entryCreditCents: 95 })).toBe(true);
    expect(await getGroup(db.sql, groupId)).toMatchObject({ status: 'filled', filledUnits: 1 });
    expect(await getTrade(db.sql, tradeId)).toMatchObject({ status: 'open', entryCreditCents: 95 });
    expect((await getTrade(db.sql, tradeId))?.openedAt).toBeInstanceOf(Date);
    expect(await eventsOf(groupId)).toEqual([
      { entity: 'group', event: 'SlotClaimed', from: 'planned', to: 'submitting' },
      { entity: 'group', event: 'Working', from: 'submitting', to: 'working' },
      { entity: 'group', event: 'Filled', from: 'working', to: 'filled' },
    ]);
    expect(await eventsOf(tradeId)).toEqual([
      { entity: 'trade', event: 'EntrySent', from: 'pending', to: 'opening' },
      { entity: 'trade', event: 'Opened', from: 'opening', to: 'open' },
    ]);
  });

  it('refuses what the table refuses and changes nothing', async () => {
    const { tradeId, groupId } = await newTradeWithEntry();
    expect(await moveGroup(db.sql, groupId, 'Denied', { reason: 'market closed' })).toBe(true);
    expect(await moveGroup(db.sql, groupId, 'Working')).toBe(false);
    expect(await moveGroup(db.sql, groupId, 'RolledBack')).toBe(false);
    expect(await moveTrade(db.sql, tradeId, 'Closed')).toBe(false); // a pending trade holds nothing to close
    expect(await moveTrade(db.sql, tradeId, 'EntryRejected', { exitReason: 'denied' })).toBe(true);
    expect(await moveTrade(db.sql, tradeId, 'Opened')).toBe(false); // terminal: never left ...
    expect(await moveTrade(db.sql, tradeId, 'PositionFound')).toBe(true); // ... except when the broker shows legs held
    expect(await getGroup(db.sql, groupId)).toMatchObject({ status: 'denied', reason: 'market closed' });
    expect((await getTrade(db.sql, tradeId))?.status).toBe('broken');
    expect((await eventsOf(tradeId)).map((e) => e.event)).toEqual(['EntryRejected', 'PositionFound']);
  });

  it('lets exactly one of two racing runs make a move', async () => {
    const { groupId } = await newTradeWithEntry();
    const results = await Promise.all([
      moveGroup(db.sql, groupId, 'Denied'),
      moveGroup(db.sql, groupId, 'SlotClaimed'),
    ]);
    // Denied applies from planned and submitting; SlotClaimed only before Denied. Either order ends denied, and the log
    // holds exactly the moves that were made, in a consistent chain
    expect((await getGroup(db.sql, groupId))!.status).toBe('denied');
    const log = await eventsOf(groupId);
    expect(log.map((e) => e.event).sort()).toEqual(
      (['Denied', 'SlotClaimed'] as const).filter((_, i) => results[i]).sort(),
    );
    expect(log.at(-1)).toMatchObject({ event: 'Denied', to: 'denied' });
    if (log.length === 2) expect(log[1]!.from).toBe(log[0]!.to);
    await expect(db.sql`update state_events set event = 'forged'`).rejects.toThrow(/append-only/);
  });
});
