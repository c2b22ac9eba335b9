// The Discord bot's configuration: on with DISCORD_TOKEN, channels required, users as id:role with every bad entry
// named, nothing Discord-related accepted without a token.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/env.js';

const problemsOf = (env: NodeJS.ProcessEnv): string[] => {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe('Discord configuration', () => {
  it('is off without DISCORD_TOKEN', () => {
    expect(loadConfig({}).discord).toBeUndefined();
  });

  it('reads channels (the first gets alerts), users with roles, the server URL and fills', () => {
    const config = loadConfig({
      DISCORD_TOKEN: 'bot-token',
      DISCORD_API_URL: 'http://127.0.0.1:4300/api/',
      LEGWORK_DISCORD_CHANNELS: '111, 222,',
      LEGWORK_DISCORD_USERS: '123456:trader, 789012:viewer',
      LEGWORK_DISCORD_FILLS: 'yes',
    });
    expect(config.discord).toEqual({
      token: 'bot-token',
      apiUrl: 'http://127.0.0.1:4300/api',
      channels: ['111', '222'],
      alertChannel: '111',
      users: [
        { id: '123456', role: 'trader' },
        { id: '789012', role: 'viewer' },
      ],
      fills: true,
    });
    expect(Object.isFrozen(config.discord)).toBe(true);
    expect(loadConfig({ DISCORD_TOKEN: 't', LEGWORK_DISCORD_CHANNELS: '111' }).discord).toMatchObject({
      users: [],
      fills: false,
    });
  });

  it('names every bad entry of LEGWORK_DISCORD_USERS and LEGWORK_DISCORD_CHANNELS at once, never the token', () => {
    const problems = problemsOf({
      DISCORD_TOKEN: 'very-secret-token',
      LEGWORK_DISCORD_CHANNELS: '111,general,111',
      LEGWORK_DISCORD_USERS: '123456:trader,789012:admin,bob:viewer,555,123456:viewer',
      LEGWORK_DISCORD_FILLS: 'maybe',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'LEGWORK_DISCORD_CHANNELS: entry 2 "general": must be a Discord channel id (digits)',
        'LEGWORK_DISCORD_CHANNELS: entry 3 "111": listed twice',
        'LEGWORK_DISCORD_USERS: entry 2 "789012:admin": role must be trader or viewer, not "admin"',
        'LEGWORK_DISCORD_USERS: entry 3 "bob:viewer": "bob" is not a Discord user id (digits)',
        'LEGWORK_DISCORD_USERS: entry 4 "555": must be USER_ID:ROLE, e.g. 123456:trader',
        'LEGWORK_DISCORD_USERS: entry 5 "123456:viewer": user 123456 is listed twice',
      ]),
    );
    expect(problems.some((p) => p.startsWith('LEGWORK_DISCORD_FILLS: '))).toBe(true);
    expect(problems).toHaveLength(7);
    expect(problems.join('\n')).not.toContain('very-secret-token');
  });

  it('needs channels with a token, and a token for any other Discord setting', () => {
    expect(problemsOf({ DISCORD_TOKEN: 't' })).toEqual([
      expect.stringMatching(/^LEGWORK_DISCORD_CHANNELS: required when DISCORD_TOKEN is set/),
    ]);
    expect(problemsOf({ LEGWORK_DISCORD_USERS: '1:trader', DISCORD_API_URL: 'http://x' })).toEqual([
      'LEGWORK_DISCORD_USERS: set, but DISCORD_TOKEN is not (the Discord bot runs only with a token)',
      'DISCORD_API_URL: set, but DISCORD_TOKEN is not (the Discord bot runs only with a token)',
    ]);
    expect(problemsOf({ DISCORD_TOKEN: 't', LEGWORK_DISCORD_CHANNELS: '1', DISCORD_API_URL: 'ftp://x' })).toEqual([
      expect.stringMatching(/^DISCORD_API_URL: must be a http: or https: URL/),
    ]);
  });
});
