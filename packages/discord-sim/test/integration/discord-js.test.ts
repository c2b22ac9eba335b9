// Owns the end-to-end check of the Discord server against the unmodified discord.js Client: login and READY, a user's
// message and the bot's reply, a slash command answered with an approve button, the click answered by updating the
// message, deferred replies, followups, ephemeral replies and edits, all read back through the control routes.
import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  Client,
  GatewayIntentBits,
  type Interaction,
  type Message,
  Partials,
  SlashCommandBuilder,
} from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_IDS, type DiscordSimHandle } from '../../src/index.js';
import { botMessages, control, DEFAULT_INTENTS, loginClient, startSim, TOKEN, waitFor } from '../support/harness.js';

let sim: DiscordSimHandle;
let client: Client;
const channelId = DEFAULT_IDS.legworkChannel;
const received: Message[] = [];
const interactions: Interaction[] = [];
/** What the test's bot does with the next interaction. */
let onInteraction: (i: Interaction) => Promise<unknown> = async () => {};

const approveRow = (disabled = false) =>
  new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder()
      .setCustomId('approve:42')
      .setLabel('Approve')
      .setStyle(ButtonStyle.Success)
      .setDisabled(disabled),
    new ButtonBuilder().setCustomId('reject:42').setLabel('Reject').setStyle(ButtonStyle.Danger).setDisabled(disabled),
  );

async function runCommand(body: Record<string, unknown>) {
  return control(sim, 'POST', '/__discord/interactions', { channelId, ...body });
}

async function interactionState(id: string) {
  return (await control(sim, 'GET', `/__discord/interactions/${id}`)).body;
}

beforeAll(async () => {
  sim = await startSim();
  client = await loginClient(sim);
  client.on('messageCreate', (m) => {
    received.push(m);
  });
  client.on('interactionCreate', (i) => {
    interactions.push(i);
    void onInteraction(i);
  });
  await client.application!.commands.set([
    new SlashCommandBuilder()
      .setName('trade')
      .setDescription('Open a trade')
      .addStringOption((o) => o.setName('symbol').setDescription('Underlying').setRequired(true))
      .addIntegerOption((o) => o.setName('quantity').setDescription('Contracts').setMinValue(1).setMaxValue(10))
      .toJSON(),
    new SlashCommandBuilder().setName('status').setDescription('Show status').toJSON(),
  ]);
});

afterAll(async () => {
  await client?.destroy();
  await sim?.close();
});

describe('login', () => {
  it('READY makes the bot user, the application and the guild with its channels known to discord.js', () => {
    expect(client.user?.id).toBe(DEFAULT_IDS.bot);
    expect(client.user?.bot).toBe(true);
    expect(client.application?.id).toBe(DEFAULT_IDS.bot);
    const guild = client.guilds.cache.get(DEFAULT_IDS.guild);
    expect(guild?.available).toBe(true);
    expect(guild?.channels.cache.map((c) => c.name).sort()).toEqual(['general', 'legwork']);
  });

  it('registered the slash commands where the server stores them', async () => {
    const { body } = await control(sim, 'GET', '/__discord/commands');
    expect(body.global.map((c: { name: string }) => c.name)).toEqual(['trade', 'status']);
  });
});

