/**
 * Channel alerts, each posted once: an alert is first recorded in `alerts`
 * under its unique event key (a repeat of the same event is dropped there),
 * then delivered by the sink. What could not be delivered stays unposted and
 * is retried by the next flush, also after a restart. Alerts that arrive
 * together are grouped: many of one kind become one summary, and a message
 * carries up to ten.
 */
import type { EventLog } from '../logger.js';
import type { AlertKind, AlertRecord } from '../domain/records.js';
import type { Repositories } from '../domain/ports/store.js';
import type { View } from '../views/view.js';
import { EMBED_LIMITS, linesWithin, withinLimits } from '../views/limits.js';

/** Where alerts go: the Discord alerts channel, or the console. */
export interface AlertSink {
  /** One message holding these views (at most 10). Throws when it could not be delivered. */
  post(views: readonly View[]): Promise<void>;
}

export type AlertLog = Pick<EventLog, 'warn' | 'error'>;

export interface AlertCenterOptions {
  store: Pick<Repositories, 'alerts'>;
  sink: AlertSink | null;
  log: AlertLog;
  now?: () => Date;
  /** How long to wait for more alerts before posting (so a /flatten of 30 is one message). Default 200 ms. */
  batchMs?: number;
}

/** Same-kind alerts beyond this many in one flush become one summary view. */
const SUMMARY_OVER = 3;
const PER_MESSAGE = 10;
const PER_FLUSH = 200;

interface Payload {
  view: View;
}

export class AlertCenter {
  private readonly now: () => Date;
  private flushing: Promise<FlushResult> | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly options: AlertCenterOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /** Records an alert (false when that event was alerted before) and schedules its delivery. */
  async raise(kind: AlertKind, eventKey: string, view: View): Promise<boolean> {
    const payload: Payload = { view };
    const fresh = await this.options.store.alerts.enqueue(eventKey, kind, JSON.stringify(payload), this.now());
    if (fresh) this.schedule();
    return fresh;
  }

  /** Whether the event was alerted already (recorded, posted or not). */
  async has(eventKey: string): Promise<boolean> {
    return (await this.options.store.alerts.getByEventKey(eventKey)) !== null;
  }

  private schedule(): void {
    if (this.timer || !this.options.sink) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush().catch((error: unknown) => this.options.log.error({ err: error }, 'delivering alerts failed'));
    }, this.options.batchMs ?? 200);
    this.timer.unref();
  }

  /** Delivers every unposted alert; concurrent calls share one run. */
  flush(): Promise<FlushResult> {
    if (!this.flushing) {
      this.flushing = this.deliver().finally(() => {
        this.flushing = null;
      });
    }
    return this.flushing;
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private async deliver(): Promise<FlushResult> {
    const { store, sink, log } = this.options;
    const result: FlushResult = { posted: 0, failed: 0, messages: 0 };
    if (!sink) return result;
    const pending = await store.alerts.listUnposted(PER_FLUSH);
    for (const group of pack(groupAlerts(pending))) {
      const ids = group.flatMap((g) => g.ids);
      try {
        await sink.post(group.map((g) => g.view));
        await store.alerts.markPosted(ids, this.now());
        result.posted += ids.length;
        result.messages++;
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        if (permanent(error)) {
          // Refused for what it is (a 4xx): retrying would block every later alert behind it.
          await store.alerts.markAbandoned(ids, reason, this.now());
          log.error({ alerts: ids.length, reason }, 'alerts refused by the destination; given up (they stay in the alerts table)');
          continue;
        }
        await store.alerts.markFailed(ids, reason);
        result.failed += ids.length;
        log.warn({ alerts: ids.length, reason }, 'alerts not delivered; retried on the next flush');
        // The sink is down: the rest waits for the next flush rather than failing one by one.
        break;
      }
    }
    return result;
  }
}

export interface FlushResult {
  posted: number;
  failed: number;
  messages: number;
}

interface Grouped {
  ids: number[];
  view: View;
}

/** A refusal that retrying cannot cure: an HTTP 4xx other than 429 (Discord's invalid-form errors). */
function permanent(error: unknown): boolean {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' && status >= 400 && status < 500 && status !== 429;
}

/** Messages of at most 10 views and 6,000 characters in all (Discord's limits per message). */
export function pack(groups: readonly Grouped[]): Grouped[][] {
  const messages: Grouped[][] = [];
  let current: Grouped[] = [];
  let size = 0;
  for (const g of groups) {
    const view = withinLimits(g.view);
    const n = viewSize(view);
    if (current.length > 0 && (current.length === PER_MESSAGE || size + n > EMBED_LIMITS.total)) {
      messages.push(current);
      current = [];
      size = 0;
    }
    current.push({ ids: g.ids, view });
    size += n;
  }
  if (current.length > 0) messages.push(current);
  return messages;
}

function viewSize(v: View): number {
  return v.title.length + (v.description?.length ?? 0) + (v.footer?.length ?? 0) + v.fields.reduce((n, f) => n + f.name.length + f.value.length, 0);
}

/** Alerts in order; a kind with more than a few alerts in the batch becomes one summary. */
export function groupAlerts(alerts: readonly AlertRecord[]): Grouped[] {
  const byKind = new Map<AlertKind, AlertRecord[]>();
  for (const a of alerts) byKind.set(a.kind, [...(byKind.get(a.kind) ?? []), a]);
  const out: Grouped[] = [];
  const summarized = new Set<AlertKind>();
  for (const a of alerts) {
    const same = byKind.get(a.kind) ?? [];
    if (same.length <= SUMMARY_OVER || a.kind === 'daily_report') {
      out.push({ ids: [a.id], view: viewOf(a) });
    } else if (!summarized.has(a.kind)) {
      summarized.add(a.kind);
      const views = same.map(viewOf);
      out.push({
        ids: same.map((s) => s.id),
        view: {
          title: `${same.length} × ${views[0]?.title.replace(/:.*$/, '') ?? a.kind}`,
          description: linesWithin(
            views.map(
              (v) => `${v.title.replace(/^[^:]*:\s*/, '')}: ${[v.description, ...v.fields.map((f) => `${f.name} ${f.value}`)].filter(Boolean).join(' · ')}`,
            ),
            4000,
          ),
          fields: [],
          tone: views.some((v) => v.tone === 'danger') ? 'danger' : (views[0]?.tone ?? 'info'),
        },
      });
    }
  }
  return out;
}

function viewOf(a: AlertRecord): View {
  return (JSON.parse(a.payload) as Payload).view;
}
