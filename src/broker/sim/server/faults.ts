/**
 * Fault injection for tests: the next N requests matching a method and path
 * prefix fail the way a real broker or network does, and open trade-update
 * streams can be cut.
 */
export type Fault =
  /** 429 with Retry-After (seconds) and Alpaca's X-RateLimit-* headers. */
  | { kind: 'rateLimit'; retryAfterSeconds: number }
  /** 500 with an Alpaca-style body. */
  | { kind: 'serverError' }
  /** Never answers; the client's timeout must fire (stop() still closes it). */
  | { kind: 'hang' }
  /** Destroys the socket without an answer; the request is NOT executed. */
  | { kind: 'drop' }
  /** Executes the request (an order really is placed), then destroys the socket unanswered. */
  | { kind: 'acceptThenDrop' }
  /** Refuses the request with Alpaca's error body, e.g. 403 `{"code":40310000,"message":"…"}`: a broker restriction on the account. */
  | { kind: 'refuse'; status: 403 | 422; code: number; message: string };

export type FaultKind = Fault['kind'];

/** `*` matches any method. */
export type FaultMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE' | '*';

export interface Rule {
  method: string;
  pathPrefix: string;
  fault: Fault;
  remaining: number;
}

export class FaultInjector {
  private rules: Rule[] = [];

  /** @param cutStreams terminates every open trade-update stream connection. */
  constructor(private readonly cutStreams: () => void = () => undefined) {}

  /** Arms `fault` for the next `times` requests matching `method` (or `*`) whose path starts with `pathPrefix`. */
  inject(method: FaultMethod | Lowercase<FaultMethod>, pathPrefix: string, fault: Fault, times = 1): void {
    if (!Number.isInteger(times) || times < 1) throw new RangeError('times must be a whole number >= 1');
    this.rules.push({ method: method.toUpperCase(), pathPrefix, fault, remaining: times });
  }

  /** Terminates every open trade_updates WebSocket (no close frame: clients see 1006 and reconnect). */
  dropStream(): void {
    this.cutStreams();
  }

  /** Disarms every pending fault. */
  clear(): void {
    this.rules = [];
  }

  /** The armed rules, in the order they match. */
  list(): readonly Readonly<Rule>[] {
    return this.rules.map((r) => ({ ...r }));
  }

  /** How many injected faults are still armed. */
  pending(): number {
    return this.rules.reduce((n, r) => n + r.remaining, 0);
  }

  /** The fault for this request, if any, consuming one use of the first matching rule. */
  take(method: string, path: string): Fault | null {
    const m = method.toUpperCase();
    const rule = this.rules.find((r) => (r.method === '*' || r.method === m) && path.startsWith(r.pathPrefix));
    if (!rule) return null;
    rule.remaining -= 1;
    if (rule.remaining === 0) this.rules = this.rules.filter((r) => r !== rule);
    return rule.fault;
  }
}
