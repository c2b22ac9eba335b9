// Owns application commands: the registry's scopes and id keeping, and turning a test's command input into the
// interaction's options and resolved data, refusing what Discord's UI would not send.
import { describe, expect, it } from 'vitest';
import { CommandInputError, type OptionLookups, resolveCommandOptions } from '../../src/core/command-options.js';
import { CommandRegistry, OPTION, type StoredCommand } from '../../src/core/commands.js';
import { DiscordApiError } from '../../src/core/errors.js';
import { SnowflakeSource } from '../../src/ids.js';

const registry = () => new CommandRegistry('100', new SnowflakeSource(() => Date.UTC(2026, 0, 1)));
const lookups: OptionLookups = {
  user: (id) => (id === '7' ? { user: { id: '7', username: 'op' }, member: { roles: [] } } : undefined),
  channel: (id) => (id === '9' ? { id: '9', type: 0, name: 'legwork' } : undefined),
  role: (id) => (id === '5' ? { id: '5', name: '@everyone' } : undefined),
};

describe('CommandRegistry', () => {
  it('finds a guild command before a global one of the same name, and globals from DMs', () => {
    const r = registry();
    const global = r.overwrite(null, [{ name: 'status', description: 'global' }])[0]!;
    const guild = r.overwrite('1', [{ name: 'status', description: 'guild' }])[0]!;
    expect(r.find('status', '1')?.id).toBe(guild.id);
    expect(r.find('status', null)?.id).toBe(global.id);
    expect(r.find('status', '2')?.id).toBe(global.id);
  });

  it('checks definitions: required options first, unique option names, at most 25 options', () => {
    const r = registry();
    const problems = (defs: unknown): Record<string, unknown> => {
      try {
        r.overwrite(null, defs);
      } catch (e) {
        if (e instanceof DiscordApiError) return e.errors ?? {};
      }
      throw new Error('expected a 50035');
    };
    const opt = (name: string, required = false) => ({ type: OPTION.STRING, name, description: 'd', required });
    expect(problems([{ name: 'a', description: 'd', options: [opt('x'), opt('y', true)] }])).toMatchObject({
      0: { options: { 1: { required: { _errors: [{ code: 'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID' }] } } } },
    });
    expect(problems([{ name: 'a', description: 'd', options: [opt('x'), opt('x')] }])).toMatchObject({
      0: { options: { 1: { name: {} } } },
    });
    const many = Array.from({ length: 26 }, (_, i) => opt(`o${i}`));
    expect(problems([{ name: 'a', description: 'd', options: many }])).toMatchObject({
      0: { options: { _errors: [{}] } },
    });
    expect(problems([{ name: 'a', description: '' }])).toMatchObject({ 0: { description: {} } });
  });
});

describe('resolveCommandOptions', () => {
  const trade: StoredCommand = registry().overwrite(null, [
    {
      name: 'trade',
      description: 'Trade',
      options: [
        {
          type: OPTION.SUB_COMMAND,
          name: 'open',
          description: 'Open',
          options: [
            {
              type: OPTION.STRING,
              name: 'symbol',
              description: 's',
              required: true,
              choices: [
                { name: 'SPY', value: 'SPY' },
                { name: 'QQQ', value: 'QQQ' },
              ],
            },
            { type: OPTION.NUMBER, name: 'credit', description: 'c', min_value: 0.05 },
            { type: OPTION.USER, name: 'for', description: 'u' },
            { type: OPTION.CHANNEL, name: 'in', description: 'c', channel_types: [0] },
          ],
        },
        { type: OPTION.SUB_COMMAND, name: 'close', description: 'Close' },
      ],
    },
  ])[0]!;

  it('nests a subcommand and resolves user and channel options', () => {
    const r = resolveCommandOptions(
      trade,
      { subcommand: 'open', options: { symbol: 'SPY', credit: 1.25, for: '7', in: '9' } },
      lookups,
    );
    expect(r.fullName).toBe('trade open');
    expect(r.options).toEqual([
      {
        name: 'open',
        type: OPTION.SUB_COMMAND,
        options: [
          { name: 'symbol', type: OPTION.STRING, value: 'SPY' },
          { name: 'credit', type: OPTION.NUMBER, value: 1.25 },
          { name: 'for', type: OPTION.USER, value: '7' },
          { name: 'in', type: OPTION.CHANNEL, value: '9' },
        ],
      },
    ]);
    expect(r.resolved).toEqual({
      users: { 7: { id: '7', username: 'op' } },
      members: { 7: { roles: [] } },
      channels: { 9: { id: '9', type: 0, name: 'legwork' } },
    });
  });

  it('refuses a missing subcommand, a value outside the choices or bounds, an unknown option or user', () => {
    const fails = (input: Parameters<typeof resolveCommandOptions>[1]) => {
      try {
        resolveCommandOptions(trade, input, lookups);
      } catch (e) {
        if (e instanceof CommandInputError) return e.message;
      }
      return 'no error';
    };
    expect(fails({ options: { symbol: 'SPY' } })).toBe('this command needs a subcommand (open, close)');
    expect(fails({ subcommand: 'open', options: { symbol: 'IWM' } })).toMatch(/not one of the choices "SPY", "QQQ"/);
    expect(fails({ subcommand: 'open', options: { symbol: 'SPY', credit: 0.01 } })).toBe(
      'option "credit": below the minimum 0.05',
    );
    expect(fails({ subcommand: 'open', options: { symbol: 'SPY', size: 1 } })).toBe('unknown option "size"');
    expect(fails({ subcommand: 'open', options: { symbol: 'SPY', for: '8' } })).toBe('option "for": no such user 8');
    expect(fails({ subcommand: 'close', options: {} })).toBe('no error');
  });
});
