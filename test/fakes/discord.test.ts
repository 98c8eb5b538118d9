/**
 * The fake Discord (test/fakes/discord) against the real discord.js Client: login over the gateway,
 * interactions answered through REST, channel messages with files, failures, command registration.
 */
import zlib from 'node:zlib';
import {
  ActionRowBuilder,
  AttachmentBuilder,
  ButtonBuilder,
  ButtonStyle,
  ChannelType,
  Client,
  DiscordAPIError,
  EmbedBuilder,
  GatewayIntentBits,
  GuildMember,
  HTTPError,
  type Interaction,
  MessageFlags,
  REST,
  Routes,
  SlashCommandBuilder,
  type TextChannel,
} from 'discord.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { createFakeDiscord, type FakeDiscord } from './discord/index.js';

const TRADER_ROLE = '300000000000000001';
const member = { userId: '100000000000000001', username: 'trader', roles: [TRADER_ROLE] };
// A 1x1 PNG.
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360f8cfc0f01f0005000201e2265c8a0000000049454e44ae426082',
  'hex',
);

let fake: FakeDiscord;
let apiUrl: string;
let client: Client;
let channelId: string;
let handler: (interaction: Interaction) => Promise<void> = async () => {};
const stray: unknown[] = [];

/** The next interaction the client receives is handed to `fn`; resolves with what it returns (or rejects with what it throws). */
function handleNext<T>(fn: (interaction: Interaction) => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    handler = async (interaction) => {
      handler = async () => {};
      try {
        resolve(await fn(interaction));
      } catch (error) {
        reject(error as Error);
      }
    };
  });
}

function channel(): TextChannel {
  const found = client.channels.cache.get(channelId);
  if (!found || found.type !== ChannelType.GuildText) throw new Error('text channel not cached');
  return found;
}

const rowOf = (...buttons: ButtonBuilder[]) => new ActionRowBuilder<ButtonBuilder>().addComponents(...buttons);
const button = (customId: string, label: string) => new ButtonBuilder().setCustomId(customId).setLabel(label).setStyle(ButtonStyle.Primary);

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

beforeAll(async () => {
  fake = createFakeDiscord({ heartbeatIntervalMs: 200, roles: [TRADER_ROLE] });
  ({ apiUrl } = await fake.start());
  channelId = fake.channelIds[0]!;
  client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: apiUrl, timeout: 2000 } });
  client.on('interactionCreate', (interaction) => {
    handler(interaction).catch((error: unknown) => stray.push(error));
  });
  const ready = new Promise<void>((resolve) => client.once('clientReady', () => resolve()));
  await client.login(fake.token);
  await Promise.all([ready, fake.ready()]);
});

afterAll(async () => {
  await client?.destroy();
  await fake?.stop();
  expect(stray).toEqual([]);
  expect(fake.internalErrors()).toEqual([]);
});

