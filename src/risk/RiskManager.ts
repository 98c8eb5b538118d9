/**
 * Pre-trade risk: every entry passes here first; exits never do (a halted bot
 * must still be able to get out). The trading state lives in the database so
 * a halt survives a restart. ACTIVE allows entries; REDUCING and HALTED
 * refuse them (REDUCING is the step an operator or the daily loss takes
 * before a full halt: only orders that shrink exposure, which are all exits
 * here, since one ticker holds one position). The daily-loss and drawdown
 * limits move the state by themselves and say why.
 */
import type { BrokerInterface } from '../domain/ports/broker.js';
import { type Decimal, formatPct, formatUsd, ZERO } from '../domain/money.js';
import { exchangeDate } from '../domain/marketTime.js';
import type { Account } from '../domain/account.js';
import type { OrderSide, OrderType } from '../domain/enums.js';
import type { HaltMode, TradingState, TradingStateName } from '../domain/records.js';
import type { Repositories } from '../domain/ports/store.js';
import type { TradingEvents } from '../domain/events.js';

export interface RiskLimits {
  maxOpenPositions: number;
  /** Largest position, fraction of equity. */
  maxPositionPct: Decimal;
  /** All positions and pending entries together, fraction of equity. */
  maxExposurePct: Decimal;
  /** Loss from the day's starting equity that halts trading. */
  maxDailyLossPct: Decimal;
  /** Fall from the equity peak that halts trading. */
  maxDrawdownPct: Decimal;
  /** Loss from the day's starting equity that moves ACTIVE to REDUCING; null (or not below maxDailyLossPct): no such step. */
  reduceAtDailyLossPct?: Decimal | null;
}

const STATE_OF: Record<HaltMode, Exclude<TradingStateName, 'ACTIVE'>> = { halted: 'HALTED', reducing: 'REDUCING' };

export type RiskLimitName =
  | 'trading_halted'
  | 'trading_reducing'
  | 'reduce_at_daily_loss'
  | 'max_open_positions'
  | 'max_position_size'
  | 'max_exposure'
  | 'duplicate_position'
  | 'max_daily_loss'
  | 'max_drawdown'
  | 'market_closed'
  | 'invalid_order';

export interface EntryProposal {
  ticker: string;
  side: OrderSide;
  quantity: Decimal;
  /** Expected fill price (limit price or the signal's entry). */
  price: Decimal;
  orderType: OrderType;
}

export type RiskDecision = { ok: true } | { ok: false; limit: RiskLimitName; reason: string };

/** The gate's verdict with the account and exposure figures it read. */
export interface EntryAssessment {
  decision: RiskDecision;
  account: Account;
  heldValue: Decimal;
  pendingValue: Decimal;
}

type RiskStore = Pick<Repositories, 'positions' | 'tradingState' | 'audit'>;

/** An entry order not yet filled: what it will commit. */
export interface WorkingEntry {
  ticker: string;
  quantity: Decimal;
  /** Limit price, else the signal's price, else the stop; null when none is known. */
  expectedPrice: Decimal | null;
}

export interface RiskManagerOptions {
  broker: BrokerInterface;
  store: RiskStore;
  /** Entry orders still waiting for their first fill, as last recorded (the ledger keeps them). */
  pendingEntries: () => Promise<readonly WorkingEntry[]>;
  limits: RiskLimits;
  events?: TradingEvents;
  now?: () => Date;
}

const refuse = (limit: RiskLimitName, reason: string): RiskDecision => ({ ok: false, limit, reason });

export class RiskManager {
  private readonly now: () => Date;

  constructor(private readonly options: RiskManagerOptions) {
    this.now = options.now ?? (() => new Date());
  }

  get limits(): RiskLimits {
    return this.options.limits;
  }

  state(): Promise<TradingState> {
    return this.options.store.tradingState.get();
  }

  /** Operator halt (or the step down to REDUCING). Returns false when trading already was in that state. */
  async halt(reason: string, by: string, mode: HaltMode = 'halted'): Promise<boolean> {
    return this.setHalted(STATE_OF[mode], reason, by, null);
  }

  /** Operator resume, from HALTED or REDUCING. Returns false when trading was already active. */
  async resume(by: string): Promise<boolean> {
    const at = this.now();
    const changed = await this.options.store.tradingState.setState('ACTIVE', null, by, at);
    if (changed) {
      await this.options.store.audit.record({ at, actor: by, action: 'resume', outcome: 'ok' });
      this.options.events?.emit({ kind: 'resumed', by, at });
    }
    return changed;
  }

