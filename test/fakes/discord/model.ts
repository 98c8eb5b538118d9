/** The fake's world: one guild with text channels and roles, the bot, the users seen, and every message. */
import type { FakeAttachment, FakeMessage } from './types.js';
import { snowflake } from './snowflake.js';

/** Permission bits (https://discord.com/developers/docs/topics/permissions). */
export const Permission = {
  CreateInstantInvite: 1n << 0n,
  Administrator: 1n << 3n,
  AddReactions: 1n << 6n,
  ViewChannel: 1n << 10n,
  SendMessages: 1n << 11n,
  EmbedLinks: 1n << 14n,
  AttachFiles: 1n << 15n,
  ReadMessageHistory: 1n << 16n,
  UseExternalEmojis: 1n << 18n,
  ChangeNickname: 1n << 26n,
  UseApplicationCommands: 1n << 31n,
  SendMessagesInThreads: 1n << 38n,
} as const;

export const ALL_PERMISSIONS = (1n << 51n) - 1n;
export const EVERYONE_PERMISSIONS = Object.entries(Permission)
  .filter(([name]) => name !== 'Administrator')
  .reduce((bits, [, bit]) => bits | bit, 0n);

export const MessageFlag = { SuppressEmbeds: 1 << 2, Ephemeral: 1 << 6, Loading: 1 << 7, IsComponentsV2: 1 << 15 } as const;
/** Message types (https://discord.com/developers/docs/resources/message#message-object-message-types). */
export const MessageType = { Default: 0, Reply: 19, ChatInputCommand: 20 } as const;
/** Discord's default attachment_size_limit for unboosted guilds. */
export const ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024;

export interface Role {
  id: string;
  name: string;
  permissions: bigint;
  position: number;
  managed: boolean;
  botId?: string;
}

export interface Channel {
  id: string;
  name: string;
  position: number;
}

export interface User {
  id: string;
  username: string;
  globalName: string | null;
  bot: boolean;
}

export interface Member {
  userId: string;
  roles: string[];
  joinedAt: string;
}

export interface InteractionMeta {
  id: string;
  type: number;
  name: string | null;
  userId: string;
}

/** A message as the fake keeps it: what a test sees, plus what Discord echoes and keeps besides. */
export interface StoredMessage extends FakeMessage {
  type: number;
  tts: boolean;
  createdAt: number;
  editedAt: number | null;
  /** The application id for messages sent through an interaction's webhook. */
  webhookId: string | null;
  interaction: InteractionMeta | null;
  deleted: boolean;
  messageReference: Record<string, unknown> | null;
}

export interface StoredCommand extends Record<string, unknown> {
  id: string;
  name: string;
}

const isoNow = () => new Date().toISOString();

export class World {
  readonly channels = new Map<string, Channel>();
  readonly roles = new Map<string, Role>();
  readonly users = new Map<string, User>();
  readonly members = new Map<string, Member>();
  /** Every message, ephemeral ones too, in creation order. */
  readonly messages = new Map<string, StoredMessage>();
  readonly commands = { global: [] as StoredCommand[], guild: [] as StoredCommand[] };
  lastCommandScope: 'global' | 'guild' | null = null;
  readonly unregisteredCommandIds = new Map<string, string>();
  readonly guildName = 'Fake Guild';
  readonly ownerId = snowflake();
  readonly botRoleId = snowflake();
  readonly joinedAt = isoNow();
  /** http://127.0.0.1:PORT, set when the server listens (attachment URLs). */
  baseUrl = 'http://127.0.0.1';

