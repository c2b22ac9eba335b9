// Owns the check that the unmodified discord.js Client survives the gateway faults the control API injects: a dropped
// connection is resumed (missed events replayed), a forgotten session re-identified, Reconnect (op 7) and INVALID_SESSION
// obeyed, an outage retried until it ends, a zombie connection (no HEARTBEAT_ACK) detected; events flow afterwards.
import type { Client, Message } from 'discord.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_IDS, type DiscordSimHandle } from '../../src/index.js';
import { control, loginClient, startSim, waitFor } from '../support/harness.js';

let sim: DiscordSimHandle;
let client: Client;
let received: Message[];
let resumes: number;
const channelId = DEFAULT_IDS.legworkChannel;

const gateway = () => sim.control.state().gateway;

async function say(content: string): Promise<string> {
  const { status, body } = await control(sim, 'POST', '/__discord/messages', { channelId, content });
  expect(status).toBe(201);
  return body.id;
}

const arrived = (id: string, what: string) => waitFor(() => received.find((m) => m.id === id), what, 15_000);

beforeEach(async () => {
  sim = await startSim({ heartbeatIntervalMs: 250 });
  client = await loginClient(sim);
  received = [];
  resumes = 0;
  client.on('messageCreate', (m) => {
    received.push(m);
  });
  client.on('shardResume', () => {
    resumes += 1;
  });
});

afterEach(async () => {
  await client?.destroy();
  await sim?.close();
});

describe('dropped connections', () => {
  it('after a drop discord.js resumes on resume_gateway_url and gets the events it missed, then new ones', async () => {
    expect((await control(sim, 'POST', '/__discord/drop', { mode: 'terminate' })).body.dropped).toBe(1);
    const missed = await say('sent while disconnected');
    await arrived(missed, 'the missed message, replayed');
    expect(resumes).toBe(1);
    expect(gateway().identifies).toBe(1);
    expect(gateway().resumes).toBe(1);
    expect(gateway().resumeUrlConnections).toBe(1);
    const later = await say('after the resume');
    expect((await arrived(later, 'a later message')).content).toBe('after the resume');
  });

  it('a close with 4000 is resumed as well', async () => {
    await control(sim, 'POST', '/__discord/drop', { mode: 'close', code: 4000 });
    await waitFor(() => resumes === 1, 'the resume');
    expect((await arrived(await say('after 4000'), 'the message')).content).toBe('after 4000');
  });

  it('when the session is forgotten, RESUME gets INVALID_SESSION and discord.js identifies anew', async () => {
    await control(sim, 'POST', '/__discord/drop', { mode: 'terminate', invalidate: true });
    await waitFor(() => gateway().identifies === 2, 'a second IDENTIFY');
    expect(gateway().invalidSessions).toBe(1);
    expect(resumes).toBe(0);
    expect((await arrived(await say('after re-identify'), 'the message')).content).toBe('after re-identify');
  });

  it('Reconnect (op 7) makes discord.js reconnect and resume', async () => {
    await control(sim, 'POST', '/__discord/drop', { mode: 'reconnect' });
    await waitFor(() => resumes === 1, 'the resume');
    expect(gateway().identifies).toBe(1);
    expect((await arrived(await say('after op 7'), 'the message')).content).toBe('after op 7');
  });

  it('INVALID_SESSION (d: false) on a live connection makes discord.js identify anew', async () => {
    await control(sim, 'POST', '/__discord/drop', { mode: 'invalid-session' });
    await waitFor(() => gateway().identifies === 2, 'a second IDENTIFY');
    expect((await arrived(await say('after op 9'), 'the message')).content).toBe('after op 9');
  });
});

describe('outages', () => {
  it('during an outage (503 on upgrade) discord.js keeps retrying, then resumes and gets what it missed', async () => {
    await control(sim, 'POST', '/__discord/outage', { ms: 600_000, mode: 'refuse' });
    const missed = await say('sent during the outage');
    await waitFor(() => gateway().refused >= 3, 'three refused attempts');
    expect(received.some((m) => m.id === missed)).toBe(false);
    await control(sim, 'POST', '/__discord/outage', { ms: 0 });
    await arrived(missed, 'the missed message after the outage');
    expect(resumes).toBe(1);
    expect(gateway().identifies).toBe(1);
    expect((await arrived(await say('after the outage'), 'a new message')).content).toBe('after the outage');
  });

  it('an outage that resets connections makes discord.js start a new session when it ends', async () => {
    await control(sim, 'POST', '/__discord/outage', { ms: 600_000, mode: 'reset' });
    await waitFor(() => gateway().refused >= 3, 'three reset attempts');
    await control(sim, 'POST', '/__discord/outage', { ms: 0 });
    await waitFor(() => gateway().identifies === 2, 'a new IDENTIFY');
    expect((await arrived(await say('after the reset outage'), 'the message')).content).toBe('after the reset outage');
  });

  it('an outage outliving the session timeout ends in a new session (the old one is gone)', async () => {
    await client.destroy();
    await sim.close();
    sim = await startSim({ heartbeatIntervalMs: 250, sessionTimeoutMs: 1 });
    client = await loginClient(sim);
    client.on('messageCreate', (m) => {
      received.push(m);
    });
    await control(sim, 'POST', '/__discord/outage', { ms: 600_000 });
    await waitFor(() => gateway().refused >= 2, 'refused attempts');
    await control(sim, 'POST', '/__discord/outage', { ms: 0 });
    await waitFor(() => gateway().identifies === 2, 'a new IDENTIFY');
    expect(gateway().invalidSessions).toBeGreaterThanOrEqual(1);
    expect((await arrived(await say('new session'), 'the message')).content).toBe('new session');
  });
});

describe('heartbeats', () => {
  it('without HEARTBEAT_ACKs discord.js drops the zombie connection and resumes', async () => {
    await waitFor(() => gateway().heartbeats >= 1, 'a first heartbeat');
    await control(sim, 'POST', '/__discord/heartbeats', { ack: false });
    await waitFor(() => gateway().connections >= 2, 'a new connection');
    await control(sim, 'POST', '/__discord/heartbeats', { ack: true });
    await waitFor(() => resumes >= 1, 'the resume');
    expect(gateway().identifies).toBe(1);
    expect((await arrived(await say('after the zombie'), 'the message')).content).toBe('after the zombie');
  });
});
