// Owns the gateway's protocol as a raw WebSocket client sees it: the HELLO, READY and GUILD_CREATE payloads, heartbeat
// ACKs, RESUME replaying exactly the missed dispatches then RESUMED, INVALID_SESSION when a session cannot be resumed,
// and the close codes of protocol errors (Discord docs: topics/gateway, topics/opcodes-and-status-codes).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_IDS, type DiscordSimHandle } from '../../src/index.js';
import { control, startSim } from '../support/harness.js';
import { connectRaw, identified, identifyData, type RawGateway } from '../support/raw-gateway.js';

let sim: DiscordSimHandle;
const open: RawGateway[] = [];
const track = <T extends { gw: RawGateway } | RawGateway>(x: T): T => {
  open.push('gw' in x ? x.gw : x);
  return x;
};
const say = (content: string) =>
  control(sim, 'POST', '/__discord/messages', { channelId: DEFAULT_IDS.legworkChannel, content });

beforeAll(async () => {
  sim = await startSim({ heartbeatIntervalMs: 45_000, replayBufferSize: 5 });
});
afterEach(async () => {
  for (const gw of open.splice(0)) await gw.close();
});
afterAll(async () => {
  await sim.close();
});

describe('connecting', () => {
  it('HELLO carries the heartbeat interval; a heartbeat is ACKed', async () => {
    const gw = track(await connectRaw(sim));
    expect(await gw.next('HELLO')).toEqual({ op: 10, d: { heartbeat_interval: 45_000 }, s: null, t: null });
    gw.send(1, null);
    expect(await gw.next('ACK')).toEqual({ op: 11, d: null, s: null, t: null });
  });

  it('IDENTIFY gets READY (seq 1) with the bot, the unavailable guild, the session and the resume URL, then GUILD_CREATE', async () => {
    const { gw, ready } = track(await identified(sim));
    expect([ready.op, ready.t, ready.s]).toEqual([0, 'READY', 1]);
    expect(ready.d).toMatchObject({
      v: 10,
      user: { id: DEFAULT_IDS.bot, bot: true },
      guilds: [{ id: DEFAULT_IDS.guild, unavailable: true }],
      application: { id: DEFAULT_IDS.bot, flags: 0 },
    });
    expect(ready.d.session_id).toMatch(/^[0-9a-f]{32}$/);
    expect(ready.d.resume_gateway_url).toBe(`${sim.baseUrl.replace('http', 'ws')}/gateway/resume`);
    const guild = await gw.next('GUILD_CREATE');
    expect([guild.t, guild.s, guild.d.id, guild.d.unavailable]).toEqual(['GUILD_CREATE', 2, DEFAULT_IDS.guild, false]);
    expect(guild.d.channels.map((c: { id: string; type: number }) => [c.id, c.type])).toEqual([
      [DEFAULT_IDS.legworkChannel, 0],
      [DEFAULT_IDS.generalChannel, 0],
    ]);
  });

  it('without the GUILDS intent there is no GUILD_CREATE; the next dispatch is the message', async () => {
    const { gw } = track(await identified(sim, (1 << 9) | (1 << 15)));
    await say('no guilds intent');
    const next = await gw.next('the message');
    expect([next.t, next.s, next.d.content]).toEqual(['MESSAGE_CREATE', 2, 'no guilds intent']);
  });
});

describe('resuming', () => {
  it('RESUME replays the dispatches after the given seq, in order, then RESUMED', async () => {
    const { gw, ready } = track(await identified(sim));
    await gw.next('GUILD_CREATE');
    await gw.close(4000);
    await say('one');
    await say('two');
    const again = track(await connectRaw(sim, '/gateway/resume?v=10&encoding=json'));
    await again.next('HELLO');
    again.send(6, { token: 'sim-bot-token', session_id: ready.d.session_id, seq: 2 });
    const replayed = [await again.next(), await again.next(), await again.next()];
    expect(replayed.map((p) => [p.t, p.s, p.d.content])).toEqual([
      ['MESSAGE_CREATE', 3, 'one'],
      ['MESSAGE_CREATE', 4, 'two'],
      ['RESUMED', 5, undefined],
    ]);
    await say('three');
    const live = await again.next('a live dispatch');
    expect([live.t, live.s, live.d.content]).toEqual(['MESSAGE_CREATE', 6, 'three']);
  });

  it('RESUME of an unknown session, or one closed with 1000, gets INVALID_SESSION (d: false)', async () => {
    const gw = track(await connectRaw(sim));
    await gw.next('HELLO');
    gw.send(6, { token: 'sim-bot-token', session_id: 'f'.repeat(32), seq: 1 });
    expect(await gw.next('INVALID_SESSION')).toEqual({ op: 9, d: false, s: null, t: null });

    const { gw: first, ready } = track(await identified(sim));
    await first.close(1000);
    const second = track(await connectRaw(sim));
    await second.next('HELLO');
    second.send(6, { token: 'sim-bot-token', session_id: ready.d.session_id, seq: 1 });
    expect((await second.next('INVALID_SESSION')).op).toBe(9);
  });

  it('RESUME from before the replay buffer gets INVALID_SESSION; from beyond the last seq closes 4007', async () => {
    const { gw, ready } = track(await identified(sim));
    await gw.close(4000);
    for (const n of [1, 2, 3, 4, 5, 6]) await say(`overflow ${n}`);
    const late = track(await connectRaw(sim));
    await late.next('HELLO');
    late.send(6, { token: 'sim-bot-token', session_id: ready.d.session_id, seq: 1 });
    expect((await late.next('INVALID_SESSION')).d).toBe(false);

    const { gw: other, ready: r2 } = track(await identified(sim));
    await other.close(4000);
    const ahead = track(await connectRaw(sim));
    await ahead.next('HELLO');
    ahead.send(6, { token: 'sim-bot-token', session_id: r2.d.session_id, seq: 99 });
    expect(await ahead.closed()).toBe(4007);
  });
});

describe('close codes', () => {
  const cases: [string, (gw: RawGateway) => void, number][] = [
    ['a payload that is not JSON', (gw) => gw.sendRaw('{nope'), 4002],
    ['an unknown opcode', (gw) => gw.send(99, null), 4001],
    ['a presence update before IDENTIFY', (gw) => gw.send(3, { status: 'online' }), 4003],
    ['a wrong token', (gw) => gw.send(2, identifyData(513, 'wrong-token')), 4004],
    ['an unknown intent bit', (gw) => gw.send(2, identifyData(1 << 30)), 4013],
    ['a second shard', (gw) => gw.send(2, { ...identifyData(), shard: [1, 2] }), 4010],
  ];
  for (const [what, act, code] of cases) {
    it(`${what} closes with ${code}`, async () => {
      const gw = track(await connectRaw(sim));
      await gw.next('HELLO');
      act(gw);
      expect(await gw.closed()).toBe(code);
    });
  }

  it('a second IDENTIFY closes with 4005', async () => {
    const { gw } = track(await identified(sim));
    gw.send(2, identifyData());
    expect(await gw.closed()).toBe(4005);
  });

  it('an unsupported API version closes with 4012', async () => {
    const gw = track(await connectRaw(sim, '/gateway?v=9&encoding=json'));
    expect(await gw.closed()).toBe(4012);
  });

  it('a privileged intent the application may not use closes with 4014', async () => {
    const strict = await startSim({ allowedPrivilegedIntents: 0 });
    try {
      const gw = track(await connectRaw(strict));
      await gw.next('HELLO');
      gw.send(2, identifyData(1 | (1 << 15)));
      expect(await gw.closed()).toBe(4014);
    } finally {
      await strict.close();
    }
  });
});