describe('messages', () => {
  it("a user's message arrives as messageCreate and the bot's channel.send is listed by the control route", async () => {
    const injected = await control(sim, 'POST', '/__discord/messages', { channelId, content: 'status please' });
    expect(injected.status).toBe(201);
    const m = await waitFor(() => received.find((x) => x.id === injected.body.id), 'the injected message');
    expect(m.content).toBe('status please');
    expect(m.author.id).toBe(DEFAULT_IDS.operator);
    expect(m.author.bot).toBe(false);
    expect(m.member?.id).toBe(DEFAULT_IDS.operator);
    expect(m.guildId).toBe(DEFAULT_IDS.guild);

    const sent = await (m.channel as { send: (s: string) => Promise<Message> }).send('All systems nominal');
    const listed = await botMessages(sim, channelId);
    expect(listed.map((x) => [x.id, x.kind, x.content])).toContainEqual([sent.id, 'message', 'All systems nominal']);
    // Discord also dispatches the bot's own message back to it
    const echo = await waitFor(() => received.find((x) => x.id === sent.id), "the bot's own MESSAGE_CREATE");
    expect(echo.author.id).toBe(DEFAULT_IDS.bot);
  });

  it('message.reply() posts a reply (type 19) referencing the user message', async () => {
    const injected = await control(sim, 'POST', '/__discord/messages', { channelId, content: 'ping' });
    const m = await waitFor(() => received.find((x) => x.id === injected.body.id), 'the injected message');
    const reply = await m.reply('pong');
    expect(reply.reference?.messageId).toBe(m.id);
    const listed = (await botMessages(sim, channelId)).find((x) => x.id === reply.id);
    expect(listed.replyTo).toBe(m.id);
    expect(listed.message.type).toBe(19);
    expect(listed.message.referenced_message.content).toBe('ping');
  });

  it('without the MessageContent intent content is blank, unless the bot is mentioned', async () => {
    const blind = await loginClient(sim, [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages]);
    const seen: Message[] = [];
    blind.on('messageCreate', (m) => seen.push(m));
    try {
      const plain = await control(sim, 'POST', '/__discord/messages', { channelId, content: 'secret plan' });
      const mention = await control(sim, 'POST', '/__discord/messages', {
        channelId,
        content: `<@${DEFAULT_IDS.bot}> hello`,
      });
      const a = await waitFor(() => seen.find((x) => x.id === plain.body.id), 'the plain message');
      const b = await waitFor(() => seen.find((x) => x.id === mention.body.id), 'the mention');
      expect(a.content).toBe('');
      expect(b.content).toBe(`<@${DEFAULT_IDS.bot}> hello`);
      expect(b.mentions.users.has(DEFAULT_IDS.bot)).toBe(true);
    } finally {
      await blind.destroy();
    }
  });

  it('editing a message to disable its buttons is seen in the listing', async () => {
    const channel = client.channels.cache.get(channelId) as unknown as { send: (o: unknown) => Promise<Message> };
    const sent = await channel.send({ content: 'Approve trade 7?', components: [approveRow()] });
    await sent.edit({ content: 'Trade 7 expired', components: [approveRow(true)] });
    const listed = (await botMessages(sim, channelId)).find((x) => x.id === sent.id);
    expect(listed.content).toBe('Trade 7 expired');
    expect(listed.editedAt).not.toBeNull();
    expect(listed.components[0].components.map((b: { disabled: boolean }) => b.disabled)).toEqual([true, true]);
    const click = await control(sim, 'POST', '/__discord/interactions', { messageId: sent.id, customId: 'approve:42' });
    expect(click.status).toBe(400);
    expect(click.body.error).toMatch(/disabled/);
  });
});

describe('direct messages', () => {
  it('a DM from the operator reaches a client with DirectMessages and Partials.Channel; users.send() answers in it', async () => {
    const dmClient = new Client({
      intents: [...DEFAULT_INTENTS, GatewayIntentBits.DirectMessages],
      partials: [Partials.Channel],
      rest: { api: sim.apiUrl },
    });
    const seen: Message[] = [];
    dmClient.on('messageCreate', (m) => seen.push(m));
    const ready = new Promise<void>((resolve) => dmClient.once('clientReady', () => resolve()));
    await dmClient.login(TOKEN);
    await ready;
    try {
      const dm = await control(sim, 'POST', '/__discord/messages', { dm: true, content: 'halt trading' });
      const m = await waitFor(() => seen.find((x) => x.id === dm.body.id), 'the DM');
      expect([m.channel.isDMBased(), m.guildId, m.content]).toEqual([true, null, 'halt trading']);
      const sent = await dmClient.users.send(DEFAULT_IDS.operator, 'Trading halted');
      expect(sent.channelId).toBe(dm.body.channelId);
      const listed = await botMessages(sim, dm.body.channelId);
      expect(listed.map((x) => x.content)).toEqual(['Trading halted']);
    } finally {
      await dmClient.destroy();
    }
  });
});