describe('gateway', () => {
  it('logs the client in: READY + GUILD_CREATE fill its caches, heartbeats are acknowledged', async () => {
    expect(client.user?.id).toBe(fake.botUserId);
    expect(client.user?.bot).toBe(true);
    expect(client.application?.id).toBe(fake.applicationId);
    const guild = client.guilds.cache.get(fake.guildId);
    expect(guild?.available).toBe(true);
    expect(guild?.channels.cache.get(channelId)?.type).toBe(ChannelType.GuildText);
    expect(guild?.roles.everyone.id).toBe(fake.guildId);
    expect(guild?.roles.cache.has(TRADER_ROLE)).toBe(true);
    expect(guild?.members.me?.permissions.has('Administrator')).toBe(true);
    const paths = fake.requests().map((r) => `${r.method} ${r.path} ${r.status}`);
    expect(paths[0]).toBe('GET /gateway/bot 200');
    await fake.waitForHeartbeats(1, 1500);
    await vi.waitFor(() => expect(client.ws.ping).toBeGreaterThanOrEqual(0), { timeout: 1500 });
  });

  it('speaks the protocol to a raw socket: HELLO, HEARTBEAT_ACK, 4004 on a bad token; zlib-stream when asked', async () => {
    const url = `${apiUrl.replace('http', 'ws').replace('/api', '/gateway')}?v=10&encoding=json`;
    // Plain JSON: a bad token closes 4004.
    const plain = new WebSocket(url);
    const received: { op: number; d: unknown }[] = [];
    const closed = new Promise<number>((resolve) => plain.on('close', (code) => resolve(code)));
    plain.on('message', (data) => {
      const payload = JSON.parse(String(data)) as { op: number; d: unknown };
      received.push(payload);
      if (payload.op === 10) plain.send(JSON.stringify({ op: 1, d: null }));
      if (payload.op === 11) plain.send(JSON.stringify({ op: 2, d: { token: 'wrong', intents: 1, properties: {} } }));
    });
    expect(await closed).toBe(4004);
    expect(received.map((p) => p.op)).toEqual([10, 11]);
    expect(received[0]?.d).toMatchObject({ heartbeat_interval: 200 });

    // zlib-stream: every frame ends with Z_SYNC_FLUSH and inflates, in one shared context, to one payload.
    const compressed = new WebSocket(`${url}&compress=zlib-stream`);
    const inflate = zlib.createInflate();
    let chunks: Buffer[] = [];
    inflate.on('data', (chunk: Buffer) => chunks.push(chunk));
    const tails: number[][] = [];
    const events: string[] = [];
    const done = new Promise<void>((resolve, reject) => {
      compressed.on('error', reject);
      compressed.on('message', (data, isBinary) => {
        const frame = data as Buffer;
        tails.push([Number(isBinary), ...frame.subarray(-4)]);
        inflate.write(frame);
        inflate.flush(zlib.constants.Z_SYNC_FLUSH, () => {
          const payload = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { op: number; t: string | null };
          chunks = [];
          if (payload.op === 10) compressed.send(JSON.stringify({ op: 2, d: { token: fake.token, intents: 1, properties: {} } }));
          if (payload.t) events.push(payload.t);
          if (payload.t === 'GUILD_CREATE') resolve();
        });
      });
    });
    await done;
    expect(events).toEqual(['READY', 'GUILD_CREATE']);
    expect(tails).toEqual(Array.from({ length: 3 }, () => [1, 0, 0, 255, 255]));
    const gone = new Promise((resolve) => compressed.on('close', resolve));
    compressed.close(1000);
    await gone;
    inflate.destroy();
  });
});

