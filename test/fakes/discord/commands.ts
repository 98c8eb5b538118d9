/** Application command registration: /applications/{app}/commands and /applications/{app}/guilds/{guild}/commands. */
import type { ParsedBody } from './body.js';
import { type Context, json, noContent, type Reply } from './context.js';
import { type FieldError, invalidFormBody, malformed, methodNotAllowed, unknownApplication, unknownCommand, unknownGuild } from './errors.js';
import { asObject } from './messages.js';
import type { StoredCommand } from './model.js';
import { snowflake } from './snowflake.js';

type Json = Record<string, unknown>;
type Path = (string | number)[];

const NAME = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

function checkName(errors: FieldError[], name: unknown, path: Path, lowercase: boolean): void {
  if (typeof name !== 'string' || !NAME.test(name) || (lowercase && name !== name.toLowerCase())) {
    errors.push({ path: [...path, 'name'], code: 'APPLICATION_COMMAND_INVALID_NAME', message: 'Command name is invalid' });
  }
}

function checkDescription(errors: FieldError[], description: unknown, path: Path): void {
  if (typeof description !== 'string' || description.length < 1 || description.length > 100) {
    errors.push({ path: [...path, 'description'], code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 100 in length.' });
  }
}

function checkOptions(errors: FieldError[], options: unknown, path: Path): void {
  if (options === undefined || options === null) return;
  if (!Array.isArray(options)) {
    errors.push({ path, code: 'BASE_TYPE_ARRAY', message: 'Must be an array.' });
    return;
  }
  if (options.length > 25) errors.push({ path, code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 25 or fewer in length.' });
  const names = new Set<string>();
  let optionalSeen = false;
  options.forEach((raw: unknown, i) => {
    const option = asObject(raw);
    const at = [...path, i];
    checkName(errors, option['name'], at, true);
    checkDescription(errors, option['description'], at);
    const name = String(option['name']);
    if (names.has(name))
      errors.push({ path: [...at, 'name'], code: 'APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS', message: 'Option names must be unique' });
    names.add(name);
    const type = Number(option['type']);
    if (!Number.isInteger(type) || type < 1 || type > 11)
      errors.push({ path: [...at, 'type'], code: 'BASE_TYPE_CHOICES', message: `Value must be one of {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}.` });
    if (type === 1 || type === 2) {
      checkOptions(errors, option['options'], [...at, 'options']);
      return;
    }
    if (option['required'] === true && optionalSeen) {
      errors.push({ path: at, code: 'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID', message: 'Required options must be placed before non-required options' });
    }
    if (option['required'] !== true) optionalSeen = true;
    const choices = option['choices'];
    if (Array.isArray(choices)) {
      if (choices.length > 25) errors.push({ path: [...at, 'choices'], code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 25 or fewer in length.' });
      if (option['autocomplete'] === true && choices.length > 0) {
        errors.push({
          path: [...at, 'autocomplete'],
          code: 'AUTOCOMPLETE_CHOICES_CONFLICT',
          message: 'Autocomplete cannot be enabled on options that have choices',
        });
      }
    }
  });
}

function checkCommand(errors: FieldError[], command: Json, path: Path): void {
  const type = Number(command['type'] ?? 1);
  checkName(errors, command['name'], path, type === 1);
  if (type === 1) checkDescription(errors, command['description'], path);
  else if (command['description'])
    errors.push({
      path: [...path, 'description'],
      code: 'APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION',
      message: 'Context menu commands cannot have description',
    });
  checkOptions(errors, command['options'], [...path, 'options']);
}

function normalize(ctx: Context, command: Json, scope: 'global' | 'guild', existing: StoredCommand | undefined): StoredCommand {
  const { world } = ctx;
  const options = Array.isArray(command['options']) && command['options'].length > 0 ? structuredClone(command['options']) : undefined;
  return {
    id: existing?.id ?? snowflake(),
    application_id: world.applicationId,
    version: snowflake(),
    default_member_permissions: command['default_member_permissions'] ?? null,
    type: Number(command['type'] ?? 1),
    name: String(command['name']),
    ...(command['name_localizations'] ? { name_localizations: command['name_localizations'] } : {}),
    description: typeof command['description'] === 'string' ? command['description'] : '',
    ...(command['description_localizations'] ? { description_localizations: command['description_localizations'] } : {}),
    ...(scope === 'guild' ? { guild_id: world.guildId } : { dm_permission: command['dm_permission'] ?? true }),
    contexts: command['contexts'] ?? null,
    integration_types: command['integration_types'] ?? [0],
    ...(options ? { options } : {}),
    nsfw: command['nsfw'] === true,
  };
}

const key = (c: Json) => `${Number(c['type'] ?? 1)}:${String(c['name'])}`;

export function commandRoute(ctx: Context, method: string, parts: string[], body: ParsedBody): Reply {
  // parts: [applicationId, 'commands', id?] or [applicationId, 'guilds', guildId, 'commands', id?]
  const { world } = ctx;
  if (parts[0] !== world.applicationId) throw unknownApplication();
  let scope: 'global' | 'guild' = 'global';
  let rest = parts.slice(1);
  if (rest[0] === 'guilds') {
    if (rest[1] !== world.guildId) throw unknownGuild();
    scope = 'guild';
    rest = rest.slice(2);
  }
  if (rest[0] !== 'commands') throw unknownApplication();
  const list = world.commands[scope];
  const id = rest[1];
  if (id === 'permissions' && scope === 'guild' && method === 'GET') return json([]);
  if (id === undefined) {
    switch (method) {
      case 'GET':
        return json(list);
      case 'PUT': {
        if (!Array.isArray(body.json)) throw malformed('Expected an array of application commands');
        const commands = body.json.map((c: unknown) => asObject(c));
        const errors: FieldError[] = [];
        commands.forEach((c, i) => checkCommand(errors, c, [i]));
        const seen = new Set<string>();
        commands.forEach((c, i) => {
          if (seen.has(key(c)))
            errors.push({ path: [i, 'name'], code: 'APPLICATION_COMMANDS_DUPLICATE_NAME', message: 'Application command names must be unique' });
          seen.add(key(c));
        });
        if (errors.length > 0) throw invalidFormBody(errors);
        const next = commands.map((c) =>
          normalize(
            ctx,
            c,
            scope,
            list.find((old) => key(old) === key(c)),
          ),
        );
        world.commands[scope] = next;
        world.lastCommandScope = scope;
        return json(next);
      }
      case 'POST': {
        const command = asObject(body.json);
        const errors: FieldError[] = [];
        checkCommand(errors, command, []);
        if (errors.length > 0) throw invalidFormBody(errors);
        const index = list.findIndex((old) => key(old) === key(command));
        const stored = normalize(ctx, command, scope, list[index]);
        if (index >= 0) list[index] = stored;
        else list.push(stored);
        world.lastCommandScope = scope;
        return json(stored, index >= 0 ? 200 : 201);
      }
      default:
        throw methodNotAllowed();
    }
  }
  const index = list.findIndex((c) => c.id === id);
  const found = list[index];
  if (!found) throw unknownCommand();
  switch (method) {
    case 'GET':
      return json(found);
    case 'PATCH': {
      const merged = { ...found, ...asObject(body.json) };
      const errors: FieldError[] = [];
      checkCommand(errors, merged, []);
      if (errors.length > 0) throw invalidFormBody(errors);
      const stored = normalize(ctx, merged, scope, found);
      list[index] = stored;
      world.lastCommandScope = scope;
      return json(stored);
    }
    case 'DELETE':
      list.splice(index, 1);
      world.lastCommandScope = scope;
      return noContent();
    default:
      throw methodNotAllowed();
  }
}
