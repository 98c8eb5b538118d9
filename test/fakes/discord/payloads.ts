/** INTERACTION_CREATE payloads as Discord sends them for a guild text channel (what discord.js 14's Interaction classes read). */
import type { InteractionRecord } from './interaction.js';
import { InteractionKind } from './interaction.js';
import { ATTACHMENT_SIZE_LIMIT, type StoredCommand, type World } from './model.js';
import { snowflake } from './snowflake.js';

type Json = Record<string, unknown>;
type OptionValue = string | number | boolean;

/** Application command option types. */
export const OptionType = {
  Subcommand: 1,
  SubcommandGroup: 2,
  String: 3,
  Integer: 4,
  Boolean: 5,
  User: 6,
  Channel: 7,
  Role: 8,
  Mentionable: 9,
  Number: 10,
  Attachment: 11,
} as const;

export function baseInteraction(world: World, record: InteractionRecord): Json {
  const channel = world.channels.get(record.channelId);
  if (!channel) throw new Error(`fake discord: unknown channel ${record.channelId}`);
  return {
    id: record.id,
    application_id: world.applicationId,
    type: record.kind,
    token: record.token,
    version: 1,
    guild_id: world.guildId,
    guild: { id: world.guildId, locale: 'en-US', features: [] },
    channel_id: channel.id,
    channel: world.channelJson(channel, { guildId: true, permissions: world.permissionsOf(record.userId).toString() }),
    member: world.memberJson(record.userId, true),
    app_permissions: world.permissionsOf(world.botUserId).toString(),
    locale: 'en-US',
    guild_locale: 'en-US',
    entitlements: [],
    authorizing_integration_owners: { '0': world.guildId },
    context: 0,
    attachment_size_limit: ATTACHMENT_SIZE_LIMIT,
  };
}

/** The registered command (guild scope first), if any. */
export function findCommand(world: World, name: string): StoredCommand | undefined {
  const match = (c: StoredCommand) => c.name === name && (c['type'] ?? 1) === 1;
  return world.commands.guild.find(match) ?? world.commands.global.find(match);
}

/** The registered command's id, or one made up (and kept) for a command nobody registered. */
function commandId(world: World, name: string): string {
  const registered = findCommand(world, name);
  if (registered) return registered.id;
  let id = world.unregisteredCommandIds.get(name);
  if (!id) world.unregisteredCommandIds.set(name, (id = snowflake()));
  return id;
}

function optionList(value: unknown): Json[] | undefined {
  return Array.isArray(value) ? (value as Json[]) : undefined;
}

/** The option definitions that apply (of the command, its subcommand group, its subcommand), or undefined when the command is not registered. */
function definitions(world: World, name: string, group: string | undefined, sub: string | undefined): Json[] | undefined {
  const command = findCommand(world, name);
  if (!command) return undefined;
  let defs = optionList(command['options']) ?? [];
  const pick = (child: string, type: number, what: string) => {
    const found = defs.find((o) => o['name'] === child && o['type'] === type);
    if (!found) throw new Error(`fake discord: /${name} has no ${what} "${child}" (registered: ${defs.map((o) => o['name']).join(', ') || 'none'})`);
    defs = optionList(found['options']) ?? [];
  };
  if (group) pick(group, OptionType.SubcommandGroup, 'subcommand group');
  if (sub) pick(sub, OptionType.Subcommand, 'subcommand');
  return defs;
}

function inferType(value: OptionValue): number {
  if (typeof value === 'boolean') return OptionType.Boolean;
  if (typeof value === 'number') return Number.isInteger(value) ? OptionType.Integer : OptionType.Number;
  return OptionType.String;
}

/** `{ name: value }` → option objects, typed from the registered definition when there is one. */
function buildOptions(world: World, command: string, values: Record<string, OptionValue>, defs: Json[] | undefined, resolved: Json): Json[] {
  return Object.entries(values).map(([name, value]) => {
    let type = inferType(value);
    if (defs) {
      const def = defs.find((o) => o['name'] === name);
      if (!def) throw new Error(`fake discord: /${command} has no option "${name}" (registered: ${defs.map((o) => o['name']).join(', ') || 'none'})`);
      type = Number(def['type']);
    }
    addResolved(world, resolved, type, value);
    if (type === OptionType.Integer || type === OptionType.Number) value = Number(value);
    if (type === OptionType.String || (type >= OptionType.User && type <= OptionType.Mentionable)) value = String(value);
    return { name, type, value };
  });
}