describe('slash commands', () => {
  it('dispatches a command the client handles and records its reply', async () => {
    const seen = handleNext(async (i) => {
      if (!i.isChatInputCommand() || !i.inCachedGuild()) throw new Error(`unexpected interaction ${i.type}`);
      await i.reply({ content: `${i.options.getString('symbol')} x${i.options.getInteger('qty')} buy=${i.options.getBoolean('buy')}` });
      return {
        name: i.commandName,
        user: i.user.username,
        roles: [...i.member.roles.cache.keys()].filter((id) => id !== i.guildId), // discord.js adds @everyone
        isMember: i.member instanceof GuildMember,
        channel: i.channel?.id,
        guild: i.guildId,
        locale: i.locale,
        canSend: i.appPermissions.has('SendMessages'),
      };
    });
    const interaction = fake.slashCommand({ name: 'quote', options: { symbol: 'AAPL', qty: 5, buy: true }, member });
    const ack = await interaction.acknowledged();
    expect(ack).toMatchObject({ type: 4, data: { content: 'AAPL x5 buy=true' } });
    expect(await seen).toEqual({
      name: 'quote',
      user: 'trader',
      roles: [TRADER_ROLE],
      isMember: true,
      channel: channelId,
      guild: fake.guildId,
      locale: 'en-US',
      canSend: true,
    });
    const reply = interaction.response();
    expect(reply).toMatchObject({ channelId, content: 'AAPL x5 buy=true', flags: 0 });
    expect(fake.messages(channelId).at(-1)?.id).toBe(reply?.id);
    expect(fake.requests().at(-1)).toEqual({ method: 'POST', path: `/interactions/${interaction.id}/${interaction.token}/callback`, status: 204 });
  });

  it('passes subcommands, and creates a role the guild did not have before the interaction arrives', async () => {
    const seen = handleNext(async (i) => {
      if (!i.isChatInputCommand() || !i.inCachedGuild()) throw new Error('unexpected interaction');
      await i.reply('ok');
      return {
        sub: i.options.getSubcommand(),
        symbol: i.options.getString('symbol'),
        limit: i.options.getNumber('limit'),
        roles: [...i.member.roles.cache.keys()].filter((id) => id !== i.guildId),
      };
    });
    fake.slashCommand({
      name: 'sim',
      subcommand: 'price',
      options: { symbol: 'MSFT', limit: 410.5 },
      member: { userId: '100000000000000002', roles: ['300000000000000009'] },
    });
    expect(await seen).toEqual({ sub: 'price', symbol: 'MSFT', limit: 410.5, roles: ['300000000000000009'] });
  });

  it('counts a deferred reply and its edits', async () => {
    const done = handleNext(async (i) => {
      if (!i.isChatInputCommand()) throw new Error('unexpected interaction');
      await i.deferReply();
      await i.editReply('working…');
      await i.editReply({ content: 'done', embeds: [new EmbedBuilder().setTitle('Result').addFields({ name: 'P&L', value: '+1.5%' })] });
      return (await i.fetchReply()).content;
    });
    const interaction = fake.slashCommand({ name: 'status', member });
    expect(await interaction.acknowledged()).toEqual({ type: 5, data: { flags: 0 } });
    const final = await interaction.waitForEdits(2);
    expect(await done).toBe('done');
    expect(final.content).toBe('done');
    expect(final.flags & 128).toBe(0);
    expect(final.embeds[0]).toMatchObject({ type: 'rich', title: 'Result', fields: [{ name: 'P&L', value: '+1.5%' }] });
    expect(fake.messages(channelId).filter((m) => m.id === final.id)).toHaveLength(1);
  });

  it('shows a deferral as a loading message until it is edited', async () => {
    let open!: () => void;
    const release = { promise: new Promise<void>((resolve) => (open = resolve)) };
    const done = handleNext(async (i) => {
      if (!i.isChatInputCommand()) throw new Error('unexpected interaction');
      await i.deferReply();
      await release.promise;
      await i.editReply('finally');
    });
    const interaction = fake.slashCommand({ name: 'report', member });
    await interaction.acknowledged();
    expect(interaction.response()).toMatchObject({ content: '', flags: 128 });
    open();
    expect((await interaction.waitForEdits(1)).content).toBe('finally');
    await done;
  });

  it('keeps ephemeral replies out of the channel', async () => {
    const done = handleNext(async (i) => {
      if (!i.isChatInputCommand()) throw new Error('unexpected interaction');
      const answer = await i.reply({ content: 'only you', flags: MessageFlags.Ephemeral, withResponse: true });
      return answer.resource?.message?.id;
    });
    const interaction = fake.slashCommand({ name: 'account', member });
    const ack = await interaction.acknowledged();
    const messageId = await done;
    expect(Number(ack.data?.['flags']) & 64).toBe(64);
    const reply = interaction.response();
    expect(reply).toMatchObject({ id: messageId, content: 'only you', flags: 64 });
    expect(fake.messages(channelId).some((m) => m.id === reply?.id)).toBe(false);
  });

  it('answers a private view the way the front end does: defer, delete the reply, ephemeral follow-up', async () => {
    const done = handleNext(async (i) => {
      if (!i.isChatInputCommand()) throw new Error('unexpected interaction');
      await i.deferReply();
      await i.deleteReply();
      await i.followUp({ content: 'private answer', flags: MessageFlags.Ephemeral });
    });
    const interaction = fake.slashCommand({ name: 'positions', member });
    await done;
    expect(interaction.response()).toBeNull();
    expect(interaction.followUps()).toMatchObject([{ content: 'private answer', flags: 64 }]);
    expect(fake.messages(channelId).some((m) => m.content === 'private answer')).toBe(false);
  });

  it('lets the first follow-up after a deferral replace the loading message, keeping the deferral ephemeral', async () => {
    const done = handleNext(async (i) => {
      if (!i.isChatInputCommand()) throw new Error('unexpected interaction');
      await i.deferReply({ flags: MessageFlags.Ephemeral });
      await i.followUp('first');
      await i.followUp('second');
    });
    const interaction = fake.slashCommand({ name: 'orders', member });
    await done;
    const original = interaction.response();
    expect(original).toMatchObject({ content: 'first', flags: 64 });
    expect(interaction.followUps().map((m) => [m.id === original?.id, m.content, m.flags])).toEqual([
      [true, 'first', 64],
      [false, 'second', 0],
    ]);
  });

  it('refuses a second acknowledgement with 40060', async () => {
    const outcome = handleNext(async (i) => {
      if (!i.isChatInputCommand()) throw new Error('unexpected interaction');
      await i.reply('first');
      // discord.js guards its own object; a second reply over the wire (another process, a retry) is refused by Discord.
      const local = await rejection(i.reply('again'));
      const wire = await rejection(
        i.client.rest.post(Routes.interactionCallback(i.id, i.token), { body: { type: 4, data: { content: 'again' } }, auth: false }),
      );
      return { local, wire };
    });
    const interaction = fake.slashCommand({ name: 'halt', member });
    const { local, wire } = await outcome;
    expect(local).toMatchObject({ code: 'InteractionAlreadyReplied' });
    expect(wire).toBeInstanceOf(DiscordAPIError);
    expect(wire).toMatchObject({ code: 40060, status: 400, message: 'Interaction has already been acknowledged.' });
    expect(interaction.response()?.content).toBe('first');
  });

  it('rejects one of two racing replies with DiscordAPIError 40060', async () => {
    const outcome = handleNext(async (i) => {
      if (!i.isChatInputCommand()) throw new Error('unexpected interaction');
      return Promise.allSettled([i.reply('one'), i.reply('two')]);
    });
    const interaction = fake.slashCommand({ name: 'resume', member });
    const results = await outcome;
    const rejected = results.filter((r) => r.status === 'rejected');
    expect(rejected).toHaveLength(1);
    expect((rejected[0] as PromiseRejectedResult).reason).toBeInstanceOf(DiscordAPIError);
    expect((rejected[0] as PromiseRejectedResult).reason).toMatchObject({ code: 40060 });
    expect(['one', 'two']).toContain(interaction.response()?.content);
  });

  it('refuses late and unknown interactions with 10062, and @original / follow-ups before the acknowledgement with 10015', async () => {
    const outcome = handleNext(async (i) => {
      if (!i.isChatInputCommand()) throw new Error('unexpected interaction');
      const early = await rejection(i.webhook.editMessage('@original', { content: 'too early' }));
      const earlyFollowUp = await rejection(i.webhook.send({ content: 'too early' }));
      handle.expire(); // read after the awaits above, so `handle` is assigned by then
      const late = await rejection(i.reply('too late'));
      const unknown = await rejection(i.client.rest.post(Routes.interactionCallback('1', 'nope'), { body: { type: 4, data: { content: 'x' } }, auth: false }));
      return { early, earlyFollowUp, late, unknown };
    });
    const handle = fake.slashCommand({ name: 'flatten', member });
    const { early, earlyFollowUp, late, unknown } = await outcome;
    expect(early).toMatchObject({ code: 10015, status: 404, message: 'Unknown Webhook' });
    expect(earlyFollowUp).toMatchObject({ code: 10015 });
    expect(late).toBeInstanceOf(DiscordAPIError);
    expect(late).toMatchObject({ code: 10062, status: 404, message: 'Unknown interaction' });
    expect(unknown).toMatchObject({ code: 10062 });
    expect(handle.response()).toBeNull();
  });

  it('holds replies to Discord limits (50035 with its errors tree) and leaves the interaction answerable', async () => {
    const outcome = handleNext(async (i) => {
      if (!i.isChatInputCommand()) throw new Error('unexpected interaction');
      const tooLong = await rejection(i.reply('x'.repeat(2001)));
      await i.reply('short');
      return tooLong;
    });
    const interaction = fake.slashCommand({ name: 'stats', member });
    const error = await outcome;
    expect(error).toMatchObject({ code: 50035, status: 400 });
    expect((error as DiscordAPIError).rawError).toMatchObject({ errors: { data: { content: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH' }] } } } });
    expect(interaction.response()?.content).toBe('short');
  });
});

describe('buttons', () => {
  it('edits the clicked message on update (type 7)', async () => {
    const sent = await channel().send({ content: 'Signal AAPL', components: [rowOf(button('approve:1', 'Approve'), button('reject:1', 'Reject'))] });
    const seen = handleNext(async (i) => {
      if (!i.isButton()) throw new Error('unexpected interaction');
      await i.update({ content: `Approved by ${i.user.username}`, components: [] });
      return { customId: i.customId, message: i.message.id, content: i.message.content };
    });
    const click = fake.clickButton({ customId: 'approve:1', messageId: sent.id, member });
    expect(await click.acknowledged()).toMatchObject({ type: 7, data: { content: 'Approved by trader', components: [] } });
    expect(await seen).toEqual({ customId: 'approve:1', message: sent.id, content: 'Signal AAPL' });
    expect(fake.messages(channelId).find((m) => m.id === sent.id)).toMatchObject({ content: 'Approved by trader', components: [] });
    expect(click.response()?.id).toBe(sent.id);
    expect(() => fake.clickButton({ customId: 'nope', messageId: sent.id, member })).toThrow(/no button "nope"/);
  });

  it('edits the clicked message after a deferred update (6), and sends an ephemeral follow-up', async () => {
    const sent = await channel().send({ content: 'Signal MSFT', components: [rowOf(button('reject:2', 'Reject'))] });
    const done = handleNext(async (i) => {
      if (!i.isButton()) throw new Error('unexpected interaction');
      await i.deferUpdate();
      await i.editReply({ content: 'Rejected', components: [] });
      await i.followUp({ content: 'You rejected it', flags: MessageFlags.Ephemeral });
    });
    const click = fake.clickButton({ customId: 'reject:2', messageId: sent.id, member });
    expect(await click.acknowledged()).toEqual({ type: 6, data: null });
    const edited = await click.waitForEdits(1);
    await done;
    expect(edited).toMatchObject({ id: sent.id, content: 'Rejected', components: [] });
    expect(fake.messages(channelId).find((m) => m.id === sent.id)?.content).toBe('Rejected');
    expect(click.followUps()).toMatchObject([{ content: 'You rejected it', flags: 64 }]);
    expect(fake.messages(channelId).some((m) => m.content === 'You rejected it')).toBe(false);
  });
});

describe('channel messages', () => {
  it('records an embed and a PNG attachment sent as multipart, and serves the file back', async () => {
    const embed = new EmbedBuilder().setTitle('Chart').setDescription('AAPL 1d').setImage('attachment://chart.png');
    const sent = await channel().send({ content: 'daily report', embeds: [embed], files: [new AttachmentBuilder(PNG, { name: 'chart.png' })] });
    const stored = fake.messages(channelId).find((m) => m.id === sent.id);
    expect(stored).toMatchObject({ content: 'daily report', embeds: [{ title: 'Chart', description: 'AAPL 1d' }] });
    expect(stored?.attachments).toHaveLength(1);
    const [file] = stored?.attachments ?? [];
    expect(file).toMatchObject({ filename: 'chart.png', contentType: 'image/png', size: PNG.length });
    expect(file?.data.equals(PNG)).toBe(true);
    const url = sent.attachments.first()?.url ?? '';
    expect(String((stored?.embeds[0]?.['image'] as { url?: string } | undefined)?.url)).toBe(url);
    const served = await fetch(url);
    expect(Buffer.from(await served.arrayBuffer()).equals(PNG)).toBe(true);

    // Editing through the channel keeps what is not sent, replaces what is.
    const edited = await sent.edit({ content: 'daily report (updated)' });
    expect(edited.attachments.size).toBe(1);
    expect(fake.messages(channelId).find((m) => m.id === sent.id)).toMatchObject({ content: 'daily report (updated)', embeds: [{ title: 'Chart' }] });
    const fetched = await channel().messages.fetch({ message: sent.id, force: true });
    expect(fetched.content).toBe('daily report (updated)');
  });

  it('refuses an empty message with 50006', async () => {
    const error = await rejection(channel().send({ content: '' }));
    expect(error).toMatchObject({ code: 50006, message: 'Cannot send an empty message' });
  });
});

describe('REST failures', () => {
  it('answers scripted 500s: discord.js retries, then surfaces HTTPError', async () => {
    const path = `/channels/${channelId}/messages`;
    const before = fake.requests().length;
    fake.failNext('POST', path, 500, 4); // discord.js retries a 5xx `retries` (3) times
    const error = await rejection(channel().send('lost'));
    expect(error).toBeInstanceOf(HTTPError);
    expect(error).toMatchObject({ status: 500, method: 'POST' });
    fake.failNext('POST', path, 500, 1);
    await channel().send('kept after one retry');
    expect(
      fake
        .requests()
        .slice(before)
        .map((r) => `${r.method} ${r.path} ${r.status}`),
    ).toEqual([...Array<string>(4).fill(`POST ${path} 500`), `POST ${path} 500`, `POST ${path} 200`]);
    expect(fake.messages(channelId).some((m) => m.content === 'lost')).toBe(false);
  });

  it('answers a scripted 429 that discord.js waits out, and a scripted 4xx as DiscordAPIError', async () => {
    const path = `/channels/${channelId}/messages`;
    const before = fake.requests().length;
    fake.failNext('POST', path, 429, 1, { retryAfter: 0.05 });
    await channel().send('after the rate limit');
    expect(
      fake
        .requests()
        .slice(before)
        .map((r) => r.status),
    ).toEqual([429, 200]);
    fake.failNext('POST', path, 403, 1, { body: { message: 'Missing Permissions', code: 50013 } });
    expect(await rejection(channel().send('nope'))).toMatchObject({ code: 50013, status: 403 });
  });
});

describe('autocomplete', () => {
  it('returns the choices the client answers', async () => {
    handleNext(async (i) => {
      if (!i.isAutocomplete()) throw new Error('unexpected interaction');
      const focused = i.options.getFocused(true);
      await i.respond(
        ['AAPL', 'AMZN', 'MSFT'].filter((s) => s.startsWith(focused.value.toUpperCase())).map((s) => ({ name: `${s} (${focused.name})`, value: s })),
      );
    });
    const choices = await fake.autocomplete({ name: 'quote', focused: 'symbol', value: 'a', member });
    expect(choices).toEqual([
      { name: 'AAPL (symbol)', value: 'AAPL' },
      { name: 'AMZN (symbol)', value: 'AMZN' },
    ]);
  });
});

describe('command registration', () => {
  it('records a bulk overwrite and then types options by the registered definitions', async () => {
    const rest = new REST({ api: apiUrl }).setToken(fake.token);
    const body = [
      new SlashCommandBuilder()
        .setName('close')
        .setDescription('Close a position')
        .addStringOption((o) => o.setName('symbol').setDescription('Symbol').setRequired(true).setAutocomplete(true))
        .addNumberOption((o) => o.setName('limit').setDescription('Limit price'))
        .toJSON(),
      new SlashCommandBuilder().setName('help').setDescription('Help').toJSON(),
    ];
    const answer = (await rest.put(Routes.applicationGuildCommands(fake.applicationId, fake.guildId), { body })) as { id: string; name: string }[];
    rest.clearHashSweeper();
    rest.clearHandlerSweeper();
    const registered = fake.registeredCommands();
    expect(registered?.scope).toBe('guild');
    expect(registered?.commands).toMatchObject([
      {
        name: 'close',
        type: 1,
        guild_id: fake.guildId,
        application_id: fake.applicationId,
        options: [
          { name: 'symbol', type: 3 },
          { name: 'limit', type: 10 },
        ],
      },
      { name: 'help' },
    ]);
    expect(answer.map((c) => c.id)).toEqual((registered?.commands as { id: string }[]).map((c) => c.id));

    // 190 is an integer in JS; the registered definition says NUMBER, so discord.js reads it with getNumber.
    const seen = handleNext(async (i) => {
      if (!i.isChatInputCommand()) throw new Error('unexpected interaction');
      await i.reply('ok');
      return { id: i.commandId, limit: i.options.getNumber('limit') };
    });
    fake.slashCommand({ name: 'close', options: { symbol: 'AAPL', limit: 190 }, member });
    expect(await seen).toEqual({ id: answer[0]?.id, limit: 190 });
    expect(() => fake.slashCommand({ name: 'close', options: { qty: 1 }, member })).toThrow(/no option "qty"/);

    // The client's own manager uses the same route; invalid names are refused as Discord does.
    const set = await client.application?.commands.set([{ name: 'help', description: 'Help again' }], fake.guildId);
    expect(set?.first()?.id).toBe(answer[1]?.id);
    expect(fake.registeredCommands()?.commands).toHaveLength(1);
    const invalid = await rejection(client.application!.commands.set([{ name: 'Bad Name', description: 'x' }], fake.guildId));
    expect(invalid).toMatchObject({ code: 50035, status: 400 });
  });
});

describe('lifecycle', () => {
  const sockets = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'TCPServerWrap').length;

  it('refuses a wrong token, enforces the answer window in real time, and stops without leaving handles', async () => {
    const baseline = sockets();
    const other = createFakeDiscord({ interactionTimeoutMs: 100, heartbeatIntervalMs: 100 });
    const { apiUrl: otherApi } = await other.start();

    const bad = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: otherApi, timeout: 2000 } });
    expect(await rejection(bad.login('not-the-token'))).toMatchObject({ code: 'TokenInvalid' });
    expect(other.requests()).toEqual([{ method: 'GET', path: '/gateway/bot', status: 401 }]);

    const second = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: otherApi, timeout: 2000 } });
    const late = new Promise<unknown>((resolve) => {
      second.on('interactionCreate', (i) => {
        if (!i.isChatInputCommand()) return;
        setTimeout(() => void rejection(i.reply('too slow')).then(resolve), 150);
      });
    });
    await second.login(other.token);
    await other.ready();
    const interaction = other.slashCommand({ name: 'slow', member });
    expect(await late).toMatchObject({ code: 10062 });
    expect(interaction.response()).toBeNull();

    await second.destroy();
    await other.stop();
    await other.stop(); // idempotent
    await vi.waitFor(() => expect(sockets()).toBeLessThanOrEqual(baseline), { timeout: 1500 });
  });

  it('makes a client that is still logged in give up when stopped, instead of reconnecting', async () => {
    const other = createFakeDiscord();
    const { apiUrl: otherApi } = await other.start();
    const forgotten = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: otherApi, timeout: 2000 } });
    const disconnected = new Promise<number>((resolve) => forgotten.on('shardDisconnect', (event) => resolve(event.code)));
    forgotten.on('shardError', () => {}); // "Authentication failed", the 4004 that stop() closes with
    await forgotten.login(other.token);
    await other.stop();
    expect(await disconnected).toBe(4004);
    await forgotten.destroy();
  });
});
