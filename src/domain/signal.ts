/**
 * The trading signal: what the analysis sends and the executor acts on.
 * The wire form is the seed's (snake_case JSON, prices as numbers or decimal
 * strings); the domain form holds Decimals and a Date.
 */
import { z } from 'zod';
import { type Decimal, ONE, ZERO } from './money.js';
import type { OrderSide } from './enums.js';
import { decimalSchema, plainTextSchema, priceSchema, tickerSchema } from './fields.js';
import type { SignalSource, StoredSignal } from './records.js';

export interface TradingSignal {
  signalId: string;
  ticker: string;
  timestamp: Date;
  action: OrderSide;
  /** 0..1 */
  confidence: Decimal;
  /** The entry the analysis expects. */
  currentPrice: Decimal;
  stopLossPrice: Decimal;
  takeProfitPrice: Decimal;
  /** Fraction of equity for the `percent` sizing method (0.05 = 5%). */
  positionSizePct: Decimal | null;
  signalType: string | null;
  strategy: string | null;
}

/** Free text: printed to the terminal and chat, so control characters are refused, naming the field. */
const optionalText = (max: number) =>
  plainTextSchema(max)
    .nullish()
    .transform((v) => (v === undefined || v === null || v === '' ? null : v));

const wireSchema = z.object({
  signal_id: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(64, 'at most 64 characters')
    .regex(/^[A-Za-z0-9._:-]+$/, 'letters, digits and . _ : - only'),
  ticker: tickerSchema,
  timestamp: z.union([z.string(), z.number()]).transform((value, ctx): Date => {
    // Unix seconds or an ISO-8601 text.
    const date = typeof value === 'number' ? new Date(value * 1000) : new Date(value);
    if (Number.isNaN(date.getTime())) {
      ctx.addIssue({ code: 'custom', message: `expected an ISO-8601 time or unix seconds, got ${JSON.stringify(value)}` });
      return z.NEVER;
    }
    return date;
  }),
  action: z.enum(['buy', 'sell'], { message: 'expected `buy` or `sell`' }),
  confidence: decimalSchema.refine((d) => d.gte(ZERO) && d.lte(ONE), 'must be between 0 and 1'),
  current_price: priceSchema,
  stop_loss_price: priceSchema,
  take_profit_price: priceSchema,
  position_size_pct: decimalSchema.refine((d) => d.gt(ZERO) && d.lte(ONE), 'must be above 0 and at most 1').nullish(),
  signal_type: optionalText(64),
  strategy: optionalText(64),
});

/** The signal's prices must make a trade: stop and target on their sides of the entry. */
function checkSides(s: z.output<typeof wireSchema>, ctx: z.RefinementCtx): void {
  const entry = s.current_price;
  // A price already refused is not compared again.
  if ([entry, s.stop_loss_price, s.take_profit_price].some((p) => p.lte(0))) return;
  const long = s.action === 'buy';
  if (s.stop_loss_price.eq(entry)) {
    ctx.addIssue({ code: 'custom', path: ['stop_loss_price'], message: `equals the entry ${entry.toFixed()}: zero risk distance` });
  } else if (long ? s.stop_loss_price.gt(entry) : s.stop_loss_price.lt(entry)) {
    ctx.addIssue({
      code: 'custom',
      path: ['stop_loss_price'],
      message: `${s.stop_loss_price.toFixed()} is on the wrong side of the entry ${entry.toFixed()}: a ${s.action} needs its stop ${long ? 'below' : 'above'} it`,
    });
  }
  if (long ? s.take_profit_price.lte(entry) : s.take_profit_price.gte(entry)) {
    ctx.addIssue({
      code: 'custom',
      path: ['take_profit_price'],
      message: `${s.take_profit_price.toFixed()} is on the wrong side of the entry ${entry.toFixed()}: a ${s.action} needs its target ${long ? 'above' : 'below'} it`,
    });
  }
}

export const tradingSignalSchema = wireSchema.superRefine(checkSides).transform((s): TradingSignal => ({
  signalId: s.signal_id,
  ticker: s.ticker,
  timestamp: s.timestamp,
  action: s.action,
  confidence: s.confidence,
  currentPrice: s.current_price,
  stopLossPrice: s.stop_loss_price,
  takeProfitPrice: s.take_profit_price,
  positionSizePct: s.position_size_pct ?? null,
  signalType: s.signal_type,
  strategy: s.strategy,
}));

/** The wire form accepted from JSON (what `tradingSignalSchema` parses). */
export type TradingSignalInput = z.input<typeof wireSchema>;

export class SignalValidationError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid signal: ${problems.join('; ')}`);
    this.name = 'SignalValidationError';
  }
}

/** One line per problem, each naming its field: `stop_loss_price: ...`. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'signal'}: ${issue.message}`);
}

export type SignalParse = { ok: true; signal: TradingSignal } | { ok: false; problems: string[] };

export function parseSignal(input: unknown): SignalParse {
  const result = tradingSignalSchema.safeParse(input);
  return result.success ? { ok: true, signal: result.data } : { ok: false, problems: describeIssues(result.error) };
}

/** Parses or throws SignalValidationError. */
export function toSignal(input: unknown): TradingSignal {
  const parsed = parseSignal(input);
  if (!parsed.ok) throw new SignalValidationError(parsed.problems);
  return parsed.signal;
}

/** The wire form of a signal (for storage and for `npm run signal`). */
export function signalToWire(s: TradingSignal): Record<string, string | null> {
  return {
    signal_id: s.signalId,
    ticker: s.ticker,
    timestamp: s.timestamp.toISOString(),
    action: s.action,
    confidence: s.confidence.toFixed(),
    current_price: s.currentPrice.toFixed(),
    stop_loss_price: s.stopLossPrice.toFixed(),
    take_profit_price: s.takeProfitPrice.toFixed(),
    position_size_pct: s.positionSizePct?.toFixed() ?? null,
    signal_type: s.signalType,
    strategy: s.strategy,
  };
}

/** Dollars risked per share: |entry − stop|. */
export function riskPerShare(s: Pick<TradingSignal, 'currentPrice' | 'stopLossPrice'>): Decimal {
  return s.currentPrice.minus(s.stopLossPrice).abs();
}

/** Reward-to-risk ratio: |target − entry| / |entry − stop|. */
export function rewardToRisk(s: Pick<TradingSignal, 'currentPrice' | 'stopLossPrice' | 'takeProfitPrice'>): Decimal {
  return s.takeProfitPrice.minus(s.currentPrice).abs().div(riskPerShare(s));
}

/** How a signal enters the signals table: where from, when, and its state (pending, or already decided). */
export interface SignalArrival {
  source: SignalSource;
  receivedAt: Date;
  expiresAt: Date;
  status: StoredSignal['status'];
  decidedBy: string | null;
  decidedAt: Date | null;
}

/** The signals table's row for a signal: its fields as sent, the wire form kept as the payload, no order or message yet. */
export function storedSignalOf(signal: TradingSignal, arrival: SignalArrival): StoredSignal {
  return {
    signalId: signal.signalId,
    ticker: signal.ticker,
    action: signal.action,
    entryPrice: signal.currentPrice,
    stopLossPrice: signal.stopLossPrice,
    takeProfitPrice: signal.takeProfitPrice,
    confidence: signal.confidence,
    positionSizePct: signal.positionSizePct,
    signalType: signal.signalType,
    strategy: signal.strategy,
    signalTime: signal.timestamp,
    ...arrival,
    decisionNote: null,
    orderId: null,
    channelId: null,
    messageId: null,
    payload: JSON.stringify(signalToWire(signal)),
  };
}
