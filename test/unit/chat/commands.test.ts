// Chat command parsing: `!` messages and slash commands give the same typed commands; a mistake is a usage error that
// names the command; buttons map to approve/reject of one trade.
import { describe, expect, it } from 'vitest';
import { buttonId, COMMANDS, commandText, parseButton, parseCommand, usageOf } from '../../../src/chat/commands.js';

const TRADE = '1f2e3d4c-5b6a-4789-8abc-def012345678';

describe('commandText', () => {
  it('takes the text after "!" and ignores conversation', () => {
    expect(commandText('!halt flatten too volatile')).toBe('halt flatten too volatile');
    expect(commandText('  ! status ')).toBe('status');
    expect(commandText('status')).toBeNull();
    expect(commandText('hello !status')).toBeNull();
    expect(commandText('!')).toBeNull();
    expect(commandText('!!!')).toBeNull();
  });
});

describe('parseCommand from messages', () => {
  it('reads flags and the rest of the line as the reason', () => {
    expect(parseCommand('halt flatten too volatile')).toEqual({
      name: 'halt',
      flatten: true,
      reason: 'too volatile',
    });
    expect(parseCommand('halt too volatile')).toEqual({ name: 'halt', flatten: false, reason: 'too volatile' });
    expect(parseCommand('!HALT')).toEqual({ name: 'halt', flatten: false });
    expect(parseCommand('resume calm again')).toEqual({ name: 'resume', force: false, reason: 'calm again' });
    expect(parseCommand('resume force checked the broken one')).toEqual({
      name: 'resume',
      force: true,
      reason: 'checked the broken one',
    });
  });

  it('reads trade ids whole or by their first characters, lower-cased', () => {
    expect(parseCommand(`trade ${TRADE.toUpperCase()}`)).toEqual({ name: 'trade', id: TRADE });
    expect(parseCommand('approve 1f2e3d4c')).toEqual({ name: 'approve', id: '1f2e3d4c' });
    expect(parseCommand('reject 1f2e3d4c credit too thin')).toEqual({
      name: 'reject',
      id: '1f2e3d4c',
      reason: 'credit too thin',
    });
  });

  it('says what is wrong, naming the command and showing its usage', () => {
    expect(parseCommand('trade')).toMatchObject({
      error: true,
      command: 'trade',
      message: 'trade: needs a trade id. Usage: trade <id>',
    });
    expect(parseCommand('approve xyz')).toMatchObject({
      command: 'approve',
      message: expect.stringMatching(/^approve: "xyz" is not a trade id .*Usage: approve <id> \[reason…\]$/),
    });
    expect(parseCommand('status now please')).toMatchObject({
      command: 'status',
      message: 'status: unexpected "now please". Usage: status',
    });
    expect(parseCommand('resume force')).toMatchObject({
      command: 'resume',
      message: expect.stringMatching(/^resume: force needs a reason/),
    });
    expect(parseCommand(`halt ${'x'.repeat(501)}`)).toMatchObject({ command: 'halt', message: /at most 500/ });
  });

  it('names an unknown command and suggests the closest one', () => {
    expect(parseCommand('staus')).toEqual({
      error: true,
      command: null,
      typed: 'staus',
      message: expect.stringMatching(/^unknown command "staus"; did you mean status\? Commands: status, trades, /),
    });
  });
});

describe('parseCommand from slash commands', () => {
  it('gives the same commands as the messages', () => {
    expect(parseCommand({ command: 'halt', options: { flatten: true, reason: 'too volatile' } })).toEqual(
      parseCommand('halt flatten too volatile'),
    );
    expect(parseCommand({ command: 'resume' })).toEqual({ name: 'resume', force: false });
    expect(parseCommand({ command: 'approve', options: { id: TRADE } })).toEqual({ name: 'approve', id: TRADE });
    expect(parseCommand({ command: 'status', options: {} })).toEqual({ name: 'status' });
  });

  it('refuses options the command does not have and missing ids', () => {
    expect(parseCommand({ command: 'status', options: { flatten: true } })).toMatchObject({
      command: 'status',
      message: 'status: unknown option flatten. Usage: status',
    });
    expect(parseCommand({ command: 'trade', options: {} })).toMatchObject({ message: /^trade: needs a trade id/ });
    expect(parseCommand({ command: 'nope' })).toMatchObject({ command: null, message: /^unknown command "nope"/ });
  });
});

describe('buttons and the command table', () => {
  it('maps approve:<id> and reject:<id> to the decision on that trade, and nothing else', () => {
    expect(parseButton(buttonId('approve', TRADE))).toEqual({ name: 'approve', id: TRADE });
    expect(parseButton(buttonId('reject', TRADE))).toEqual({ name: 'reject', id: TRADE });
    expect(parseButton('approve:1f2e3d4c')).toBeNull();
    expect(parseButton(`delete:${TRADE}`)).toBeNull();
  });

  it('fits Discord: lower-case names, descriptions of at most 100 characters, required options first', () => {
    for (const c of COMMANDS) {
      expect(c.name).toMatch(/^[a-z]{1,32}$/);
      expect(c.description.length, c.name).toBeLessThanOrEqual(100);
      const firstOptional = c.options.findIndex((o) => !o.required);
      if (firstOptional >= 0)
        expect(
          c.options.slice(firstOptional).every((o) => !o.required),
          c.name,
        ).toBe(true);
    }
    expect(COMMANDS.filter((c) => c.changes).map((c) => c.name)).toEqual(['halt', 'resume', 'approve', 'reject']);
    expect(usageOf(COMMANDS.find((c) => c.name === 'halt')!)).toBe('halt [flatten] [reason…]');
  });
});
