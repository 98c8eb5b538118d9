/** Message bodies (create, edit) with Discord's limits, and the attachments sent as files[n]. */
import type { UploadedFile } from './body.js';
import { emptyMessage, entityTooLarge, type FieldError, invalidFormBody, malformed } from './errors.js';
import { ATTACHMENT_SIZE_LIMIT, type InteractionMeta, MessageFlag, type StoredMessage, type World } from './model.js';
import { snowflake } from './snowflake.js';
import type { FakeAttachment } from './types.js';

type Path = (string | number)[];
type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

export function asObject(json: unknown): Json {
  if (json === null || json === undefined) return {};
  if (!isObject(json)) throw malformed('Only dictionaries may be used in a DictType');
  return json;
}

const maxLength = (path: Path, max: number): FieldError => ({ path, code: 'BASE_TYPE_MAX_LENGTH', message: `Must be ${max} or fewer in length.` });
const required = (path: Path): FieldError => ({ path, code: 'BASE_TYPE_REQUIRED', message: 'This field is required' });

function checkString(errors: FieldError[], value: unknown, path: Path, max: number, mustExist = false): number {
  if (value === undefined || value === null) {
    if (mustExist) errors.push(required(path));
    return 0;
  }
  if (typeof value !== 'string') {
    errors.push({ path, code: 'BASE_TYPE_STRING', message: 'Could not interpret value as string.' });
    return 0;
  }
  if (mustExist && value.trim() === '') errors.push(required(path));
  if (value.length > max) errors.push(maxLength(path, max));
  return value.length;
}

function checkEmbeds(errors: FieldError[], embeds: unknown, path: Path): void {
  if (embeds === undefined || embeds === null) return;
  if (!Array.isArray(embeds)) {
    errors.push({ path, code: 'BASE_TYPE_ARRAY', message: 'Must be an array.' });
    return;
  }
  if (embeds.length > 10) errors.push(maxLength(path, 10));
  let total = 0;
  embeds.forEach((embed: unknown, i) => {
    const at = [...path, i];
    if (!isObject(embed)) {
      errors.push({ path: at, code: 'MODEL_TYPE_CONVERT', message: 'Only dictionaries may be used in a ModelType' });
      return;
    }
    total += checkString(errors, embed['title'], [...at, 'title'], 256);
    total += checkString(errors, embed['description'], [...at, 'description'], 4096);
    const color = embed['color'];
    if (color !== undefined && color !== null && (typeof color !== 'number' || !Number.isInteger(color) || color < 0 || color > 0xffffff)) {
      errors.push({ path: [...at, 'color'], code: 'NUMBER_TYPE_MAX', message: 'int value should be less than or equal to 16777215.' });
    }
    if (isObject(embed['footer'])) total += checkString(errors, embed['footer']['text'], [...at, 'footer', 'text'], 2048, true);
    if (isObject(embed['author'])) total += checkString(errors, embed['author']['name'], [...at, 'author', 'name'], 256, true);
    const fields = embed['fields'];
    if (Array.isArray(fields)) {
      if (fields.length > 25) errors.push(maxLength([...at, 'fields'], 25));
      fields.forEach((field: unknown, j) => {
        const fat = [...at, 'fields', j];
        if (!isObject(field)) return;
        total += checkString(errors, field['name'], [...fat, 'name'], 256, true);
        total += checkString(errors, field['value'], [...fat, 'value'], 1024, true);
      });
    }
  });
  if (total > 6000) errors.push({ path, code: 'MAX_EMBED_SIZE_EXCEEDED', message: 'Embed size exceeds maximum size of 6000' });
}

const SELECT_TYPES = new Set([3, 5, 6, 7, 8]);