describe('slash command and approve button', () => {
  let commandInteraction: ChatInputCommandInteraction;
  let buttonMessageId: string;

  it('a slash command arrives with its options and interaction.reply() posts the approve button', async () => {
    onInteraction = async (i) => {
      if (i.isChatInputCommand() && i.commandName === 'trade')
        await i.reply({
          content: `Open ${i.options.getString('symbol')} x${i.options.getInteger('quantity')}?`,
          components: [approveRow()],
        });
    };
    const started = await runCommand({ command: 'trade', options: { symbol: 'SPY', quantity: 2 } });
    expect(started.status).toBe(201);
    const i = await waitFor(() => interactions.find((x) => x.id === started.body.id), 'the command interaction');
    expect(i.isChatInputCommand()).toBe(true);
    commandInteraction = i as ChatInputCommandInteraction;
    expect(commandInteraction.user.id).toBe(DEFAULT_IDS.operator);
    expect(commandInteraction.channelId).toBe(channelId);
    const state = await waitFor(async () => {
      const s = await interactionState(started.body.id);
      return s.callbackType !== null && s;
    }, 'the reply');
    expect(state.callbackType).toBe(4);
    const listed = (await botMessages(sim, channelId)).find((x) => x.id === state.responseMessageId);
    buttonMessageId = listed.id;
    expect(listed.kind).toBe('interaction-response');
    expect(listed.content).toBe('Open SPY x2?');
    expect(listed.message.type).toBe(20);
    expect(listed.message.interaction_metadata).toMatchObject({ id: started.body.id, type: 2, name: 'trade' });
    expect(
      listed.components[0].components.map((b: { custom_id: string; style: number }) => [b.custom_id, b.style]),
    ).toEqual([
      ['approve:42', ButtonStyle.Success],
      ['reject:42', ButtonStyle.Danger],
    ]);
  });

  it('a click is a button interaction and interaction.update() replaces the message', async () => {
    onInteraction = async (i) => {
      if (i.isButton()) await i.update({ content: `Approved by <@${i.user.id}>`, components: [approveRow(true)] });
    };
    const click = await control(sim, 'POST', '/__discord/interactions', {
      messageId: buttonMessageId,
      customId: 'approve:42',
    });
    expect(click.status).toBe(201);
    const i = (await waitFor(() => interactions.find((x) => x.id === click.body.id), 'the click')) as ButtonInteraction;
    expect(i.isButton()).toBe(true);
    expect(i.customId).toBe('approve:42');
    expect(i.message.id).toBe(buttonMessageId);
    await waitFor(async () => (await interactionState(click.body.id)).callbackType === 7, 'the update');
    const listed = (await botMessages(sim, channelId)).find((x) => x.id === buttonMessageId);
    expect(listed.content).toBe(`Approved by <@${DEFAULT_IDS.operator}>`);
    expect(listed.components[0].components.every((b: { disabled: boolean }) => b.disabled)).toBe(true);
  });

  it('deferReply() then editReply() and followUp(): a loading message answered, then a followup', async () => {
    onInteraction = async (i) => {
      if (!i.isChatInputCommand() || i.commandName !== 'status') return;
      await i.deferReply();
      await i.editReply('Status: 2 open trades');
      await i.followUp('Next scan at 10:00');
    };
    const started = await runCommand({ command: 'status' });
    const state = await waitFor(async () => {
      const s = await interactionState(started.body.id);
      return s.followupIds.length === 1 && s;
    }, 'the followup');
    expect(state.callbackType).toBe(5);
    expect(state.loading).toBe(false);
    const listed = await botMessages(sim, channelId);
    const original = listed.find((x) => x.id === state.responseMessageId);
    const followup = listed.find((x) => x.id === state.followupIds[0]);
    expect([original.kind, original.content, original.loading]).toEqual([
      'interaction-response',
      'Status: 2 open trades',
      false,
    ]);
    expect([followup.kind, followup.content, followup.interactionId]).toEqual([
      'followup',
      'Next scan at 10:00',
      started.body.id,
    ]);
  });

  it('an ephemeral reply is listed as ephemeral and a deferUpdate()+editReply() edits the button message', async () => {
    const channel = client.channels.cache.get(channelId) as unknown as { send: (o: unknown) => Promise<Message> };
    const prompt = await channel.send({ content: 'Close trade 9?', components: [approveRow()] });
    onInteraction = async (i) => {
      if (!i.isButton()) return;
      if (i.customId === 'reject:42') return i.reply({ content: 'Only you see this', flags: 64 });
      await i.deferUpdate();
      await i.editReply({ content: 'Closing trade 9', components: [] });
    };
    const reject = await control(sim, 'POST', '/__discord/interactions', {
      messageId: prompt.id,
      customId: 'reject:42',
    });
    const approve = await control(sim, 'POST', '/__discord/interactions', {
      messageId: prompt.id,
      customId: 'approve:42',
    });
    await waitFor(async () => (await interactionState(reject.body.id)).callbackType === 4, 'the ephemeral reply');
    await waitFor(async () => {
      const m = (await botMessages(sim, channelId)).find((x) => x.id === prompt.id);
      return m.content === 'Closing trade 9' && m;
    }, 'the edit after deferUpdate');
    expect((await interactionState(approve.body.id)).callbackType).toBe(6);
    const ephemeral = (await botMessages(sim, channelId)).find((x) => x.interactionId === reject.body.id);
    expect([ephemeral.ephemeral, ephemeral.content, ephemeral.replyTo]).toEqual([true, 'Only you see this', prompt.id]);
  });

  it('the server refuses what a user could not send: an unregistered command, a missing or invalid option', async () => {
    expect((await runCommand({ command: 'nope' })).status).toBe(404);
    const missing = await runCommand({ command: 'trade', options: { quantity: 1 } });
    expect([missing.status, missing.body.error]).toEqual([400, '/trade: option "symbol" is required']);
    const bounds = await runCommand({ command: 'trade', options: { symbol: 'SPY', quantity: 11 } });
    expect([bounds.status, bounds.body.error]).toEqual([400, '/trade: option "quantity": above the maximum 10']);
  });
});
