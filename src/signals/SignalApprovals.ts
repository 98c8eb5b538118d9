/**
 * The approval workflow: a signal is stored (once per signal_id), shown to
 * the traders with its proposed size, and then approved (executed once),
 * rejected or left to expire. All state lives in `signals`, so a click after
 * a restart, or two traders clicking at once, still yields one order.
 */
import type { BrokerInterface } from '../domain/ports/broker.js';
import { type Decimal, formatPct, formatUsd } from '../domain/money.js';
import { toTradingSignal, type SignalSource, type StoredSignal } from '../domain/records.js';
import type { Repositories } from '../domain/ports/store.js';
import type { ExecutionResult, OrderExecutor } from '../execution/OrderExecutor.js';
import type { SizingResult } from '../execution/sizing.js';
import { storedSignalOf, type TradingSignal } from '../domain/signal.js';

export interface Approver {
  id: string;
  name: string;
}

export interface SignalPreview {
  sizing: SizingResult;
  /** Proposed whole shares (null when sizing refuses). */
  quantity: Decimal | null;
  /** quantity × |entry − stop|. */
  dollarsAtRisk: Decimal | null;
}

export type ApprovalOutcome =
  | { kind: 'executed' | 'failed'; signal: StoredSignal; result: ExecutionResult }
  | { kind: 'rejected' | 'expired'; signal: StoredSignal }
  /** Decided before (by someone else, or by this click a moment ago): nothing done. */
  | { kind: 'already'; signal: StoredSignal }
  /** A guard refused it (price drift, stop or target already crossed); it stays pending. */
  | { kind: 'refused'; signal: StoredSignal; reason: string }
  | { kind: 'unknown'; signalId: string };

export type ApprovalEvent =
  | { kind: 'submitted'; signal: StoredSignal; preview: SignalPreview | null; autoApproved: boolean }
  | { kind: 'decided'; outcome: Exclude<ApprovalOutcome, { kind: 'unknown' | 'already' | 'refused' }> };

export interface SignalApprovalsOptions {
  store: Pick<Repositories, 'signals' | 'audit'>;
  executor: OrderExecutor;
  broker: BrokerInterface;
  ttlMinutes: number;
  /** Largest move of the last price against the trade, from the signal's entry, still approvable (0.01 = 1%). */
  maxEntryDriftPct: Decimal;
  /** Auto-approval: both must match (confidence at least this, strategy in the list). */
  autoApprove?: { minConfidence: Decimal | null; strategies: readonly string[] };
  /** The latest streamed price of a ticker while it is fresh (null: ask the broker). */
  streamedPrice?: (ticker: string) => Decimal | null;
  now?: () => Date;
}

/** What `submit` did: the stored signal, whether it is new, and its auto-approval when one was queued. */
export interface Submission {
  signal: StoredSignal;
  created: boolean;
  /** Settles when the auto-approval has run (it runs behind the intake, in arrival order); null when none applies. */
  approval: Promise<ApprovalOutcome> | null;
}

const AUTO_APPROVER: Approver = { id: 'auto', name: 'auto-approval' };
/** Pending signals looked at when auto-approvals are resumed at start-up. */
const RESUME_LIMIT = 10_000;

export type ApprovalListener = (event: ApprovalEvent) => void;

export class SignalApprovals {
  private readonly listeners = new Set<ApprovalListener>();
  private readonly now: () => Date;
  /** Auto-approvals run one at a time, in the order their signals arrived. */
  private autoQueue: Promise<unknown> = Promise.resolve();
  /** Signals whose auto-approval is queued or running, so a resend does not queue it twice. */
  private readonly queued = new Map<string, Promise<ApprovalOutcome>>();
  private errorListener: (error: unknown, signalId: string) => void = () => undefined;