  /**
   * Checks one entry against every limit. The account is read once (pass it
   * when the caller already has it). Refusals name the limit and the figures.
   */
  async checkEntry(proposal: EntryProposal, account?: Account): Promise<RiskDecision> {
    if (proposal.quantity.lte(0)) return refuse('invalid_order', `quantity must be above 0, got ${proposal.quantity.toFixed()}`);
    if (proposal.price.lte(0)) return refuse('invalid_order', `price must be above 0, got ${proposal.price.toFixed()}`);
    const assessment = await this.assessEntry(proposal.ticker, proposal.orderType, account);
    if (!assessment.decision.ok) return assessment.decision;
    return this.checkSize(proposal, assessment);
  }

  /** The quantity checks (position size, total exposure) against an assessment already made. */
  checkSize(proposal: EntryProposal, assessment: EntryAssessment): RiskDecision {
    const { limits } = this.options;
    if (proposal.quantity.lte(0)) return refuse('invalid_order', `quantity must be above 0, got ${proposal.quantity.toFixed()}`);
    const { account: acct, heldValue, pendingValue } = assessment;
    const equity = acct.equity;
    const notional = proposal.quantity.times(proposal.price);
    const positionPct = notional.div(equity);
    if (positionPct.gt(limits.maxPositionPct)) {
      return refuse(
        'max_position_size',
        `${proposal.quantity.toFixed()} ${proposal.ticker} at ${formatUsd(proposal.price)} is ${formatUsd(notional)}, ${formatPct(positionPct)} of equity ${formatUsd(equity)}; the limit is ${formatPct(limits.maxPositionPct)}`,
      );
    }
    const exposure = heldValue.plus(pendingValue).plus(notional);
    const exposurePct = exposure.div(equity);
    if (exposurePct.gt(limits.maxExposurePct)) {
      return refuse(
        'max_exposure',
        `exposure would be ${formatUsd(exposure)} (${formatPct(exposurePct)} of equity ${formatUsd(equity)}: ${formatUsd(heldValue)} held, ${formatUsd(pendingValue)} pending, ${formatUsd(notional)} new); the limit is ${formatPct(limits.maxExposurePct)}`,
      );
    }
    return { ok: true };
  }

  /** The checks that need no quantity, and the figures the size checks then use. */
  async assessEntry(ticker: string, orderType: OrderType, account?: Account): Promise<EntryAssessment> {
    const { limits, store, broker } = this.options;
    const acct = account ?? (await broker.getAccount());
    const figures = { account: acct, heldValue: ZERO, pendingValue: ZERO };
    const { breach, state } = await this.limitsAndState(acct);
    if (state.state === 'HALTED') {
      return { ...figures, decision: refuse(breach?.limit ?? 'trading_halted', `trading is halted: ${state.reason ?? 'by an operator'}`) };
    }
    if (state.state === 'REDUCING') {
      const who = state.changedBy ? ` (set by ${state.changedBy} at ${state.changedAt.toISOString().replace('.000Z', 'Z')})` : '';
      const why = state.reason ? `: ${state.reason}` : '';
      return {
        ...figures,
        decision: refuse(
          'trading_reducing',
          `trading is REDUCING${who}${why}; only orders that shrink exposure pass (closes, partial closes), no entries until /resume`,
        ),
      };
    }

    const positions = await store.positions.exposures();
    if (positions.some((p) => p.ticker === ticker)) {
      return { ...figures, decision: refuse('duplicate_position', `a position in ${ticker} is already open: one open position per ticker`) };
    }
    const pendingEntries = await this.options.pendingEntries();
    if (pendingEntries.some((o) => o.ticker === ticker)) {
      return { ...figures, decision: refuse('duplicate_position', `an entry order for ${ticker} is already working`) };
    }
    const openCount = positions.length + pendingEntries.length;
    if (openCount >= limits.maxOpenPositions) {
      return { ...figures, decision: refuse('max_open_positions', `${openCount} positions open or pending; the limit is ${limits.maxOpenPositions}`) };
    }
    if (acct.equity.lte(0)) return { ...figures, decision: refuse('max_position_size', `equity is ${formatUsd(acct.equity)}: no new entries`) };

    if (orderType === 'market') {
      const clock = await broker.getClock();
      if (!clock.isOpen) {
        return {
          ...figures,
          decision: refuse(
            'market_closed',
            `the market is closed (next open ${clock.nextOpen.toISOString()}); a market entry would wait unpriced, use a limit order`,
          ),
        };
      }
    }
    return {
      decision: { ok: true },
      account: acct,
      heldValue: positions.reduce((sum, p) => sum.plus(p.value), ZERO),
      pendingValue: pendingEntries.reduce((sum, o) => sum.plus(o.quantity.times(o.expectedPrice ?? ZERO)), ZERO),
    };
  }

