/**
 * Calibrated sizing: refitting a strategy of 10,000 closed trades, and what
 * a calibrated signal adds to sizing, each beside a floor.
 */
import { dec, Decimal } from '../src/domain/money.js';
import { CalibrationBook, statedRewardRisk } from '../src/execution/calibration/book.js';
import { type CalibrationPoint, fitCalibration } from '../src/execution/calibration/model.js';
import { type PositionSizingConfig, sizePosition } from '../src/execution/sizing.js';
import { toSignal } from '../src/domain/signal.js';
import { fmt, median, microsSince, withTempStore } from './stats.js';

const TRADES = 10_000;
const SIZINGS = 20_000;
const REFITS = 20;

export interface CalibrationFigures {
  /** Milliseconds: one fit of 10,000 trades held in memory. */
  fitMs: number;
  /** Milliseconds: the floor, one pass over the same trades counting the wins. */
  passFloorMs: number;
  /** Milliseconds: the trades read again from SQLite (joined to their signals) and fitted. */
  readAndFitMs: number;
  /** Microseconds per signal: raw Kelly sizing (the floor) and calibrated Kelly sizing on a fitted strategy. */
  kellyUs: number;
  calibratedUs: number;
}

/** A deterministic record: stated 0.50–0.95, winning less often than it says. */
function points(): CalibrationPoint[] {
  let seed = 12_345;
  const next = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  return Array.from({ length: TRADES }, (_, i) => {
    const confidence = Math.round((0.5 + next() * 0.45) * 100) / 100;
    const won = next() < confidence - 0.2;
    return { confidence, won, returnPct: won ? 0.04 : -0.02, closedAt: Date.UTC(2020, 0, 1) + i * 3_600_000 };
  });
}

function timeMs(fn: () => void, times: number): number {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const start = process.hrtime.bigint();
    fn();
    samples.push(microsSince(start) / 1000);
  }
  return median(samples);
}

export async function benchCalibration(): Promise<CalibrationFigures> {
  const trades = points();
  const fitMs = timeMs(() => void fitCalibration(trades, 30), REFITS);
  let wins = 0;
  const passFloorMs = timeMs(() => {
    for (const t of trades) if (t.won) wins += 1;
  }, REFITS);
  if (wins === 0) throw new Error('no winning trade');

  return withTempStore(async (store) => {
    const base = {
      ticker: 'AAA',
      side: 'long' as const,
      quantity: dec(100),
      entryPrice: dec(100),
      exitOrderId: null,
      entryOrderId: null,
      exitReason: 'manual' as const,
    };
    for (let i = 0; i < TRADES; i += 500) {
      const slice = trades.slice(i, i + 500);
      await store.transaction(async (tx) => {
        for (const [j, t] of slice.entries()) {
          const id = `s${i + j}`;
          await tx.signals.insertIfNew({
            signalId: id,
            ticker: 'AAA',
            action: 'buy',
            entryPrice: dec(100),
            stopLossPrice: dec(95),
            takeProfitPrice: dec(110),
            confidence: new Decimal(t.confidence),
            positionSizePct: null,
            signalType: null,
            strategy: 'bench',
            source: 'code',
            status: 'executed',
            signalTime: new Date(t.closedAt - 3_600_000),
            receivedAt: new Date(t.closedAt - 3_600_000),
            expiresAt: new Date(t.closedAt),
            decidedBy: null,
            decidedAt: null,
            decisionNote: null,
            orderId: null,
            channelId: null,
            messageId: null,
            payload: '{}',
          });
        }
      });
      await store.closedPositions.insertMany(
        slice.map((t, j) => ({
          ...base,
          positionId: `p${i + j}`,
          signalId: `s${i + j}`,
          strategy: 'bench',
          exitPrice: t.won ? dec(104) : dec(98),
          realizedPnl: t.won ? dec(400) : dec(-200),
          realizedPnlPct: new Decimal(t.returnPct),
          openedAt: new Date(t.closedAt - 3_600_000),
          closedAt: new Date(t.closedAt),
        })),
      );
    }
    const now = new Date(Date.UTC(2030, 0, 1));
    const readSamples: number[] = [];
    for (let i = 0; i < 5; i++) {
      const book = new CalibrationBook(store.closedPositions, 30);
      const start = process.hrtime.bigint();
      await book.fitBefore('bench', now);
      readSamples.push(microsSince(start) / 1000);
    }

    const signal = toSignal({
      signal_id: 'x',
      ticker: 'AAA',
      timestamp: '2030-01-01T00:00:00Z',
      action: 'buy',
      confidence: 0.8,
      current_price: '100',
      stop_loss_price: '95',
      take_profit_price: '110',
      strategy: 'bench',
    });
    const account = { equity: dec(100_000), buyingPower: dec(200_000) };
    const config = (method: PositionSizingConfig['method']): PositionSizingConfig => ({
      method,
      maxPositionSizePct: dec(1),
      riskPerTradePct: dec('0.02'),
      kellyFraction: dec('0.5'),
    });
    const kelly = config('kelly');
    const calibrated = config('calibrated_kelly');
    const book = new CalibrationBook(store.closedPositions, 30);
    await book.fitBefore('bench', now);
    const rewardRisk = statedRewardRisk(signal) ?? dec(2);
    let sink = 0;
    const kellyStart = process.hrtime.bigint();
    for (let i = 0; i < SIZINGS; i++) sink += sizePosition(signal, account, kelly).ok ? 1 : 0;
    const kellyUs = microsSince(kellyStart) / SIZINGS;
    const calibratedStart = process.hrtime.bigint();
    // As the executor does: the estimate from the book's cached fit (an await), then sizing.
    for (let i = 0; i < SIZINGS; i++) {
      const estimate = await book.estimate('bench', signal.confidence, rewardRisk, now);
      sink += sizePosition(signal, account, calibrated, estimate).ok ? 1 : 0;
    }
    const calibratedUs = microsSince(calibratedStart) / SIZINGS;
    if (sink === 0) throw new Error('no signal was sized');
    return { fitMs, passFloorMs, readAndFitMs: median(readSamples), kellyUs, calibratedUs };
  });
}

export function calibrationTable(runs: readonly CalibrationFigures[]): string {
  const m = (pick: (f: CalibrationFigures) => number) => median(runs.map(pick));
  const fit = fmt(
    m((f) => f.fitMs),
    2,
  );
  const pass = fmt(
    m((f) => f.passFloorMs),
    3,
  );
  const read = fmt(
    m((f) => f.readAndFitMs),
    1,
  );
  const kelly = m((f) => f.kellyUs);
  const calibrated = m((f) => f.calibratedUs);
  return [
    '| measure | time | floor | target |',
    '| --- | ---: | ---: | ---: |',
    `| refit a strategy of 10,000 trades (in memory) | ${fit} ms | ${pass} ms (one pass counting its wins) | < 10 ms |`,
    `| read its 10,000 trades from SQLite and fit (first use) | ${read} ms | | |`,
    `| size a signal, calibrated Kelly (fit cached) | ${fmt(calibrated, 2)} µs | ${fmt(kelly, 2)} µs (raw Kelly sizing) | |`,
    `| added by calibration | ${fmt(calibrated - kelly, 2)} µs | | < 50 µs |`,
  ].join('\n');
}