  constructor(
    readonly applicationId: string,
    readonly botUserId: string,
    readonly guildId: string,
    channelIds: readonly string[],
    roleIds: readonly string[],
  ) {
    channelIds.forEach((id, position) => this.channels.set(id, { id, name: `channel-${position}`, position }));
    this.roles.set(guildId, { id: guildId, name: '@everyone', permissions: EVERYONE_PERMISSIONS, position: 0, managed: false });
    roleIds.forEach((id) => this.addRole(id));
    this.roles.set(this.botRoleId, {
      id: this.botRoleId,
      name: 'Catalyst',
      permissions: Permission.Administrator,
      position: 1,
      managed: true,
      botId: botUserId,
    });
    this.users.set(botUserId, { id: botUserId, username: 'catalyst-bot', globalName: null, bot: true });
    this.members.set(botUserId, { userId: botUserId, roles: [this.botRoleId], joinedAt: this.joinedAt });
  }

  addRole(id: string): Role {
    const role: Role = { id, name: `role-${id.slice(-4)}`, permissions: 0n, position: this.roles.size, managed: false };
    this.roles.set(id, role);
    return role;
  }

  /** Records a member (and their user); returns the role ids the guild did not know yet. */
  upsertMember(input: { userId: string; username?: string; globalName?: string; roles?: string[] }): string[] {
    const existing = this.users.get(input.userId);
    this.users.set(input.userId, {
      id: input.userId,
      username: input.username ?? existing?.username ?? `user${input.userId.slice(-4)}`,
      globalName: input.globalName ?? existing?.globalName ?? null,
      bot: false,
    });
    const roles = input.roles ?? this.members.get(input.userId)?.roles ?? [];
    this.members.set(input.userId, { userId: input.userId, roles: [...roles], joinedAt: this.members.get(input.userId)?.joinedAt ?? isoNow() });
    return roles.filter((id) => !this.roles.has(id));
  }

  permissionsOf(userId: string): bigint {
    const member = this.members.get(userId);
    let bits = this.roles.get(this.guildId)?.permissions ?? 0n;
    for (const id of member?.roles ?? []) bits |= this.roles.get(id)?.permissions ?? 0n;
    return bits & Permission.Administrator ? ALL_PERMISSIONS : bits;
  }

  // ---- API JSON ----

  userJson(id: string): Record<string, unknown> {
    const user = this.users.get(id) ?? { id, username: `user${id.slice(-4)}`, globalName: null, bot: false };
    return {
      id: user.id,
      username: user.username,
      global_name: user.globalName,
      discriminator: user.bot ? '0000' : '0',
      avatar: null,
      public_flags: 0,
      flags: 0,
      avatar_decoration_data: null,
      collectibles: null,
      primary_guild: null,
      ...(user.bot ? { bot: true } : {}),
    };
  }

  memberJson(userId: string, withPermissions = false): Record<string, unknown> {
    const member = this.members.get(userId) ?? { userId, roles: [], joinedAt: this.joinedAt };
    return {
      user: this.userJson(userId),
      roles: [...member.roles],
      nick: null,
      avatar: null,
      banner: null,
      joined_at: member.joinedAt,
      premium_since: null,
      deaf: false,
      mute: false,
      flags: 0,
      pending: false,
      communication_disabled_until: null,
      unusual_dm_activity_until: null,
      ...(withPermissions ? { permissions: this.permissionsOf(userId).toString() } : {}),
    };
  }

  roleJson(role: Role): Record<string, unknown> {
    return {
      id: role.id,
      name: role.name,
      description: null,
      color: 0,
      colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
      hoist: false,
      icon: null,
      unicode_emoji: null,
      position: role.position,
      permissions: role.permissions.toString(),
      managed: role.managed,
      mentionable: false,
      flags: 0,
      ...(role.botId ? { tags: { bot_id: role.botId } } : {}),
    };
  }

  channelJson(channel: Channel, extra: { guildId?: boolean; permissions?: string } = {}): Record<string, unknown> {
    const last = [...this.messages.values()].filter((m) => m.channelId === channel.id && !m.deleted && !(m.flags & MessageFlag.Ephemeral)).at(-1);
    return {
      id: channel.id,
      type: 0,
      name: channel.name,
      position: channel.position,
      parent_id: null,
      topic: null,
      nsfw: false,
      rate_limit_per_user: 0,
      last_message_id: last?.id ?? null,
      permission_overwrites: [],
      flags: 0,
      ...(extra.guildId ? { guild_id: this.guildId } : {}),
      ...(extra.permissions ? { permissions: extra.permissions } : {}),
    };
  }

