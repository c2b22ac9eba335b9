// Checks that the installed @discordjs/ws carries patches/@discordjs+ws+1.2.3.patch (patch-package, at npm install;
// the version is pinned by package.json overrides): without it a Discord client destroyed while its gateway handshake
// was still connecting ends the process with an uncaught "Unexpected server response" (discord-bot-edges shows it).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const root = join(dirname(require.resolve('@discordjs/ws')), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };

describe('@discordjs/ws patch (discordjs/discord.js#10397)', () => {
  it('is written for the installed version', () => {
    expect(pkg.version).toBe('1.2.3');
  });
  for (const file of ['index.js', 'index.mjs', 'defaultWorker.js', 'defaultWorker.mjs']) {
    it(`destroy() keeps an error handler on a connection and cuts one still connecting (${file})`, () => {
      const code = readFileSync(join(root, 'dist', file), 'utf8');
      const destroy = code.slice(code.indexOf('async destroy(options = {})'), code.indexOf('async waitForEvent('));
      expect(destroy).not.toContain('this.connection.onerror = null');
      expect(destroy).toContain('this.connection.onerror = () => {};');
      expect(destroy).toContain('if (this.connection.readyState === 0) {');
    });
  }
});
