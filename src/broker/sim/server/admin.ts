/**
 * Fault injection over HTTP, for people testing their own tools against the
 * simulator server without writing code: `POST /admin/faults` arms faults,
 * `GET /admin/faults` lists what is armed, `DELETE /admin/faults` disarms
 * everything. Behind the same credentials as the trading API; admin requests
 * are never subject to the faults themselves.
 */
import { z } from 'zod';
import { AlpacaCode } from '../api.js';
import type { Fault, FaultInjector } from './faults.js';
import type { Reply } from './routes.js';
import { errorJson } from './wire.js';

export const ADMIN_PREFIX = '/admin/';
const FAULTS_PATH = '/admin/faults';

const KINDS = ['rate_limit', 'server_error', 'hang', 'drop', 'accept_then_drop', 'refuse', 'drop_stream'] as const;

const faultSchema = z
  .object({
    kind: z.enum(KINDS),
    method: z.enum(['GET', 'POST', 'PATCH', 'DELETE', '*']).default('*'),
    path_prefix: z.string().startsWith('/', 'must start with /').default('/v2/'),
    times: z.number().int().min(1).max(10_000).default(1),
    retry_after_seconds: z.number().int().min(0).max(3600).default(1),
    /** For `refuse`: the HTTP status and Alpaca's error code and message to answer with. */
    status: z.union([z.literal(403), z.literal(422)]).default(403),
    code: z.number().int().min(40_000_000).max(59_999_999).default(40310000),
    message: z.string().min(1).max(500).default('request is not permitted'),
  })
  .strict();

type FaultJson = z.infer<typeof faultSchema>;

function toFault(f: FaultJson): Fault | null {
  switch (f.kind) {
    case 'rate_limit':
      return { kind: 'rateLimit', retryAfterSeconds: f.retry_after_seconds };
    case 'server_error':
      return { kind: 'serverError' };
    case 'hang':
      return { kind: 'hang' };
    case 'drop':
      return { kind: 'drop' };
    case 'accept_then_drop':
      return { kind: 'acceptThenDrop' };
    case 'refuse':
      return { kind: 'refuse', status: f.status, code: f.code, message: f.message };
    case 'drop_stream':
      return null;
  }
}

const WIRE_KIND: Record<Fault['kind'], (typeof KINDS)[number]> = {
  rateLimit: 'rate_limit',
  serverError: 'server_error',
  hang: 'hang',
  drop: 'drop',
  acceptThenDrop: 'accept_then_drop',
  refuse: 'refuse',
};

function armed(faults: FaultInjector) {
  return faults.list().map((r) => ({
    kind: WIRE_KIND[r.fault.kind],
    method: r.method,
    path_prefix: r.pathPrefix,
    remaining: r.remaining,
    ...(r.fault.kind === 'rateLimit' ? { retry_after_seconds: r.fault.retryAfterSeconds } : {}),
    ...(r.fault.kind === 'refuse' ? { status: r.fault.status, code: r.fault.code, message: r.fault.message } : {}),
  }));
}

const bad = (message: string): Reply => ({ status: 422, body: errorJson(AlpacaCode.Unprocessable, message) });

/** Answers an authorized request under /admin/. */
export function handleAdmin(faults: FaultInjector, method: string, path: string, body: unknown): Reply {
  if (path !== FAULTS_PATH) return { status: 404, body: errorJson(AlpacaCode.NotFound, 'endpoint not found: /admin/faults') };
  if (method === 'GET') return { status: 200, body: { faults: armed(faults) } };
  if (method === 'DELETE') {
    const cleared = faults.list().length;
    faults.clear();
    return { status: 200, body: { cleared } };
  }
  if (method !== 'POST') return { status: 405, body: errorJson(40510000, 'method not allowed: GET, POST or DELETE') };
  const parsed = Array.isArray(body) ? z.array(faultSchema).min(1).max(100).safeParse(body) : faultSchema.safeParse(body);
  if (!parsed.success) {
    return bad(parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  }
  for (const f of Array.isArray(parsed.data) ? parsed.data : [parsed.data]) {
    const fault = toFault(f);
    if (fault === null) faults.dropStream();
    else faults.inject(f.method, f.path_prefix, fault, f.times);
  }
  return { status: 201, body: { faults: armed(faults) } };
}
