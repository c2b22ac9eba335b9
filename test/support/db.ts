// Owns a throw-away PostgreSQL database per test file: created empty, migrated by the test, dropped afterwards.
import { randomBytes } from 'node:crypto';
import { createDb, type Sql } from '../../src/store/db.js';

export const DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  url: string;
  sql: Sql;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `lw_test_${randomBytes(5).toString('hex')}`;
  const admin = createDb(DATABASE_URL, { max: 1 });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(DATABASE_URL);
  url.pathname = `/${name}`;
  const sql = createDb(url.toString(), { max: 5 });
  return {
    url: url.toString(),
    sql,
    async drop() {
      await sql.end({ timeout: 5 });
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end({ timeout: 5 });
    },
  };
}
