/**
 * POST /interactions/{id}/{token}/callback and /webhooks/{application}/{token}[/messages/{id|@original}]:
 * acknowledgement once within the window, then edits of the original and follow-ups.
 */
import type { ParsedBody } from './body.js';
import { type Context, announce, json, noContent, type Reply } from './context.js';
import { alreadyAcknowledged, invalidFormBody, type FieldError, methodNotAllowed, unknownInteraction, unknownMessage, unknownWebhook } from './errors.js';
import { Callback, InteractionKind, type InteractionRecord } from './interaction.js';
import { asObject, createMessage, editMessage } from './messages.js';
import { MessageFlag, MessageType, type StoredMessage } from './model.js';

type Json = Record<string, unknown>;

const ALLOWED: Record<number, number[]> = {
  [InteractionKind.ApplicationCommand]: [Callback.ChannelMessageWithSource, Callback.DeferredChannelMessageWithSource, Callback.Modal],
  [InteractionKind.MessageComponent]: [
    Callback.ChannelMessageWithSource,
    Callback.DeferredChannelMessageWithSource,
    Callback.DeferredUpdateMessage,
    Callback.UpdateMessage,
    Callback.Modal,
  ],
  [InteractionKind.Autocomplete]: [Callback.AutocompleteResult],
};

function meta(record: InteractionRecord) {
  return { id: record.id, type: record.kind, name: record.commandName, userId: record.userId };
}

function messageType(record: InteractionRecord): number {
  return record.kind === InteractionKind.ApplicationCommand ? MessageType.ChatInputCommand : MessageType.Default;
}

