/** The REST API under /api/v10 (and the attachment "CDN"), with scripted failures and a request log. */
import { STATUS_CODES, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { parseBody, readBody } from './body.js';
import { commandRoute } from './commands.js';
import { announce, type Context, json, noContent, type Reply } from './context.js';
import { ApiError, methodNotAllowed, notFound, unauthorized, unknownChannel, unknownGuild, unknownMember, unknownMessage } from './errors.js';
import { interactionCallback, interactionWebhook } from './interactionRoutes.js';
import { asObject, createMessage, editMessage } from './messages.js';
import { MessageFlag, MessageType, type StoredMessage } from './model.js';
import type { FailOptions, RequestRecord } from './types.js';

interface FailRule {
  method: string;
  prefix: string;
  status: number;
  remaining: number;
  options: FailOptions;
}

/** /api/v10/channels/1 → /channels/1 (a prefix given with /api or /api/vN is read the same way). */
function apiPath(path: string): string | null {
  const match = /^\/api(?:\/v\d+)?(\/.*)?$/.exec(path);
  if (!match) return null;
  return match[1] ?? '/';
}

export class RestApi {
  private readonly log: RequestRecord[] = [];
  private readonly rules: FailRule[] = [];
  /** Errors thrown by the fake itself (answered 500): a bug here, not in the bot. */
  readonly internalErrors: unknown[] = [];

  constructor(
    private readonly ctx: Context,
    private readonly token: string,
    private readonly gatewayUrl: () => string,
  ) {}

  requests(): RequestRecord[] {
    return this.log.map((r) => ({ ...r }));
  }

  failNext(method: string, pathPrefix: string, status: number, times = 1, options: FailOptions = {}): void {
    this.rules.push({ method: method.toUpperCase(), prefix: apiPath(pathPrefix) ?? pathPrefix, status, remaining: times, options });
  }

  private takeFailure(method: string, path: string): FailRule | undefined {
    const rule = this.rules.find((r) => r.remaining > 0 && (r.method === '*' || r.method === method) && path.startsWith(r.prefix));
    if (!rule) return undefined;
    rule.remaining--;
    if (rule.remaining === 0) this.rules.splice(this.rules.indexOf(rule), 1);
    return rule;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const raw = await readBody(req);
    if (url.pathname.startsWith('/attachments/')) {
      this.write(res, this.attachment(url.pathname));
      return;
    }
    const path = apiPath(url.pathname);
    if (path === null) {
      this.write(res, { status: 404, json: notFound().body });
      return;
    }
    let reply: Reply;
    const rule = this.takeFailure(method, path);
    if (rule) {
      reply = failure(rule);
    } else {
      try {
        reply = await this.route(method, path, url.searchParams, req.headers, raw);
      } catch (error) {
        if (error instanceof ApiError) {
          reply = { status: error.status, json: error.body, headers: error.headers };
        } else {
          this.internalErrors.push(error);
          reply = { status: 500, json: { message: '500: Internal Server Error', code: 0 } };
        }
      }
    }
    this.log.push({ method, path, status: reply.status });
    this.write(res, reply);
  }

  private write(res: ServerResponse, reply: Reply): void {
    const headers: Record<string, string> = { ...reply.headers };
    let body: Buffer | undefined;
    if (reply.raw) {
      body = reply.raw.body;
      headers['Content-Type'] = reply.raw.contentType;
    } else if (reply.json !== undefined && reply.status !== 204) {
      body = Buffer.from(JSON.stringify(reply.json));
      headers['Content-Type'] = 'application/json';
    }
    if (body) headers['Content-Length'] = String(body.length);
    res.writeHead(reply.status, headers);
    res.end(body);
  }

  private attachment(pathname: string): Reply {
    const [, , channelId, attachmentId] = pathname.split('/');
    for (const message of this.ctx.world.messages.values()) {
      if (message.channelId !== channelId || message.deleted) continue;
      const found = message.attachments.find((a) => a.id === attachmentId);
      if (found) return { status: 200, raw: { body: found.data, contentType: found.contentType } };
    }
    return { status: 404, raw: { body: Buffer.from('Not Found'), contentType: 'text/plain' } };
  }

  private async route(method: string, path: string, query: URLSearchParams, headers: IncomingHttpHeaders, raw: Buffer): Promise<Reply> {
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    const body = await parseBody(raw, headers['content-type']);
    const [head, a, b, c] = parts;
    // Interaction callbacks and the interaction webhook are authorised by their token, not the bot token.
    if (head === 'interactions') {
      if (parts.length !== 4 || c !== 'callback' || !a || !b) throw notFound();
      if (method !== 'POST') throw methodNotAllowed();
      return interactionCallback(this.ctx, a, b, body, query);
    }
    if (head === 'webhooks' && a && b) return interactionWebhook(this.ctx, method, a, b, parts.slice(3), body, query);
    if (headers['authorization'] !== `Bot ${this.token}`) throw unauthorized();
    const { world } = this.ctx;
    switch (head) {
      case 'gateway':
        if (method !== 'GET') throw methodNotAllowed();
        if (a === 'bot') {
          return json({ url: this.gatewayUrl(), shards: 1, session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: 1 } });
        }
        return json({ url: this.gatewayUrl() });
      case 'users':
        if (a === '@me' || a === world.botUserId)
          return json({ ...world.userJson(world.botUserId), ...(a === '@me' ? { verified: true, mfa_enabled: false } : {}) });
        if (a && world.users.has(a)) return json(world.userJson(a));
        throw new ApiError(404, { message: 'Unknown User', code: 10013 });
      case 'oauth2':
      case 'applications':
        if ((head === 'applications' && a === '@me') || (head === 'oauth2' && a === 'applications' && b === '@me')) {
          return json({
            id: world.applicationId,
            name: 'Catalyst',
            icon: null,
            description: '',
            bot_public: false,
            bot_require_code_grant: false,
            flags: 0,
            bot: world.userJson(world.botUserId),
            team: null,
            owner: world.userJson(world.ownerId),
          });
        }
        if (head === 'applications') return commandRoute(this.ctx, method, parts.slice(1), body);
        throw notFound();
      case 'channels':
        return this.channel(method, parts.slice(1), query, body);
      case 'guilds':
        return this.guild(method, parts.slice(1));
      default:
        throw notFound();
    }
  }

  private channel(method: string, parts: string[], query: URLSearchParams, body: Awaited<ReturnType<typeof parseBody>>): Reply {
    const { world } = this.ctx;
    const [channelId, sub, messageId, ...rest] = parts;
    const channel = channelId ? world.channels.get(channelId) : undefined;
    if (!channel) throw unknownChannel();
    if (sub === undefined) {
      if (method !== 'GET') throw methodNotAllowed();
      return json(world.channelJson(channel, { guildId: true }));
    }
    if (sub === 'typing' && method === 'POST') return noContent();
    if (sub !== 'messages' || rest.length > 0) throw notFound();
    const visible = [...world.messages.values()].filter((m) => m.channelId === channel.id && !m.deleted && !(m.flags & MessageFlag.Ephemeral));
    if (messageId === undefined) {
      if (method === 'GET') return json(list(visible, query).map((m) => world.messageJson(m)));
      if (method !== 'POST') throw methodNotAllowed();
      const sent = asObject(body.json);
      const message = createMessage(world, {
        channelId: channel.id,
        body: { ...sent, flags: Number(sent['flags'] ?? 0) & ~MessageFlag.Ephemeral },
        files: body.files,
        type: sent['message_reference'] ? MessageType.Reply : MessageType.Default,
      });
      announce(this.ctx, 'MESSAGE_CREATE', message);
      return json(world.messageJson(message));
    }
    const message = visible.find((m) => m.id === messageId);
    if (!message) throw unknownMessage();
    switch (method) {
      case 'GET':
        return json(world.messageJson(message));
      case 'PATCH':
        editMessage(world, message, asObject(body.json), body.files);
        announce(this.ctx, 'MESSAGE_UPDATE', message);
        return json(world.messageJson(message));
      case 'DELETE':
        message.deleted = true;
        announce(this.ctx, 'MESSAGE_DELETE', message);
        return noContent();
      default:
        throw methodNotAllowed();
    }
  }

  private guild(method: string, parts: string[]): Reply {
    const { world } = this.ctx;
    const [guildId, sub, id] = parts;
    if (guildId !== world.guildId) throw unknownGuild();
    if (method !== 'GET') throw methodNotAllowed();
    switch (sub) {
      case undefined:
        return json(world.guildJson(false));
      case 'channels':
        return json([...world.channels.values()].map((c) => world.channelJson(c, { guildId: true })));
      case 'roles':
        return json([...world.roles.values()].map((r) => world.roleJson(r)));
      case 'members':
        if (id === undefined) return json([...world.members.keys()].map((m) => world.memberJson(m)));
        if (!world.members.has(id)) throw unknownMember();
        return json(world.memberJson(id));
      default:
        throw notFound();
    }
  }
}

/** GET /channels/{id}/messages: newest first, limit (default 50, max 100), before / after. */
function list(messages: StoredMessage[], query: URLSearchParams): StoredMessage[] {
  const limit = Math.min(100, Math.max(1, Number(query.get('limit') ?? 50) || 50));
  const before = query.get('before');
  const after = query.get('after');
  let out = messages;
  if (before) out = out.filter((m) => BigInt(m.id) < BigInt(before));
  if (after)
    return out
      .filter((m) => BigInt(m.id) > BigInt(after))
      .slice(0, limit)
      .reverse();
  return out.slice(-limit).reverse();
}

function failure(rule: FailRule): Reply {
  if (rule.status === 429) {
    const retryAfter = rule.options.retryAfter ?? 0.05;
    return {
      status: 429,
      headers: { 'Retry-After': String(retryAfter), 'X-RateLimit-Scope': 'user' },
      json: rule.options.body ?? { message: 'You are being rate limited.', retry_after: retryAfter, global: false },
    };
  }
  return { status: rule.status, json: rule.options.body ?? { message: `${rule.status}: ${STATUS_CODES[rule.status] ?? 'Error'}`, code: 0 } };
}