function checkComponents(errors: FieldError[], components: unknown, path: Path, flags: number): void {
  if (components === undefined || components === null) return;
  if (!Array.isArray(components)) {
    errors.push({ path, code: 'BASE_TYPE_ARRAY', message: 'Must be an array.' });
    return;
  }
  if (flags & MessageFlag.IsComponentsV2) return; // the v2 layout rules are not modelled
  if (components.length > 5) errors.push(maxLength(path, 5));
  const customIds = new Set<string>();
  components.forEach((row: unknown, i) => {
    const at = [...path, i];
    if (!isObject(row) || row['type'] !== 1) {
      errors.push({ path: [...at, 'type'], code: 'UNION_TYPE_CHOICES', message: 'Value of field "type" must be one of (1,).' });
      return;
    }
    const children = row['components'];
    if (!Array.isArray(children) || children.length === 0) {
      errors.push({ path: [...at, 'components'], code: 'BASE_TYPE_MIN_LENGTH', message: 'Must be 1 or more in length.' });
      return;
    }
    if (children.length > 5) errors.push(maxLength([...at, 'components'], 5));
    children.forEach((child: unknown, j) => {
      const cat = [...at, 'components', j];
      if (!isObject(child)) return;
      const type = child['type'];
      if (SELECT_TYPES.has(Number(type)) && children.length > 1) {
        errors.push({ path: cat, code: 'COMPONENT_LAYOUT_WIDTH_EXCEEDED', message: 'The specified component exceeds the maximum width' });
      }
      if (type === 2) {
        checkString(errors, child['label'], [...cat, 'label'], 80);
        const style = Number(child['style']);
        if (style === 5) checkString(errors, child['url'], [...cat, 'url'], 512, true);
        else if (style !== 6) checkString(errors, child['custom_id'], [...cat, 'custom_id'], 100, true);
      } else if (SELECT_TYPES.has(Number(type))) {
        checkString(errors, child['custom_id'], [...cat, 'custom_id'], 100, true);
        const options = child['options'];
        if (Array.isArray(options) && options.length > 25) errors.push(maxLength([...cat, 'options'], 25));
      }
      const id = child['custom_id'];
      if (typeof id === 'string') {
        if (customIds.has(id))
          errors.push({ path: [...cat, 'custom_id'], code: 'COMPONENT_CUSTOM_ID_DUPLICATED', message: 'Component custom id cannot be duplicated' });
        customIds.add(id);
      }
    });
  });
}

/** Field checks on a create or edit body; throws 50035 with Discord's errors tree, or 413 for a file over the limit. */
export function validateMessageBody(body: Json, files: UploadedFile[], prefix: Path, currentFlags = 0): void {
  for (const file of files) if (file.data.length > ATTACHMENT_SIZE_LIMIT) throw entityTooLarge();
  const errors: FieldError[] = [];
  checkString(errors, body['content'], [...prefix, 'content'], 2000);
  checkEmbeds(errors, body['embeds'], [...prefix, 'embeds']);
  checkComponents(errors, body['components'], [...prefix, 'components'], currentFlags | Number(body['flags'] ?? 0));
  if (files.length > 10) errors.push(maxLength([...prefix, 'attachments'], 10));
  if (errors.length > 0) throw invalidFormBody(errors);
}

function normalizeEmbeds(embeds: unknown): Json[] {
  return Array.isArray(embeds) ? embeds.map((e) => ({ type: 'rich', ...(e as Json) })) : [];
}

function newAttachment(file: UploadedFile, entry: Json | undefined): FakeAttachment {
  return {
    id: snowflake(),
    filename: typeof entry?.['filename'] === 'string' ? entry['filename'] : file.filename,
    size: file.data.length,
    contentType: file.contentType,
    data: file.data,
  };
}

/** The attachments after a create/edit: listed existing ones kept, `{ id: n }` entries bound to files[n], unlisted files appended. */
function resolveAttachments(existing: FakeAttachment[], listed: unknown, files: UploadedFile[]): FakeAttachment[] {
  const byIndex = new Map(files.map((f) => [f.index, f]));
  const used = new Set<number>();
  let result: FakeAttachment[];
  if (Array.isArray(listed)) {
    result = [];
    for (const entry of listed) {
      if (!isObject(entry)) continue;
      const id = String(entry['id'] ?? '');
      const kept = existing.find((a) => a.id === id);
      if (kept) {
        result.push(kept);
        continue;
      }
      const file = /^\d+$/.test(id) ? byIndex.get(Number(id)) : undefined;
      if (file) {
        used.add(file.index);
        result.push(newAttachment(file, entry));
      }
    }
  } else {
    result = [...existing];
  }
  for (const file of files) if (!used.has(file.index)) result.push(newAttachment(file, undefined));
  return result;
}