function checkChoices(data: Json): void {
  const choices = data['choices'];
  const errors: FieldError[] = [];
  if (!Array.isArray(choices)) {
    errors.push({ path: ['data', 'choices'], code: 'BASE_TYPE_REQUIRED', message: 'This field is required' });
  } else {
    if (choices.length > 25) errors.push({ path: ['data', 'choices'], code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 25 or fewer in length.' });
    choices.forEach((choice: unknown, i) => {
      const c = asObject(choice);
      const name = c['name'];
      if (typeof name !== 'string' || name.length < 1 || name.length > 100) {
        errors.push({ path: ['data', 'choices', i, 'name'], code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 100 in length.' });
      }
      const value = c['value'];
      if (typeof value === 'string' ? value.length > 100 : typeof value !== 'number') {
        errors.push({ path: ['data', 'choices', i, 'value'], code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 100 in length.' });
      }
    });
  }
  if (errors.length > 0) throw invalidFormBody(errors);
}

export function interactionCallback(ctx: Context, id: string, token: string, body: ParsedBody, query: URLSearchParams): Reply {
  const record = ctx.interactions.get(id);
  if (!record || record.token !== token) throw unknownInteraction();
  if (record.ack) throw alreadyAcknowledged();
  if (record.isExpired()) throw unknownInteraction();
  const payload = asObject(body.json);
  const type = Number(payload['type']);
  const data = payload['data'] === undefined || payload['data'] === null ? null : asObject(payload['data']);
  if (!ALLOWED[record.kind]?.includes(type)) {
    throw invalidFormBody([
      {
        path: ['type'],
        code: 'INTERACTION_RESPONSE_TYPE_INVALID',
        message: `Interaction response type ${type} is not valid for interaction type ${record.kind}`,
      },
    ]);
  }
  const { world } = ctx;
  const sent = data ?? {};
  const flags = Number(sent['flags'] ?? 0);
  // Everything that can fail is done before the acknowledgement is recorded: a refused callback leaves the interaction unanswered.
  switch (type) {
    case Callback.ChannelMessageWithSource: {
      const message = createMessage(world, {
        channelId: record.channelId,
        body: sent,
        files: body.files,
        type: messageType(record),
        webhookId: world.applicationId,
        interaction: meta(record),
        errorPrefix: ['data'],
      });
      record.original = message;
      record.setAck({ type, data });
      record.noteEdit();
      announce(ctx, 'MESSAGE_CREATE', message);
      break;
    }
    case Callback.DeferredChannelMessageWithSource: {
      const message = createMessage(world, {
        channelId: record.channelId,
        body: {},
        files: [],
        type: messageType(record),
        webhookId: world.applicationId,
        interaction: meta(record),
        flags: MessageFlag.Loading | (flags & MessageFlag.Ephemeral),
        allowEmpty: true,
      });
      record.original = message;
      record.loading = true;
      record.setAck({ type, data });
      announce(ctx, 'MESSAGE_CREATE', message);
      break;
    }
    case Callback.DeferredUpdateMessage:
      record.original = record.clicked;
      record.setAck({ type, data });
      break;
    case Callback.UpdateMessage: {
      const clicked = record.clicked;
      if (!clicked || clicked.deleted) throw unknownMessage();
      editMessage(world, clicked, sent, body.files, { errorPrefix: ['data'] });
      record.original = clicked;
      record.setAck({ type, data });
      record.noteEdit();
      announce(ctx, 'MESSAGE_UPDATE', clicked);
      break;
    }
    case Callback.AutocompleteResult:
      checkChoices(sent);
      record.setAck({ type, data });
      break;
    default:
      record.setAck({ type, data });
  }
  if (query.get('with_response') !== 'true') return noContent();
  const message = record.original;
  return json({
    interaction: {
      id: record.id,
      type: record.kind,
      ...(message
        ? {
            response_message_id: message.id,
            response_message_loading: record.loading,
            response_message_ephemeral: (message.flags & MessageFlag.Ephemeral) !== 0,
          }
        : {}),
    },
    resource: { type, ...(message && type !== Callback.DeferredUpdateMessage ? { message: world.messageJson(message) } : {}) },
  });
}

function target(ctx: Context, record: InteractionRecord, messageId: string): StoredMessage {
  const original = record.original;
  if (messageId === '@original' || messageId === original?.id) {
    if (!original || original.deleted) throw unknownMessage();
    return original;
  }
  const found = record.followUpIds.includes(messageId) ? ctx.world.messages.get(messageId) : undefined;
  if (!found || found.deleted) throw unknownMessage();
  return found;
}

/** A follow-up: the first one after a deferred reply replaces the loading message (keeping the deferral's ephemerality). */
function followUp(ctx: Context, record: InteractionRecord, body: ParsedBody, query: URLSearchParams): Reply {
  const { world } = ctx;
  const sent = asObject(body.json);
  let message: StoredMessage;
  const original = record.original;
  if (record.loading && original && !original.deleted) {
    const { flags: _ignored, ...rest } = sent;
    editMessage(world, original, rest, body.files, { clearLoading: true, markEdited: false });
    record.loading = false;
    message = original;
    record.noteEdit();
    announce(ctx, 'MESSAGE_UPDATE', message);
  } else {
    message = createMessage(world, {
      channelId: record.channelId,
      body: sent,
      files: body.files,
      type: MessageType.Default,
      webhookId: world.applicationId,
      interaction: meta(record),
    });
    announce(ctx, 'MESSAGE_CREATE', message);
  }
  record.followUpIds.push(message.id);
  record.noteChange();
  return query.get('wait') === 'true' ? json(world.messageJson(message)) : noContent();
}

export function interactionWebhook(
  ctx: Context,
  method: string,
  applicationId: string,
  token: string,
  rest: string[],
  body: ParsedBody,
  query: URLSearchParams,
): Reply {
  const record = ctx.byToken.get(token);
  if (!record || applicationId !== ctx.world.applicationId || !record.ack) throw unknownWebhook();
  if (rest.length === 0) {
    if (method !== 'POST') throw methodNotAllowed();
    return followUp(ctx, record, body, query);
  }
  if (rest[0] !== 'messages' || rest.length !== 2 || !rest[1]) throw unknownWebhook();
  const message = target(ctx, record, rest[1]);
  const isOriginal = message === record.original;
  switch (method) {
    case 'GET':
      return json(ctx.world.messageJson(message));
    case 'PATCH': {
      editMessage(ctx.world, message, asObject(body.json), body.files, { clearLoading: true, markEdited: !(isOriginal && record.loading) });
      if (isOriginal) {
        record.loading = false;
        record.noteEdit();
      } else {
        record.noteChange();
      }
      announce(ctx, 'MESSAGE_UPDATE', message);
      return json(ctx.world.messageJson(message));
    }
    case 'DELETE':
      message.deleted = true;
      if (isOriginal) record.loading = false;
      record.noteChange();
      announce(ctx, 'MESSAGE_DELETE', message);
      return noContent();
    default:
      throw methodNotAllowed();
  }
}
