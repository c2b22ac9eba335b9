// Who may do what in chat: only listed channels and allow-listed users are heard; viewers read, traders also change.
import { describe, expect, it } from 'vitest';
import { COMMAND_NAMES } from '../../../src/chat/commands.js';
import { admit, mayRun } from '../../../src/chat/permissions.js';

const access = {
  channels: ['111', '222'],
  users: [
    { id: '900', role: 'trader' as const },
    { id: '901', role: 'viewer' as const },
  ],
};

describe('admit', () => {
  it('hears allow-listed users in listed channels, with their role', () => {
    expect(admit(access, { userId: '900', channelId: '222' })).toEqual({ ok: true, role: 'trader' });
    expect(admit(access, { userId: '901', channelId: '111' })).toEqual({ ok: true, role: 'viewer' });
  });

  it('names the list a stranger or a channel is missing from', () => {
    expect(admit(access, { userId: '999', channelId: '111' })).toEqual({
      ok: false,
      why: 'user_not_listed',
      message: 'user 999 is not on LEGWORK_DISCORD_USERS',
    });
    expect(admit(access, { userId: '900', channelId: '333' })).toMatchObject({ ok: false, why: 'channel_not_listed' });
  });
});

describe('mayRun', () => {
  it('lets a viewer read and nothing more; a trader everything', () => {
    const viewer = COMMAND_NAMES.filter((c) => mayRun('viewer', c));
    expect(viewer).toEqual(['status', 'trades', 'trade', 'positions', 'risk', 'candidates', 'rules', 'help']);
    expect(COMMAND_NAMES.filter((c) => !mayRun('viewer', c))).toEqual(['halt', 'resume', 'approve', 'reject']);
    expect(COMMAND_NAMES.every((c) => mayRun('trader', c))).toBe(true);
  });
});
