// `legwork worker chat` without the Discord configuration stops at once, naming what to set, before it connects to
// anything (Postgres, Redis, the broker, Discord).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runStart } from '../../../workers/start.js';

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('legwork worker chat', () => {
  it('needs DISCORD_TOKEN: exit 2 and the variables to set', async () => {
    vi.stubEnv('DISCORD_TOKEN', '');
    vi.stubEnv('LEGWORK_DISCORD_CHANNELS', '');
    vi.stubEnv('LEGWORK_DISCORD_USERS', '');
    vi.stubEnv('DISCORD_API_URL', '');
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void errors.push(args.join(' ')));
    expect(await runStart(['chat'], 'worker')).toBe(2);
    expect(errors).toEqual([
      'legwork worker: the chat role is the Discord bot: set DISCORD_TOKEN and LEGWORK_DISCORD_CHANNELS (docs/operations.md: Discord)',
    ]);
  });

  it('is a role legwork worker knows (listed in the usage of an unknown one)', async () => {
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void errors.push(args.join(' ')));
    expect(await runStart(['chats'], 'worker')).toBe(2);
    expect(errors[0]).toMatch(/\(reconcile, monitor, execute, exit, scan, api, chat\)/);
  });
});
