// Owns the REST API as a raw HTTP client sees it: bot authentication, Get Gateway Bot, Discord's checks of message
// bodies (empty, lengths, component layout) and their error shapes, listing and editing rules, rate-limit headers and
// 429s, injected faults, the interaction callback's deadline and single acknowledgement, webhooks, uploads, commands.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_IDS, type DiscordSimHandle } from '../../src/index.js';
import { api, control, startSim, TOKEN, waitFor } from '../support/harness.js';

let sim: DiscordSimHandle;
const channel = DEFAULT_IDS.legworkChannel;
const button = (custom_id: string, extra: Record<string, unknown> = {}) => ({
  type: 2,
  style: 1,
  label: 'Go',
  custom_id,
  ...extra,
});
const row = (...components: unknown[]) => ({ type: 1, components });

beforeAll(async () => {
  sim = await startSim({ interactionDeadlineMs: 1000 });
  const registered = await api(sim, 'PUT', `/applications/${DEFAULT_IDS.bot}/commands`, [
    { name: 'status', description: 'Show status' },
  ]);
  expect(registered.status).toBe(200);
});
afterAll(async () => {
  await sim.close();
});

async function command(): Promise<{ id: string; token: string }> {
  const { status, body } = await control(sim, 'POST', '/__discord/interactions', {
    channelId: channel,
    command: 'status',
  });
  expect(status).toBe(201);
  return body;
}

describe('authentication and gateway', () => {
  it('answers 401 without the bot token and with a wrong one', async () => {
    for (const token of [null, 'wrong']) {
      const res = await api(sim, 'GET', '/users/@me', undefined, token);
      expect([res.status, res.body]).toEqual([401, { message: '401: Unauthorized', code: 0 }]);
    }
    const me = await api(sim, 'GET', '/users/@me');
    expect([me.status, me.body.id, me.body.bot]).toEqual([200, DEFAULT_IDS.bot, true]);
  });

  it('GET /gateway/bot hands out this server as the gateway, one shard, the session start limit', async () => {
    const res = await api(sim, 'GET', '/gateway/bot');
    expect(res.body).toMatchObject({
      url: `${sim.baseUrl.replace('http', 'ws')}/gateway`,
      shards: 1,
      session_start_limit: { total: 1000, remaining: 1000, max_concurrency: 1 },
    });
  });
});

