// Owns database migrations: numbered .sql files applied once each, in order, under an advisory lock.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Sql } from './db.js';
import { withTx } from './tx.js';

const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');
/** Arbitrary constant: only one process migrates at a time, the others wait and then find nothing to do. */
const LOCK_KEY = 7_341_220_001;

export interface MigrationResult {
  applied: string[];
  current: string | null;
}

export async function migrate(sql: Sql, dir = MIGRATIONS_DIR): Promise<MigrationResult> {
  const files = readdirSync(dir)
    .filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f))
    .sort();
  return withTx(
    sql,
    async (tx) => {
      await tx`select pg_advisory_xact_lock(${LOCK_KEY})`;
      await tx`create table if not exists schema_migrations (version text primary key, applied_at timestamptz not null default now())`;
      const done = new Set(
        (await tx<{ version: string }[]>`select version from schema_migrations`).map((r) => r.version),
      );
      const applied: string[] = [];
      for (const file of files) {
        const version = file.replace(/\.sql$/, '');
        if (done.has(version)) continue;
        await tx.unsafe(readFileSync(join(dir, file), 'utf8'));
        await tx`insert into schema_migrations (version) values (${version})`;
        applied.push(version);
      }
      const last = files.at(-1)?.replace(/\.sql$/, '') ?? null;
      return { applied, current: last };
    },
    { timeoutMs: 60_000, what: 'migrate' },
  ); // other processes wait here for the lock while one migrates
}