  constructor(private readonly options: SignalApprovalsOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /** Told when an auto-approval running behind the intake fails (the signal stays pending: the next start or a resend tries again). */
  onError(listener: (error: unknown, signalId: string) => void): void {
    this.errorListener = listener;
  }

  on(listener: ApprovalListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get(signalId: string): Promise<StoredSignal | null> {
    return this.options.store.signals.get(signalId);
  }

  /** The newest signal still waiting for a decision (a bare `approve` in the console). */
  async newestPending(): Promise<StoredSignal | null> {
    const [newest] = await this.options.store.signals.listByStatus('pending', 1);
    return newest ?? null;
  }

  async preview(signal: TradingSignal): Promise<SignalPreview> {
    const sizing = await this.options.executor.previewSignal(signal);
    return { sizing, quantity: sizing.ok ? sizing.quantity : null, dollarsAtRisk: sizing.ok ? sizing.riskAmount : null };
  }

  /**
   * Stores a signal and announces it; a signal_id seen before is not stored
   * again (`created` false, the stored one is returned). With auto-approval
   * configured and matched, its approval is queued and runs behind this call
   * (also for a resend of a signal still pending, e.g. after a crash).
   */
  async submit(signal: TradingSignal, source: SignalSource, submittedBy: string): Promise<Submission> {
    const { store, ttlMinutes } = this.options;
    const receivedAt = this.now();
    const stored = storedSignalOf(signal, {
      source,
      receivedAt,
      expiresAt: new Date(receivedAt.getTime() + ttlMinutes * 60_000),
      status: 'pending',
      decidedBy: null,
      decidedAt: null,
    });
    const created = await store.signals.insertIfNew(stored);
    if (!created) {
      const existing = (await store.signals.get(signal.signalId)) ?? stored;
      const approval = existing.status === 'pending' && this.autoApprovesStored(existing) ? this.queueAutoApproval(existing.signalId) : null;
      return { signal: existing, created: false, approval };
    }
    await store.audit.record({ at: receivedAt, actor: submittedBy, action: 'signal', target: signal.signalId, outcome: 'ok', details: { source } });
    const auto = this.autoApproves(signal);
    const preview = await this.preview(signal).catch(() => null);
    this.emit({ kind: 'submitted', signal: stored, preview, autoApproved: auto });
    return { signal: stored, created: true, approval: auto ? this.queueAutoApproval(signal.signalId) : null };
  }

  /**
   * At start-up: pending signals the auto-approval policy takes, still within
   * their time, are queued for approval (a crash may have come between
   * storing and approving). The usual guards apply; each executes at most
   * once. Returns how many were queued; `idle()` waits for them.
   */
  async resumeAutoApprovals(): Promise<number> {
    const now = this.now();
    const due = (await this.options.store.signals.listByStatus('pending', RESUME_LIMIT))
      .filter((s) => s.expiresAt > now && this.autoApprovesStored(s))
      .sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime());
    for (const s of due) void this.queueAutoApproval(s.signalId);
    return due.length;
  }

  /** Settles once every auto-approval queued so far has run (shutdown, tests). */
  async idle(): Promise<void> {
    for (;;) {
      const tail = this.autoQueue;
      await tail;
      if (tail === this.autoQueue) return;
    }
  }

  private queueAutoApproval(signalId: string): Promise<ApprovalOutcome> {
    const queued = this.queued.get(signalId);
    if (queued) return queued;
    const run = this.autoQueue
      .then(() => this.approve(signalId, AUTO_APPROVER))
      .catch((error: unknown): ApprovalOutcome => {
        // Still pending: the next start, or a resend of the signal, approves it.
        this.errorListener(error, signalId);
        return { kind: 'unknown', signalId };
      })
      .finally(() => this.queued.delete(signalId));
    this.queued.set(signalId, run);
    this.autoQueue = run;
    return run;
  }

  /**
   * Approves and executes a pending signal. Exactly once: the move out of
   * `pending` is one conditional update, so of two clicks only one executes;
   * and the executor itself places one order per signal_id.
   */
  async approve(signalId: string, by: Approver): Promise<ApprovalOutcome> {
    const { store } = this.options;
    const signal = await store.signals.get(signalId);
    if (!signal) return { kind: 'unknown', signalId };
    if (signal.status !== 'pending') return { kind: 'already', signal };
    const now = this.now();
    if (now >= signal.expiresAt) return this.expire(signal, now);
    const guard = await this.guard(signal);
    if (guard) {
      await store.audit.record({
        at: now,
        actor: by.id,
        actorName: by.name,
        action: 'approve',
        target: signalId,
        outcome: 'refused',
        details: { reason: guard },
      });
      return { kind: 'refused', signal, reason: guard };
    }
    if (!(await store.signals.decide(signalId, { status: 'approved', decidedBy: by.name, decidedAt: now }))) {
      return { kind: 'already', signal: (await store.signals.get(signalId)) ?? signal };
    }
    await store.audit.record({ at: now, actor: by.id, actorName: by.name, action: 'approve', target: signalId, outcome: 'ok' });
    return this.execute(signalId);
  }

  async reject(signalId: string, by: Approver, note: string | null = null): Promise<ApprovalOutcome> {
    const { store } = this.options;
    const signal = await store.signals.get(signalId);
    if (!signal) return { kind: 'unknown', signalId };
    if (signal.status !== 'pending') return { kind: 'already', signal };
    const now = this.now();
    if (!(await store.signals.decide(signalId, { status: 'rejected', decidedBy: by.name, decidedAt: now, note }))) {
      return { kind: 'already', signal: (await store.signals.get(signalId)) ?? signal };
    }
    await store.audit.record({ at: now, actor: by.id, actorName: by.name, action: 'reject', target: signalId, outcome: 'ok' });
    const outcome = { kind: 'rejected' as const, signal: (await store.signals.get(signalId)) ?? signal };
    this.emit({ kind: 'decided', outcome });
    return outcome;
  }

  /** Marks every pending signal past its time as expired; returns them. */
  async expireDue(): Promise<StoredSignal[]> {
    const now = this.now();
    const expired: StoredSignal[] = [];
    for (const signal of await this.options.store.signals.listExpired(now)) {
      const outcome = await this.expire(signal, now);
      if (outcome.kind === 'expired') expired.push(outcome.signal);
    }
    return expired;
  }

  /** Approved before a crash but never executed: execute now (the executor still places at most one order). */
  async resumeApproved(): Promise<ApprovalOutcome[]> {
    const { store, executor } = this.options;
    const outcomes: ApprovalOutcome[] = [];
    for (const signal of await store.signals.listByStatus('approved', 100)) {
      // Already sent before the restart: settle it (the executor asks the broker first, never sends twice).
      const sent = await executor.hasExecution(signal.signalId);
      if (!sent) {
        // Never sent: the trade it described must still stand, as at a click.
        const why = this.now() >= signal.expiresAt ? 'expired before it was executed (the bot was restarted)' : await this.guard(signal);
        if (why) {
          await store.signals.recordOutcome(signal.signalId, 'failed', null, `not executed after a restart: ${why}`);
          const failed = (await store.signals.get(signal.signalId)) ?? signal;
          outcomes.push({ kind: 'refused', signal: failed, reason: why });
          continue;
        }
      }
      outcomes.push(await this.execute(signal.signalId));
    }
    return outcomes;
  }

  private async execute(signalId: string): Promise<ApprovalOutcome> {
    const { store, executor } = this.options;
    const approved = await store.signals.get(signalId);
    if (!approved) return { kind: 'unknown', signalId };
    const result = await executor.executeSignal(toTradingSignal(approved));
    if (result.pending) {
      // The broker's answer was lost: the signal stays approved and the next start settles it.
      return { kind: 'failed', signal: approved, result };
    }
    const status = result.success ? 'executed' : 'failed';
    await store.signals.recordOutcome(signalId, status, result.order?.orderId ?? null, result.errorMessage);
    const outcome = { kind: status, signal: (await store.signals.get(signalId)) ?? approved, result } as const;
    this.emit({ kind: 'decided', outcome });
    return outcome;
  }

  private async expire(signal: StoredSignal, now: Date): Promise<ApprovalOutcome> {
    const { store } = this.options;
    if (!(await store.signals.decide(signal.signalId, { status: 'expired', decidedBy: 'system', decidedAt: now, note: 'not approved in time' }))) {
      return { kind: 'already', signal: (await store.signals.get(signal.signalId)) ?? signal };
    }
    const outcome = { kind: 'expired' as const, signal: (await store.signals.get(signal.signalId)) ?? signal };
    this.emit({ kind: 'decided', outcome });
    return outcome;
  }

  /** Refuses approval when the market has moved away from the signal: the trade it described is gone. */
  private async guard(signal: StoredSignal): Promise<string | null> {
    // The market-data stream's price when it is fresh; else the broker's last trade.
    const last = this.options.streamedPrice?.(signal.ticker) ?? (await this.options.broker.getLatestPrices([signal.ticker])).get(signal.ticker);
    if (last === undefined) return `no last price for ${signal.ticker}`;
    const long = signal.action === 'buy';
    if (long ? last.lte(signal.stopLossPrice) : last.gte(signal.stopLossPrice)) {
      return `${signal.ticker} is at ${formatUsd(last)}, already through the stop ${formatUsd(signal.stopLossPrice)}`;
    }
    if (long ? last.gte(signal.takeProfitPrice) : last.lte(signal.takeProfitPrice)) {
      return `${signal.ticker} is at ${formatUsd(last)}, already at the target ${formatUsd(signal.takeProfitPrice)}`;
    }
    const against = long ? last.minus(signal.entryPrice) : signal.entryPrice.minus(last);
    const drift = against.div(signal.entryPrice);
    if (drift.gt(this.options.maxEntryDriftPct)) {
      return `${signal.ticker} is at ${formatUsd(last)}, ${formatPct(drift)} ${long ? 'above' : 'below'} the entry ${formatUsd(signal.entryPrice)} (at most ${formatPct(this.options.maxEntryDriftPct)})`;
    }
    return null;
  }

  private autoApprovesStored(signal: StoredSignal): boolean {
    return this.autoApproves(toTradingSignal(signal));
  }

  private autoApproves(signal: TradingSignal): boolean {
    const auto = this.options.autoApprove;
    if (!auto || auto.minConfidence === null || auto.strategies.length === 0) return false;
    return signal.confidence.gte(auto.minConfidence) && signal.strategy !== null && auto.strategies.includes(signal.strategy);
  }

  private emit(event: ApprovalEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A front end failing to show it must not undo the decision.
      }
    }
  }
}
