/**
 * Public types of the fake Discord server (gateway + REST on loopback) that
 * the real discord.js Client talks to. See server.ts for the behaviour.
 */

export interface FakeMember {
  userId: string;
  username?: string;
  /** Display name (user.global_name); null when absent, as for most accounts. */
  globalName?: string;
  /** Role ids. A role the guild does not have yet is created (GUILD_ROLE_CREATE) before the interaction is sent. */
  roles?: string[];
}

export interface FakeDiscordOptions {
  token?: string;
  applicationId?: string;
  botUserId?: string;
  guildId?: string;
  /** Text channels (type 0) of the guild; one is made up when absent. */
  channelIds?: string[];
  /** Role ids of the guild besides @everyone (whose id is the guild id) and the bot's managed role. */
  roles?: string[];
  /** HELLO heartbeat_interval in ms (Discord: 41250). Default 1000. */
  heartbeatIntervalMs?: number;
  /** How long an interaction may go unanswered before its callback is refused with 10062 (Discord: 3000). Default 3000. */
  interactionTimeoutMs?: number;
}

export interface FakeAttachment {
  id: string;
  filename: string;
  size: number;
  contentType: string;
  data: Buffer;
}

export interface FakeMessage {
  id: string;
  channelId: string;
  content: string;
  /** Raw API JSON as Discord echoes it (Discord adds `type: 'rich'` when absent). */
  embeds: Record<string, unknown>[];
  /** Raw API JSON as sent. */
  components: Record<string, unknown>[];
  /** 64 = ephemeral, 128 = loading (a deferred reply not yet edited). */
  flags: number;
  attachments: FakeAttachment[];
}

export interface FakeInteraction {
  readonly id: string;
  readonly token: string;
  /** Resolves with the first callback (type 4 reply, 5 deferred reply, 6 deferred update, 7 update message, 8 autocomplete, 9 modal), with its data (content, embeds, components, flags — 64 = ephemeral). Rejects after timeoutMs (default 5000). */
  acknowledged(timeoutMs?: number): Promise<{ type: number; data: Record<string, unknown> | null }>;
  /**
   * The interaction's visible answer now: the original response as last edited, or null
   * (not acknowledged, autocomplete/modal, or deleted). After a deferred reply (5) it is the
   * loading message (flags 128, empty content) until edited; for a component interaction
   * answered with 6 or 7 it is the clicked message.
   */
  response(): FakeMessage | null;
  /**
   * Resolves when the original response has been created or edited at least `n` times in total:
   * reply (4) = 1, update message (7) = 1, each @original edit +1, the follow-up that replaces a
   * deferred reply's loading message +1. A deferral (5, 6) by itself counts 0. Rejects after timeoutMs (default 5000).
   */
  waitForEdits(n: number, timeoutMs?: number): Promise<FakeMessage>;
  /** Follow-up messages (POST /webhooks/{app}/{token}), as last edited; deleted ones are left out. */
  followUps(): FakeMessage[];
  /** Makes the interaction's 3 s window pass now: an unanswered interaction then refuses callbacks with 10062. */
  expire(): void;
}

export interface SlashCommandInput {
  name: string;
  options?: Record<string, string | number | boolean>;
  subcommand?: string;
  subcommandGroup?: string;
  member: FakeMember;
  channelId?: string;
}

export interface ButtonClickInput {
  customId: string;
  messageId: string;
  channelId?: string;
  member: FakeMember;
}

export interface AutocompleteInput {
  name: string;
  /** The focused option's name. */
  focused: string;
  /** What the user has typed so far (Discord sends it as a string whatever the option type). */
  value: string;
  member: FakeMember;
  subcommand?: string;
  /** Other options already filled in. */
  options?: Record<string, string | number | boolean>;
  channelId?: string;
  timeoutMs?: number;
}

export interface RequestRecord {
  method: string;
  /** Path after /api/v10, without the query string, e.g. /channels/1/messages. */
  path: string;
  status: number;
}

export interface FailOptions {
  /** retry_after (seconds, body and Retry-After header) for 429; default 0.05. */
  retryAfter?: number;
  /** Replaces the JSON error body. */
  body?: unknown;
}

export interface RegisteredCommands {
  scope: 'global' | 'guild';
  commands: unknown[];
}

export interface FakeDiscord {
  readonly token: string;
  readonly applicationId: string;
  readonly guildId: string;
  readonly botUserId: string;
  readonly channelIds: readonly string[];
  start(): Promise<{ apiUrl: string /* http://127.0.0.1:PORT/api, what DISCORD_API_URL is set to */ }>;
  stop(): Promise<void>;
  /** Resolves once a client has identified and been sent READY + GUILD_CREATE. */
  ready(): Promise<void>;
  /** Dispatches INTERACTION_CREATE for a slash command (type 2). */
  slashCommand(input: SlashCommandInput): FakeInteraction;
  /** Dispatches INTERACTION_CREATE for a button click (type 3, component_type 2) on a message. */
  clickButton(input: ButtonClickInput): FakeInteraction;
  /** Dispatches an autocomplete interaction (type 4) for a focused option; resolves with the choices the bot answered. */
  autocomplete(input: AutocompleteInput): Promise<{ name: string; value: string }[]>;
  /** Every non-ephemeral message in a channel (or all channels), with its current (edited) content. */
  messages(channelId?: string): FakeMessage[];
  /** Commands as Discord stores them after the last write (PUT bulk overwrite, POST, PATCH, DELETE), with that write's scope. */
  registeredCommands(): RegisteredCommands | null;
  /** Make the REST API fail: the next `times` requests matching method ('*' = any) + path prefix answer `status`. */
  failNext(method: string, pathPrefix: string, status: number, times?: number, options?: FailOptions): void;
  /** Every REST request seen (method, path, status answered), for assertions. */
  requests(): RequestRecord[];
  /** Gateway heartbeats received so far (all sessions); each was answered with HEARTBEAT_ACK. */
  heartbeats(): number;
  /** Resolves once `n` heartbeats in total have been received. */
  waitForHeartbeats(n: number, timeoutMs?: number): Promise<number>;
  /** Errors thrown inside the fake itself (answered 500 `{ code: 0 }`); a test can assert it stays empty. */
  internalErrors(): unknown[];
}
