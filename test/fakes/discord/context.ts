/** What the REST handlers share: the world, the live interactions, and the gateway to announce changes on. */
import type { InteractionRecord } from './interaction.js';
import type { StoredMessage, World } from './model.js';

/** Gateway intents (https://discord.com/developers/docs/events/gateway#gateway-intents). */
export const Intent = { Guilds: 1 << 0, GuildMessages: 1 << 9 } as const;

export interface Reply {
  status: number;
  json?: unknown;
  headers?: Record<string, string>;
  raw?: { body: Buffer; contentType: string };
}

export interface Context {
  world: World;
  interactions: Map<string, InteractionRecord>;
  byToken: Map<string, InteractionRecord>;
  /** Sends a dispatch to every identified session (that asked for `intent`, when given). */
  dispatch(event: string, data: unknown, intent?: number): void;
}

const isVisible = (m: StoredMessage) => (m.flags & 64) === 0;

/** MESSAGE_CREATE / UPDATE / DELETE for a channel message (never for ephemeral ones), to sessions with GUILD_MESSAGES. */
export function announce(ctx: Context, event: 'MESSAGE_CREATE' | 'MESSAGE_UPDATE' | 'MESSAGE_DELETE', message: StoredMessage): void {
  if (!isVisible(message)) return;
  const data =
    event === 'MESSAGE_DELETE' ? { id: message.id, channel_id: message.channelId, guild_id: ctx.world.guildId } : ctx.world.messageJson(message, true);
  ctx.dispatch(event, data, Intent.GuildMessages);
}

export const json = (data: unknown, status = 200): Reply => ({ status, json: data });
export const noContent = (): Reply => ({ status: 204 });
