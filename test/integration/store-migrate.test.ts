// Migrations apply once, in order, safely from concurrent processes; the audit log cannot be rewritten.
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../src/store/db.js';
import { migrate } from '../../src/store/migrate.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

describe('migrate', () => {
  it('applies every migration once even when two processes race', async () => {
    const other = createDb(db.url, { max: 2 });
    try {
      const [a, b] = await Promise.all([migrate(db.sql), migrate(other)]);
      expect([...a.applied, ...b.applied].filter((v) => v === '001_init')).toHaveLength(1);
      const again = await migrate(db.sql);
      expect(again.applied).toEqual([]);
      // The newest migration in the folder (each one applied once: the sum of both runs is every file)
      const files = readdirSync(new URL('../../src/store/migrations/', import.meta.url))
        .filter((f) => f.endsWith('.sql'))
        .map((f) => f.replace(/\.sql$/, ''))
        .sort();
      expect(again.current).toBe(files.at(-1));
      expect([...a.applied, ...b.applied].sort()).toEqual(files);
    } finally {
      await other.end();
    }
  });

  it('starts in the active trading state', async () => {
    const [row] = await db.sql<{ value: { state: string } }[]>`select value from settings where key = 'trading_state'`;
    expect(row?.value.state).toBe('active');
  });

  it('keeps the audit log append-only', async () => {
    await db.sql`insert into audit_events (kind, data) values ('halt', ${db.sql.json({ by: 'test' })})`;
    await expect(db.sql`update audit_events set kind = 'forged'`).rejects.toThrow(/append-only/);
    await expect(db.sql`delete from audit_events`).rejects.toThrow(/append-only/);
    const rows = await db.sql<{ kind: string; data: { by: string } }[]>`select kind, data from audit_events`;
    expect(rows).toEqual([{ kind: 'halt', data: { by: 'test' } }]);
  });
});