  /** The guild as GUILD_CREATE carries it (channels, roles, the bot's member) or as GET /guilds/{id} returns it. */
  guildJson(gateway: boolean): Record<string, unknown> {
    const base: Record<string, unknown> = {
      id: this.guildId,
      name: this.guildName,
      icon: null,
      splash: null,
      discovery_splash: null,
      banner: null,
      description: null,
      owner_id: this.ownerId,
      afk_channel_id: null,
      afk_timeout: 300,
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      mfa_level: 0,
      nsfw_level: 0,
      premium_tier: 0,
      premium_subscription_count: 0,
      premium_progress_bar_enabled: false,
      preferred_locale: 'en-US',
      features: [],
      system_channel_id: null,
      system_channel_flags: 0,
      rules_channel_id: null,
      public_updates_channel_id: null,
      safety_alerts_channel_id: null,
      vanity_url_code: null,
      application_id: null,
      max_members: 500000,
      max_video_channel_users: 25,
      max_stage_video_channel_users: 50,
      widget_enabled: false,
      widget_channel_id: null,
      incidents_data: null,
      roles: [...this.roles.values()].map((r) => this.roleJson(r)),
      emojis: [],
      stickers: [],
    };
    if (!gateway) return base;
    return {
      ...base,
      unavailable: false,
      large: false,
      member_count: this.members.size,
      joined_at: this.joinedAt,
      lazy: true,
      channels: [...this.channels.values()].map((c) => this.channelJson(c)),
      threads: [],
      members: [this.memberJson(this.botUserId)],
      presences: [],
      voice_states: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
    };
  }

  attachmentUrl(message: StoredMessage, attachment: FakeAttachment): string {
    return `${this.baseUrl}/attachments/${message.channelId}/${attachment.id}/${encodeURIComponent(attachment.filename)}`;
  }

  messageJson(message: StoredMessage, gateway = false): Record<string, unknown> {
    const json: Record<string, unknown> = {
      id: message.id,
      channel_id: message.channelId,
      author: this.userJson(this.botUserId),
      content: message.content,
      timestamp: new Date(message.createdAt).toISOString(),
      edited_timestamp: message.editedAt === null ? null : new Date(message.editedAt).toISOString(),
      tts: message.tts,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments: message.attachments.map((a) => ({
        id: a.id,
        filename: a.filename,
        size: a.size,
        url: this.attachmentUrl(message, a),
        proxy_url: this.attachmentUrl(message, a),
        content_type: a.contentType,
      })),
      embeds: structuredClone(message.embeds),
      components: structuredClone(message.components),
      pinned: false,
      type: message.type,
      flags: message.flags,
    };
    if (message.messageReference) json['message_reference'] = message.messageReference;
    if (message.webhookId) {
      json['webhook_id'] = message.webhookId;
      json['application_id'] = this.applicationId;
    }
    if (message.interaction) {
      const i = message.interaction;
      json['interaction_metadata'] = {
        id: i.id,
        type: i.type,
        user: this.userJson(i.userId),
        authorizing_integration_owners: { '0': this.guildId },
        ...(i.name ? { name: i.name, command_type: 1 } : {}),
      };
      json['interaction'] = { id: i.id, type: i.type, name: i.name ?? '', user: this.userJson(i.userId) };
    }
    if (gateway) {
      json['guild_id'] = this.guildId;
      json['member'] = (({ user: _user, ...rest }) => rest)(this.memberJson(this.botUserId));
    }
    return json;
  }

  fakeMessage(message: StoredMessage): FakeMessage {
    return {
      id: message.id,
      channelId: message.channelId,
      content: message.content,
      embeds: structuredClone(message.embeds),
      components: structuredClone(message.components),
      flags: message.flags,
      attachments: message.attachments.map((a) => ({ ...a })),
    };
  }
}