describe('message bodies', () => {
  const post = (body: unknown) => api(sim, 'POST', `/channels/${channel}/messages`, body);

  it('an empty message is 50006; content over 2000 characters is 50035 on content', async () => {
    expect((await post({ content: '  ' })).body).toEqual({ message: 'Cannot send an empty message', code: 50006 });
    const long = await post({ content: 'x'.repeat(2001) });
    expect(long.status).toBe(400);
    expect(long.body).toEqual({
      message: 'Invalid Form Body',
      code: 50035,
      errors: { content: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 2000 or fewer in length.' }] } },
    });
  });

  it('component layout: at most 5 buttons a row, unique custom_ids, link buttons without custom_id', async () => {
    const six = await post({ components: [row(...['a', 'b', 'c', 'd', 'e', 'f'].map((id) => button(id)))] });
    expect(six.body.errors.components['0'].components._errors[0].code).toBe('BASE_TYPE_BAD_LENGTH');
    const dup = await post({ components: [row(button('same'), button('same'))] });
    expect(dup.body.errors.components['0'].components['1'].custom_id._errors[0].code).toBe(
      'COMPONENT_CUSTOM_ID_DUPLICATED',
    );
    const link = await post({ components: [row(button('x', { style: 5, url: 'https://example.com' }))] });
    expect(Object.keys(link.body.errors.components['0'].components['0'])).toEqual(['custom_id']);
    const tooMany = await post({ content: 'x', embeds: Array.from({ length: 11 }, () => ({ title: 't' })) });
    expect(tooMany.body.errors.embeds._errors[0].message).toBe('Must be 10 or fewer in length.');
  });

  it('a valid message is stored with ids given to its components and embeds typed rich', async () => {
    const res = await post({
      content: 'Approve?',
      embeds: [{ title: 'Trade' }],
      components: [row(button('yes'), button('no'))],
    });
    expect(res.status).toBe(200);
    expect(res.body.components).toEqual([
      {
        type: 1,
        id: 1,
        components: [
          { ...button('yes'), id: 2 },
          { ...button('no'), id: 3 },
        ],
      },
    ]);
    expect(res.body.embeds).toEqual([{ title: 'Trade', type: 'rich' }]);
    expect(res.body.author.id).toBe(DEFAULT_IDS.bot);
  });

  it('unknown channel is 10003; a body that is not JSON is 50109', async () => {
    expect((await api(sim, 'POST', '/channels/123/messages', { content: 'x' })).body.code).toBe(10003);
    const res = await fetch(`${sim.apiUrl}/v10/channels/${channel}/messages`, {
      method: 'POST',
      headers: { authorization: `Bot ${TOKEN}`, 'content-type': 'application/json' },
      body: '{nope',
    });
    expect([res.status, ((await res.json()) as { code: number }).code]).toEqual([400, 50109]);
  });
});

describe('messages', () => {
  it("the bot cannot edit a user's message (50005); history is newest first, paged by before", async () => {
    const user = await control(sim, 'POST', '/__discord/messages', {
      channelId: DEFAULT_IDS.generalChannel,
      content: 'mine',
    });
    const edit = await api(sim, 'PATCH', `/channels/${DEFAULT_IDS.generalChannel}/messages/${user.body.id}`, {
      content: 'x',
    });
    expect([edit.status, edit.body.code]).toEqual([403, 50005]);
    const a = await api(sim, 'POST', `/channels/${DEFAULT_IDS.generalChannel}/messages`, { content: 'a' });
    const b = await api(sim, 'POST', `/channels/${DEFAULT_IDS.generalChannel}/messages`, { content: 'b' });
    const page = await api(sim, 'GET', `/channels/${DEFAULT_IDS.generalChannel}/messages?limit=2`);
    expect(page.body.map((m: { content: string }) => m.content)).toEqual(['b', 'a']);
    const older = await api(sim, 'GET', `/channels/${DEFAULT_IDS.generalChannel}/messages?before=${a.body.id}`);
    expect(older.body.map((m: { content: string }) => m.content)).toEqual(['mine']);
    expect(b.body.id > a.body.id).toBe(true);
  });

  it('a multipart upload becomes an attachment served at its url', async () => {
    const form = new FormData();
    form.append('payload_json', JSON.stringify({ content: 'chart', attachments: [{ id: 0, filename: 'pnl.csv' }] }));
    form.append('files[0]', new Blob(['day,pnl\n1,250\n'], { type: 'text/csv' }), 'upload.bin');
    const res = await fetch(`${sim.apiUrl}/v10/channels/${channel}/messages`, {
      method: 'POST',
      headers: { authorization: `Bot ${TOKEN}` },
      body: form,
    });
    const message = (await res.json()) as { attachments: { filename: string; size: number; url: string }[] };
    expect(message.attachments.map((a) => [a.filename, a.size])).toEqual([['pnl.csv', 14]]);
    expect(await (await fetch(message.attachments[0]!.url)).text()).toBe('day,pnl\n1,250\n');
  });
});

describe('rate limits and faults', () => {
  it('every answer carries the bucket headers; past the limit it is 429 with retry_after', async () => {
    const tight = await startSim({ rateLimit: { limit: 2, windowMs: 60_000 } });
    try {
      const first = await api(tight, 'GET', '/users/@me');
      expect(first.headers.get('x-ratelimit-limit')).toBe('2');
      expect(first.headers.get('x-ratelimit-remaining')).toBe('1');
      expect(first.headers.get('x-ratelimit-bucket')).toMatch(/^[0-9a-f]{16}$/);
      await api(tight, 'GET', '/users/@me');
      const third = await api(tight, 'GET', '/users/@me');
      expect(third.status).toBe(429);
      expect(third.body.message).toBe('You are being rate limited.');
      expect(third.body.global).toBe(false);
      expect(third.body.retry_after).toBeGreaterThan(0);
      expect(third.headers.get('x-ratelimit-scope')).toBe('user');
      // another route is another bucket
      expect((await api(tight, 'GET', '/gateway/bot')).status).toBe(200);
    } finally {
      await tight.close();
    }
  });

  it('an injected 429 answers the next matching request, then requests pass again', async () => {
    await control(sim, 'POST', '/__discord/faults', {
      status: 429,
      retryAfterMs: 1500,
      path: '/users/@me',
      global: true,
    });
    const limited = await api(sim, 'GET', '/users/@me');
    expect([limited.status, limited.body.retry_after, limited.headers.get('retry-after')]).toEqual([429, 1.5, '1.5']);
    expect(limited.headers.get('x-ratelimit-global')).toBe('true');
    expect((await api(sim, 'GET', '/users/@me')).status).toBe(200);
    await control(sim, 'POST', '/__discord/faults', { status: 503, count: 2 });
    expect((await api(sim, 'GET', '/gateway/bot')).status).toBe(503);
    expect((await api(sim, 'GET', '/gateway/bot')).status).toBe(503);
    expect((await api(sim, 'GET', '/gateway/bot')).status).toBe(200);
  });
});

describe('interactions over REST', () => {
  const callback = (i: { id: string; token: string }, body: unknown, query = '') =>
    api(sim, 'POST', `/interactions/${i.id}/${i.token}/callback${query}`, body, null);

  it('one acknowledgement only (40060); with_response returns the callback response object', async () => {
    const i = await command();
    const first = await callback(i, { type: 4, data: { content: 'ok' } }, '?with_response=true');
    expect(first.status).toBe(200);
    expect(first.body.interaction).toMatchObject({
      id: i.id,
      type: 2,
      response_message_loading: false,
      response_message_ephemeral: false,
    });
    expect(first.body.resource.type).toBe(4);
    expect(first.body.resource.message.id).toBe(first.body.interaction.response_message_id);
    const second = await callback(i, { type: 4, data: { content: 'again' } });
    expect([second.status, second.body.code]).toEqual([400, 40060]);
  });

  it('past the deadline the callback is 10062 Unknown interaction and the interaction shows expired', async () => {
    const i = await command();
    await waitFor(
      async () => (await control(sim, 'GET', `/__discord/interactions/${i.id}`)).body.expired,
      'the deadline',
    );
    const late = await callback(i, { type: 5 });
    expect([late.status, late.body]).toEqual([404, { message: 'Unknown interaction', code: 10062 }]);
  });

  it('a command cannot be answered with an update (6, 7); the webhook does not exist before the answer', async () => {
    const i = await command();
    const followupFirst = await api(sim, 'POST', `/webhooks/${DEFAULT_IDS.bot}/${i.token}`, { content: 'x' }, null);
    expect(followupFirst.body.code).toBe(10015);
    const update = await callback(i, { type: 7, data: { content: 'x' } });
    expect(update.body.errors.type._errors[0].code).toBe('BASE_TYPE_CHOICES');
    expect((await callback(i, { type: 5 })).status).toBe(204);
  });

  it('followups are edited by id and @original deleted through the webhook', async () => {
    const i = await command();
    await callback(i, { type: 4, data: { content: 'first' } });
    const hook = `/webhooks/${DEFAULT_IDS.bot}/${i.token}`;
    const followup = await api(sim, 'POST', hook, { content: 'more' }, null);
    const edited = await api(sim, 'PATCH', `${hook}/messages/${followup.body.id}`, { content: 'more, edited' }, null);
    expect([edited.body.content, edited.body.edited_timestamp === null]).toEqual(['more, edited', false]);
    expect((await api(sim, 'DELETE', `${hook}/messages/@original`, undefined, null)).status).toBe(204);
    expect((await api(sim, 'GET', `${hook}/messages/@original`, undefined, null)).body.code).toBe(10008);
    const state = (await control(sim, 'GET', `/__discord/interactions/${i.id}`)).body;
    const listed = (await control(sim, 'GET', `/__discord/channels/${channel}/messages?deleted=true`)).body.messages;
    const original = listed.find((m: { id: string }) => m.id === state.responseMessageId);
    expect(original.deleted).toBe(true);
  });
});

describe('application commands', () => {
  it('bulk overwrite keeps the ids of commands it keeps and refuses invalid names with the offending index', async () => {
    const path = `/applications/${DEFAULT_IDS.bot}/guilds/${DEFAULT_IDS.guild}/commands`;
    const first = await api(sim, 'PUT', path, [{ name: 'close', description: 'Close a trade' }]);
    const second = await api(sim, 'PUT', path, [
      { name: 'close', description: 'Close a trade now' },
      { name: 'open', description: 'Open' },
    ]);
    expect(second.body[0].id).toBe(first.body[0].id);
    expect(second.body.map((c: { guild_id: string }) => c.guild_id)).toEqual([DEFAULT_IDS.guild, DEFAULT_IDS.guild]);
    const bad = await api(sim, 'PUT', path, [
      { name: 'ok', description: 'fine' },
      { name: 'Bad', description: 'x' },
    ]);
    expect(bad.body.errors['1'].name._errors[0].code).toBe('APPLICATION_COMMAND_INVALID_NAME');
    expect((await api(sim, 'GET', path)).body.map((c: { name: string }) => c.name)).toEqual(['close', 'open']);
  });

  it('POST creates (201) and then replaces the command of the same name (200)', async () => {
    const path = `/applications/${DEFAULT_IDS.bot}/commands`;
    const created = await api(sim, 'POST', path, { name: 'halt', description: 'Stop trading' });
    const replaced = await api(sim, 'POST', path, { name: 'halt', description: 'Stop all trading' });
    expect([created.status, replaced.status, replaced.body.id]).toEqual([201, 200, created.body.id]);
  });
});
