// Alerts are logged, recorded in the audit log, and posted to a Discord/Slack-style webhook; a dead webhook loses nothing.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { createAlerter } from '../../src/pipeline/alerts.js';
import { migrate } from '../../src/store/migrate.js';
import { createPostgresStore } from '../../src/store/postgres-store.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

let db: TestDatabase;
let server: Server;
let url: string;
const received: { contentType: string | undefined; body: { content: string; text: string } }[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  await migrate(db.sql);
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      received.push({
        contentType: req.headers['content-type'],
        body: JSON.parse(raw) as { content: string; text: string },
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await db.drop();
});

describe('alerts', () => {
  it('posts {content, text} to the webhook and records an audit event with the ids', async () => {
    const alert = createAlerter({
      store: createPostgresStore(db.sql),
      log: createLogger({ level: 'silent', pretty: false }),
      webhookUrl: url,
    });
    const groupId = '11111111-1111-4111-8111-111111111111';
    await alert('broken_group', 'group could not be flattened', { groupId, legs: 2 });
    expect(received).toHaveLength(1);
    expect(received[0]!.contentType).toBe('application/json');
    expect(received[0]!.body.content).toMatch(/^\[legwork\] broken_group: group could not be flattened/);
    expect(received[0]!.body.text).toBe(received[0]!.body.content);
    const rows = await db.sql<
      { group_id: string; data: { kind: string; legs: number } }[]
    >`select group_id, data from audit_events where kind = 'alert'`;
    expect(rows).toEqual([{ group_id: groupId, data: expect.objectContaining({ kind: 'broken_group', legs: 2 }) }]);
  });

  it('still records the alert when the webhook is unreachable, and does not throw', async () => {
    const alert = createAlerter({
      store: createPostgresStore(db.sql),
      log: createLogger({ level: 'silent', pretty: false }),
      webhookUrl: 'http://127.0.0.1:9/nothing',
      timeoutMs: 500,
    });
    await expect(alert('halt', 'trading halted', {})).resolves.toBeUndefined();
    const rows = await db.sql`select 1 from audit_events where kind = 'alert' and data->>'kind' = 'halt'`;
    expect(rows).toHaveLength(1);
  });
});
