// Owns finding wall-clock and database-clock reads in Legwork's decision code (the one-clock lint): which files, which
// patterns, and the small allowlist of legitimate wall-time uses, each with its reason.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Decision code: the pipeline, domain, rules, strategies, the store's queries and the workers. */
export const DECISION_DIRS = [
  'src/pipeline',
  'src/domain',
  'src/rules',
  'src/strategies',
  'src/store',
  'workers',
] as const;

export const CLOCK_PATTERNS: Record<string, RegExp> = {
  'Date.now()': /\bDate\.now\(\)/g,
  'new Date()': /\bnew Date\(\s*\)/g,
  'performance.now()': /\bperformance\.now\(\)/g,
  // SQL now(): a call not made on an object (ctx.now(), clock.now() are the one clock), not a method signature `now(): T`
  'SQL now()': /(?<![.\w])now\(\)(?!\s*:(?!:))/g,
  'SQL current_timestamp': /\bcurrent_timestamp\b/gi,
};

/** Legitimate wall-time (or database-time) uses: file → pattern → why. Kept small; an unused entry fails the lint too. */
export const CLOCK_ALLOWLIST: Record<string, Record<string, string>> = {
  'src/pipeline/scan/scan-rule-set.ts': { 'performance.now()': 'a metric: how long a scan took on this machine' },
  'src/rules/account-loader.ts': {
    'new Date()':
      "a refusal's `since` shown to operators when no clock is given (`legwork rules check`); never compared",
  },
  'src/rules/loader.ts': {
    'new Date()': 'log/status timestamp of a rules reload error shown to operators; never compared',
  },
  'src/store/store-clock.ts': {
    'Date.now()': 'the store default before an app context binds its clock (CLIs, migrations)',
  },
  'src/store/db.ts': { 'Date.now()': 'network: how long to wait for PostgreSQL to accept connections at start' },
  'src/store/tx.ts': {
    'SQL now()':
      "names the backend to terminate after a transaction timeout (the database's own time, compared only with itself)",
  },
  'src/store/migrate.ts': { 'SQL now()': 'bookkeeping: when a schema migration was applied' },
  'workers/index.ts': { 'Date.now()': 'process lifecycle: the shutdown grace period is wall time' },
  'workers/execute.worker.ts': {
    'Date.now()': 'BullMQ delayed-job timestamps are wall time (the broker wait is converted by wallDelayFor)',
  },
  'workers/active-jobs.ts': { 'Date.now()': 'shutdown logs: how long a job has been running on this machine' },
};

export interface ClockFinding {
  file: string;
  line: number;
  pattern: string;
  text: string;
}

function* sourceFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sourceFiles(path);
    else if (/\.(ts|mts)$/.test(name) && !name.endsWith('.d.ts')) yield path;
  }
}

/** Blanks comments (keeping line numbers) so documentation that names Date.now() is not a finding. */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ' ')).replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

/** Every clock read in the decision code under `root` (a checkout), allowlisted ones included. */
export function findClockReads(root: string): ClockFinding[] {
  const findings: ClockFinding[] = [];
  for (const dir of DECISION_DIRS) {
    for (const path of sourceFiles(join(root, dir))) {
      const file = relative(root, path).split('\\').join('/');
      const lines = withoutComments(readFileSync(path, 'utf8')).split('\n');
      lines.forEach((text, i) => {
        for (const [pattern, re] of Object.entries(CLOCK_PATTERNS)) {
          re.lastIndex = 0;
          if (re.test(text)) findings.push({ file, line: i + 1, pattern, text: text.trim() });
        }
      });
    }
  }
  return findings;
}

/** The patterns a line of code matches (for the lint's own test). */
export const clockReadsIn = (text: string): string[] =>
  Object.entries(CLOCK_PATTERNS)
    .filter(([, re]) => new RegExp(re.source, re.flags.replace('g', '')).test(text))
    .map(([name]) => name);

export const isAllowed = (f: ClockFinding): boolean => CLOCK_ALLOWLIST[f.file]?.[f.pattern] !== undefined;
