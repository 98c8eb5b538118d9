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

const KINDS = ['rate_limit', 'server_error', 'hang', 'drop', 'accept_then_drop', 'drop_stream'] as const;

const faultSchema = z
  .object({
    kind: z.enum(KINDS),
    method: z.enum(['GET', 'POST', 'PATCH', 'DELETE', '*']).default('*'),
    path_prefix: z.string().startsWith('/', 'must start with /').default('/v2/'),
    times: z.number().int().min(1).max(10_000).default(1),
    retry_after_seconds: z.number().int().min(0).max(3600).default(1),
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
};

function armed(faults: FaultInjector) {
  return faults.list().map((r) => ({
    kind: WIRE_KIND[r.fault.kind],
    method: r.method,
    path_prefix: r.pathPrefix,
    remaining: r.remaining,
    ...(r.fault.kind === 'rateLimit' ? { retry_after_seconds: r.fault.retryAfterSeconds } : {}),
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