function addResolved(world: World, resolved: Json, type: number, value: OptionValue): void {
  const id = String(value);
  const bucket = (key: string) => (resolved[key] ??= {}) as Json;
  if (type === OptionType.User || (type === OptionType.Mentionable && !world.roles.has(id))) {
    bucket('users')[id] = world.userJson(id);
    if (world.members.has(id)) {
      const { user: _user, ...member } = world.memberJson(id, true);
      bucket('members')[id] = member;
    }
  } else if (type === OptionType.Role || type === OptionType.Mentionable) {
    const role = world.roles.get(id);
    if (role) bucket('roles')[id] = world.roleJson(role);
  } else if (type === OptionType.Channel) {
    const channel = world.channels.get(id);
    if (channel) bucket('channels')[id] = world.channelJson(channel, { permissions: world.permissionsOf(world.botUserId).toString() });
  } else if (type === OptionType.Attachment) {
    throw new Error('fake discord: attachment options are not supported');
  }
}

function nest(options: Json[], group: string | undefined, sub: string | undefined): Json[] {
  let out = options;
  if (sub) out = [{ name: sub, type: OptionType.Subcommand, options: out }];
  if (group) out = [{ name: group, type: OptionType.SubcommandGroup, options: out }];
  return out;
}

export interface CommandData {
  name: string;
  options?: Record<string, OptionValue>;
  subcommand?: string;
  subcommandGroup?: string;
  focused?: { name: string; value: string };
}

/** `data` of a chat input command (type 2) or autocomplete (type 4) interaction. */
export function commandData(world: World, input: CommandData): Json {
  const defs = definitions(world, input.name, input.subcommandGroup, input.subcommand);
  const resolved: Json = {};
  const options = buildOptions(world, input.name, input.options ?? {}, defs, resolved);
  if (input.focused) {
    const def = defs?.find((o) => o['name'] === input.focused?.name);
    if (defs && !def) throw new Error(`fake discord: /${input.name} has no option "${input.focused.name}"`);
    options.push({ name: input.focused.name, type: def ? Number(def['type']) : OptionType.String, value: input.focused.value, focused: true });
  }
  const registered = findCommand(world, input.name);
  return {
    id: commandId(world, input.name),
    name: input.name,
    type: 1,
    ...(registered?.['guild_id'] ? { guild_id: registered['guild_id'] } : {}),
    ...(options.length > 0 || input.subcommand ? { options: nest(options, input.subcommandGroup, input.subcommand) } : {}),
    ...(Object.keys(resolved).length > 0 ? { resolved } : {}),
  };
}

function findComponent(components: unknown, customId: string): Json | undefined {
  if (!Array.isArray(components)) return undefined;
  for (const c of components as Json[]) {
    if (c['custom_id'] === customId) return c;
    const inner = findComponent(c['components'], customId) ?? (c['accessory'] ? findComponent([c['accessory']], customId) : undefined);
    if (inner) return inner;
  }
  return undefined;
}

export function buttonData(record: InteractionRecord, customId: string): Json {
  const message = record.clicked;
  if (!message) throw new Error('fake discord: a button interaction needs its message');
  const button = findComponent(message.components, customId);
  if (!button || button['type'] !== 2) throw new Error(`fake discord: message ${message.id} has no button "${customId}"`);
  if (button['disabled'] === true) throw new Error(`fake discord: button "${customId}" on message ${message.id} is disabled and cannot be clicked`);
  return { custom_id: customId, component_type: 2 };
}

export function interactionPayload(world: World, record: InteractionRecord, data: Json): Json {
  const payload: Json = { ...baseInteraction(world, record), data };
  if (record.kind === InteractionKind.MessageComponent && record.clicked) payload['message'] = world.messageJson(record.clicked);
  return payload;
}
