/**
 * A fake Discord on 127.0.0.1 — REST under /api/v10 and the gateway WebSocket on one port — that the real
 * discord.js Client logs in to: `new Client({ intents, rest: { api: apiUrl } })`, `client.login(fake.token)`.
 *
 * What it holds to, as Discord does:
 * - login: GET /gateway/bot (bot token) → ws://…/gateway; HELLO, heartbeats acknowledged, IDENTIFY (token checked,
 *   4004 otherwise) → READY (the guild unavailable) + GUILD_CREATE (text channels, roles, the bot's member).
 * - interactions: one callback within the window (400 40060 for a second, 404 10062 when late or unknown);
 *   @original and follow-ups only after it (404 10015 before); type 7 and 6-then-edit change the clicked message;
 *   the first follow-up after a deferred reply replaces the loading message.
 * - messages: snowflake ids, PATCH semantics on edit, Discord's limits (50035 with its errors tree, 50006 empty, 413),
 *   attachments from multipart payload_json + files[n], served back at their URL.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Context, Intent } from './context.js';
import { Gateway } from './gateway.js';
import { InteractionKind, InteractionRecord } from './interaction.js';
import { World } from './model.js';
import { buttonData, commandData, interactionPayload } from './payloads.js';
import { RestApi } from './rest.js';
import { snowflake } from './snowflake.js';
import type {
  AutocompleteInput,
  ButtonClickInput,
  FailOptions,
  FakeDiscord,
  FakeDiscordOptions,
  FakeInteraction,
  FakeMember,
  FakeMessage,
  RegisteredCommands,
  RequestRecord,
  SlashCommandInput,
} from './types.js';

class FakeDiscordServer implements FakeDiscord {
  readonly token: string;
  readonly applicationId: string;
  readonly guildId: string;
  readonly botUserId: string;
  readonly channelIds: readonly string[];
  private readonly world: World;
  private readonly ctx: Context;
  private readonly gateway: Gateway;
  private readonly rest: RestApi;
  private readonly interactionTimeoutMs: number;
  private server: Server | null = null;
  private port = 0;
  private stopped = false;

  constructor(options: FakeDiscordOptions) {
    this.botUserId = options.botUserId ?? snowflake();
    this.applicationId = options.applicationId ?? this.botUserId;
    this.guildId = options.guildId ?? snowflake();
    this.channelIds = options.channelIds && options.channelIds.length > 0 ? [...options.channelIds] : [snowflake()];
    this.token = options.token ?? `${Buffer.from(this.botUserId).toString('base64url')}.FakeDc.${randomBytes(27).toString('base64url')}`;
    this.interactionTimeoutMs = options.interactionTimeoutMs ?? 3000;
    this.world = new World(this.applicationId, this.botUserId, this.guildId, this.channelIds, options.roles ?? []);
    const gatewayUrl = () => `ws://127.0.0.1:${this.port}/gateway`;
    this.gateway = new Gateway(this.world, this.token, options.heartbeatIntervalMs ?? 1000, gatewayUrl);
    this.ctx = {
      world: this.world,
      interactions: new Map(),
      byToken: new Map(),
      dispatch: (event, data, intent) => void this.gateway.dispatch(event, data, intent),
    };
    this.rest = new RestApi(this.ctx, this.token, gatewayUrl);
  }

  async start(): Promise<{ apiUrl: string }> {
    if (this.server) throw new Error('fake discord: already started');
    const server = createServer((req, res) => {
      this.rest.handle(req, res).catch((error: unknown) => {
        this.rest.internalErrors.push(error);
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
    server.on('upgrade', (req, socket, head) => this.gateway.handleUpgrade(req, socket, head));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.world.baseUrl = `http://127.0.0.1:${this.port}`;
    return { apiUrl: `http://127.0.0.1:${this.port}/api` };
  }

  async stop(): Promise<void> {
    if (this.stopped || !this.server) return;
    this.stopped = true;
    const server = this.server;
    await this.gateway.close();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  ready(): Promise<void> {
    return this.gateway.ready();
  }

  heartbeats(): number {
    return this.gateway.heartbeats();
  }

  waitForHeartbeats(n: number, timeoutMs = 5000): Promise<number> {
    return this.gateway.waitForHeartbeats(n, timeoutMs);
  }

  internalErrors(): unknown[] {
    return [...this.rest.internalErrors];
  }

  private requireSession(): void {
    if (this.gateway.live() === 0) throw new Error('fake discord: no gateway session has identified (log a client in and await ready() first)');
  }

  private channel(channelId: string | undefined): string {
    const id = channelId ?? this.channelIds[0];
    if (!id || !this.world.channels.has(id)) throw new Error(`fake discord: unknown channel ${String(id)} (channels: ${this.channelIds.join(', ')})`);
    return id;
  }

  /** Records the member; a role the guild did not have is created first, as GUILD_ROLE_CREATE. */
  private admit(member: FakeMember): void {
    for (const id of this.world.upsertMember(member)) {
      const role = this.world.addRole(id);
      this.gateway.dispatch('GUILD_ROLE_CREATE', { guild_id: this.guildId, role: this.world.roleJson(role) }, Intent.Guilds);
    }
  }

  private send(record: InteractionRecord, data: Record<string, unknown>): void {
    this.ctx.interactions.set(record.id, record);
    this.ctx.byToken.set(record.token, record);
    this.gateway.dispatch('INTERACTION_CREATE', interactionPayload(this.world, record, data));
  }

  slashCommand(input: SlashCommandInput): FakeInteraction {
    this.requireSession();
    const channelId = this.channel(input.channelId);
    this.admit(input.member);
    const data = commandData(this.world, input);
    const record = new InteractionRecord(
      this.world,
      InteractionKind.ApplicationCommand,
      channelId,
      input.member.userId,
      input.name,
      null,
      this.interactionTimeoutMs,
    );
    this.send(record, data);
    return record;
  }

  clickButton(input: ButtonClickInput): FakeInteraction {
    this.requireSession();
    const message = this.world.messages.get(input.messageId);
    if (!message || message.deleted) throw new Error(`fake discord: no message ${input.messageId} to click a button on`);
    const channelId = this.channel(input.channelId ?? message.channelId);
    this.admit(input.member);
    const record = new InteractionRecord(
      this.world,
      InteractionKind.MessageComponent,
      channelId,
      input.member.userId,
      null,
      message,
      this.interactionTimeoutMs,
    );
    this.send(record, buttonData(record, input.customId));
    return record;
  }

  async autocomplete(input: AutocompleteInput): Promise<{ name: string; value: string }[]> {
    this.requireSession();
    const channelId = this.channel(input.channelId);
    this.admit(input.member);
    const data = commandData(this.world, { ...input, focused: { name: input.focused, value: input.value } });
    const record = new InteractionRecord(this.world, InteractionKind.Autocomplete, channelId, input.member.userId, input.name, null, this.interactionTimeoutMs);
    this.send(record, data);
    const ack = await record.acknowledged(input.timeoutMs);
    const choices = Array.isArray(ack.data?.['choices']) ? (ack.data['choices'] as Record<string, unknown>[]) : [];
    return choices.map((c) => ({ name: String(c['name']), value: String(c['value']) }));
  }

  messages(channelId?: string): FakeMessage[] {
    return [...this.world.messages.values()]
      .filter((m) => !m.deleted && !(m.flags & 64) && (channelId === undefined || m.channelId === channelId))
      .map((m) => this.world.fakeMessage(m));
  }

  registeredCommands(): RegisteredCommands | null {
    const scope = this.world.lastCommandScope;
    return scope ? { scope, commands: structuredClone(this.world.commands[scope]) } : null;
  }

  failNext(method: string, pathPrefix: string, status: number, times = 1, options: FailOptions = {}): void {
    this.rest.failNext(method, pathPrefix, status, times, options);
  }

  requests(): RequestRecord[] {
    return this.rest.requests();
  }
}

export function createFakeDiscord(options: FakeDiscordOptions = {}): FakeDiscord {
  return new FakeDiscordServer(options);
}
