// The configuration reader: defaults for paper trading, every problem at once, live trading impossible by accident.
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

describe('loadConfig', () => {
  it('defaults to paper trading against the local venue with no credentials', () => {
    const config = loadConfig({});
    expect(config.broker.env).toBe('sim');
    expect(config.broker.baseUrl).toBe('http://127.0.0.1:4100');
    expect(config.broker.accountStreamerUrl).toBe('ws://127.0.0.1:4100/streamer');
    expect(config.broker.liveTrading).toBe(false);
    expect(Object.isFrozen(config.broker)).toBe(true);
  });

  it('uses the SDK presets for the sandbox', () => {
    const config = loadConfig({ TT_ENV: 'sandbox', TT_CLIENT_SECRET: 's', TT_REFRESH_TOKEN: 'r' });
    expect(config.broker.baseUrl).toBe('https://api.cert.tastyworks.com');
    expect(config.broker.accountStreamerUrl).toBe('wss://streamer.cert.tastyworks.com');
  });

  it('refuses production without LEGWORK_LIVE_TRADING=yes', () => {
    const problems = problemsOf({ TT_ENV: 'production', TT_CLIENT_SECRET: 's', TT_REFRESH_TOKEN: 'r' });
    expect(problems).toEqual([expect.stringMatching(/^LEGWORK_LIVE_TRADING: .*LEGWORK_LIVE_TRADING=yes/)]);
    expect(
      loadConfig({ TT_ENV: 'production', TT_CLIENT_SECRET: 's', TT_REFRESH_TOKEN: 'r', LEGWORK_LIVE_TRADING: 'yes' })
        .broker.liveTrading,
    ).toBe(true);
  });

  it('lists every problem in one error, and never a secret', () => {
    const problems = problemsOf({
      TT_ENV: 'production',
      TT_REFRESH_TOKEN: 'super-secret-refresh',
      TT_ACCOUNT: 'lower case',
      REDIS_URL: 'http://nope',
      LEGWORK_LIVE_TRADING: 'maybe',
    });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(
      ['LEGWORK_LIVE_TRADING', 'LEGWORK_LIVE_TRADING', 'REDIS_URL', 'TT_ACCOUNT', 'TT_CLIENT_SECRET'].sort(),
    );
    expect(problems.join('\n')).not.toContain('super-secret-refresh');
  });

  it('rejects an unknown TT_ENV and a live opt-in outside production', () => {
    expect(problemsOf({ TT_ENV: 'prod' })[0]).toMatch(/^TT_ENV: /);
    expect(problemsOf({ LEGWORK_LIVE_TRADING: 'yes' })[0]).toMatch(/only makes sense with TT_ENV=production/);
  });
});
