/**
 * Fault injection for tests: the next N requests matching a method and path
 * prefix fail the way a real broker or network does.
 */
export type Fault =
  /** 429 with Retry-After (seconds). */
  | { kind: 'rateLimit'; retryAfterSeconds: number }
  /** 500 with an Alpaca-style body. */
  | { kind: 'serverError' }
  /** Never answers; the client's timeout must fire. */
  | { kind: 'hang' }
  /** Destroys the socket before the request is executed. */
  | { kind: 'drop' }
  /** Executes the request (an order really is placed), then destroys the socket unanswered. */
  | { kind: 'acceptThenDrop' };

interface Rule {
  method: string;
  pathPrefix: string;
  fault: Fault;
  remaining: number;
}

export class FaultInjector {
  private rules: Rule[] = [];

  /** Arms `fault` for the next `times` requests matching `method` (or `*`) and `pathPrefix`. */
  inject(method: string, pathPrefix: string, fault: Fault, times = 1): void {
    this.rules.push({ method: method.toUpperCase(), pathPrefix, fault, remaining: times });
  }

  clear(): void {
    this.rules = [];
  }

  /** The fault for this request, consuming one use of its rule. */
  take(method: string, path: string): Fault | null {
    const rule = this.rules.find((r) => (r.method === '*' || r.method === method) && path.startsWith(r.pathPrefix) && r.remaining > 0);
    if (!rule) return null;
    rule.remaining -= 1;
    this.rules = this.rules.filter((r) => r.remaining > 0);
    return rule.fault;
  }
}