  /**
   * Rolls the day's starting equity and the peak forward, and halts trading
   * when the daily loss or the drawdown passes its limit. Returns the halt it
   * found (null when none); the halt itself is announced once, when it starts. Run before every entry and in every monitor cycle.
   */
  async evaluateLimits(account: Account): Promise<{ limit: RiskLimitName; reason: string } | null> {
    return (await this.limitsAndState(account)).breach;
  }

  /** evaluateLimits, and the trading state as it stands afterwards (one read of it). */
  private async limitsAndState(account: Account): Promise<{ breach: { limit: RiskLimitName; reason: string } | null; state: TradingState }> {
    const { store, limits } = this.options;
    const now = this.now();
    const today = exchangeDate(now);
    let state = await store.tradingState.get();
    if (state.dayStartDate !== today) {
      // The previous close's equity is the day's start (Alpaca's last_equity).
      const start = account.lastEquity.gt(0) ? account.lastEquity : account.equity;
      await store.tradingState.setDayStart(today, start);
      state = { ...state, dayStartDate: today, dayStartEquity: start };
    }
    const equity = account.equity;
    if (state.peakEquity === null || equity.gt(state.peakEquity)) {
      await store.tradingState.setPeakEquity(equity);
      state = { ...state, peakEquity: equity };
    }

    const dayStart = state.dayStartEquity;
    if (dayStart !== null && dayStart.gt(0)) {
      const loss = dayStart.minus(equity).div(dayStart);
      if (loss.gte(limits.maxDailyLossPct)) {
        const reason = `daily loss limit: equity ${formatUsd(equity)} is ${formatPct(loss)} below the day's start ${formatUsd(dayStart)} (limit ${formatPct(limits.maxDailyLossPct)})`;
        await this.setHalted('HALTED', reason, 'system', 'max_daily_loss');
        return { breach: { limit: 'max_daily_loss', reason }, state: await store.tradingState.get() };
      }
      const reduceAt = limits.reduceAtDailyLossPct ?? null;
      if (state.state === 'ACTIVE' && reduceAt !== null && loss.gte(reduceAt)) {
        const reason = `daily loss step: equity ${formatUsd(equity)} is ${formatPct(loss)} below the day's start ${formatUsd(dayStart)} (reduce at ${formatPct(reduceAt)}, halt at ${formatPct(limits.maxDailyLossPct)})`;
        await this.setHalted('REDUCING', reason, 'system', 'reduce_at_daily_loss');
        state = await store.tradingState.get();
      }
    }
    const peak = state.peakEquity;
    if (peak !== null && peak.gt(0)) {
      const drawdown = peak.minus(equity).div(peak);
      if (drawdown.gte(limits.maxDrawdownPct)) {
        const reason = `drawdown limit: equity ${formatUsd(equity)} is ${formatPct(drawdown)} below the peak ${formatUsd(peak)} (limit ${formatPct(limits.maxDrawdownPct)})`;
        await this.setHalted('HALTED', reason, 'system', 'max_drawdown');
        return { breach: { limit: 'max_drawdown', reason }, state: await store.tradingState.get() };
      }
    }
    return { breach: null, state };
  }

  private async setHalted(state: Exclude<TradingStateName, 'ACTIVE'>, reason: string, by: string, limit: RiskLimitName | null): Promise<boolean> {
    const at = this.now();
    const changed = await this.options.store.tradingState.setState(state, reason, by, at);
    if (changed) {
      const action = state === 'HALTED' ? 'halt' : 'reduce';
      await this.options.store.audit.record({ at, actor: by, action, target: limit, outcome: 'ok', details: { reason } });
      this.options.events?.emit({ kind: 'halted', state, reason, by, limit, at });
    }
    return changed;
  }
}
