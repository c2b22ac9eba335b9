// Checks that the installed postgres.js carries patches/postgres+3.4.9.patch (applied by `npm install` via
// patch-package): without it a PostgreSQL restart can crash a worker with an uncatchable TypeError in nextWrite, and a
// reserved connection or transaction that lost its connection put a dead connection back in the pool for good.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const root = join(dirname(require.resolve('postgres')), '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };

describe('postgres.js patch (porsager/postgres#1154, #1208)', () => {
  it('is written for the installed version', () => {
    expect(readFileSync(new URL('../../../patches/postgres+3.4.9.patch', import.meta.url), 'utf8')).toContain(
      'socket === null',
    );
    expect(pkg.version).toBe('3.4.9');
  });
  for (const build of ['src', 'cjs/src']) {
    it(`guards nextWrite against a closed socket and resets the write timer on close (${build})`, () => {
      const code = readFileSync(join(root, build, 'connection.js'), 'utf8');
      const nextWrite = code.slice(code.indexOf('function nextWrite'), code.indexOf('function connectTimedOut'));
      expect(nextWrite.indexOf('if (socket === null)')).toBeGreaterThan(0);
      expect(nextWrite.indexOf('if (socket === null)')).toBeLessThan(nextWrite.indexOf('socket.write'));
      // ... and fails what it cannot send (dropping it silently left the caller waiting forever)
      expect(nextWrite).toContain("error(Errors.connection('CONNECTION_CLOSED', options, socket))");
      expect(code.match(/\n {4}clearImmediate\(nextWriteTimer\)\n\s+chunk = nextWriteTimer = null/g)?.length).toBe(2);
      // The array types query of a new connection cannot end the process when the connection dies under it
      expect(code).toContain('return fetchArrayTypes().catch(noop)');
    });
    it(`a reserved connection or transaction that lost its connection fails its queries and leaves the pool alone (${build})`, () => {
      const code = readFileSync(join(root, build, 'index.js'), 'utf8');
      const reserve = code.slice(code.indexOf('async function reserve'), code.indexOf('async function begin'));
      expect(reserve).toContain('const held = c.reserved');
      expect(reserve.match(/if \(c\.reserved !== held\)/g)?.length).toBe(2); // in release and in the query handler
      const begin = code.slice(code.indexOf('async function begin'), code.indexOf('function move'));
      expect(begin).toContain('held = c.reserved = () =>');
      expect(begin).toContain(
        "if (c.reserved !== held)\n          return q.reject(Errors.connection('CONNECTION_CLOSED', options))",
      );
    });
  }
});