function isEmpty(m: Pick<StoredMessage, 'content' | 'embeds' | 'components' | 'attachments'>, body: Json): boolean {
  return (
    m.content.trim() === '' &&
    m.embeds.length === 0 &&
    m.components.length === 0 &&
    m.attachments.length === 0 &&
    !body['poll'] &&
    !Array.isArray(body['sticker_ids'])
  );
}

export interface CreateOptions {
  channelId: string;
  body: Json;
  files: UploadedFile[];
  type: number;
  webhookId?: string | null;
  interaction?: InteractionMeta | null;
  /** Extra flags Discord sets itself (ephemeral, loading). */
  flags?: number;
  /** Skip the empty-message check (a deferred reply's loading message). */
  allowEmpty?: boolean;
  /** Where field errors are reported (['data'] for interaction callbacks). */
  errorPrefix?: Path;
}

export function createMessage(world: World, options: CreateOptions): StoredMessage {
  const { body, files } = options;
  validateMessageBody(body, files, options.errorPrefix ?? []);
  const sentFlags = Number(body['flags'] ?? 0) & (MessageFlag.SuppressEmbeds | MessageFlag.Ephemeral | MessageFlag.IsComponentsV2);
  const message: StoredMessage = {
    id: snowflake(),
    channelId: options.channelId,
    content: typeof body['content'] === 'string' ? body['content'] : '',
    embeds: normalizeEmbeds(body['embeds']),
    components: Array.isArray(body['components']) ? structuredClone(body['components'] as Json[]) : [],
    flags: sentFlags | (options.flags ?? 0),
    attachments: resolveAttachments([], body['attachments'], files),
    type: options.type,
    tts: body['tts'] === true,
    createdAt: Date.now(),
    editedAt: null,
    webhookId: options.webhookId ?? null,
    interaction: options.interaction ?? null,
    deleted: false,
    messageReference: isObject(body['message_reference'])
      ? { type: 0, channel_id: options.channelId, guild_id: world.guildId, ...(({ fail_if_not_exists: _f, ...rest }) => rest)(body['message_reference']) }
      : null,
  };
  if (!options.allowEmpty && isEmpty(message, body)) throw emptyMessage();
  resolveAttachmentUrls(world, message);
  world.messages.set(message.id, message);
  return message;
}

/** PATCH semantics: fields present replace (null clears), absent ones stay. Ephemeral and other system flags are kept. */
export function editMessage(
  world: World,
  message: StoredMessage,
  body: Json,
  files: UploadedFile[],
  options: { errorPrefix?: Path; clearLoading?: boolean; markEdited?: boolean } = {},
): void {
  validateMessageBody(body, files, options.errorPrefix ?? [], message.flags);
  const next = {
    content: 'content' in body ? (typeof body['content'] === 'string' ? body['content'] : '') : message.content,
    embeds: 'embeds' in body ? normalizeEmbeds(body['embeds']) : message.embeds,
    components: 'components' in body ? (Array.isArray(body['components']) ? structuredClone(body['components'] as Json[]) : []) : message.components,
    attachments: resolveAttachments(message.attachments, body['attachments'], files),
  };
  if (isEmpty(next, body)) throw emptyMessage();
  Object.assign(message, next);
  if ('flags' in body && body['flags'] !== null) {
    const editable = MessageFlag.SuppressEmbeds;
    message.flags = (message.flags & ~editable) | (Number(body['flags']) & editable);
  }
  if (options.clearLoading) message.flags &= ~MessageFlag.Loading;
  if (options.markEdited !== false) message.editedAt = Date.now();
  resolveAttachmentUrls(world, message);
}

/** As Discord does: `attachment://name` in an embed's image / thumbnail / author / footer becomes that attachment's URL. */
function resolveAttachmentUrls(world: World, message: StoredMessage): void {
  const resolve = (holder: unknown, key: string) => {
    if (!isObject(holder)) return;
    const value = holder[key];
    if (typeof value !== 'string' || !value.startsWith('attachment://')) return;
    const attachment = message.attachments.find((a) => a.filename === value.slice('attachment://'.length));
    if (!attachment) return;
    holder[key] = world.attachmentUrl(message, attachment);
    if (key === 'url') holder['proxy_url'] = holder[key];
  };
  for (const embed of message.embeds) {
    resolve(embed['image'], 'url');
    resolve(embed['thumbnail'], 'url');
    resolve(embed['author'], 'icon_url');
    resolve(embed['footer'], 'icon_url');
  }
}
