/** Closed trades joined to their signals' stated confidence: what calibrating a strategy reads. */
import { describe, expect, it } from 'vitest';
import { dec } from '../../src/domain/money.js';
import type { CalibrationTradeRecord } from '../../src/domain/ports/store.js';
import { at, closedRecord, signalRecord } from '../helpers/fixtures.js';
import { useTempStore } from '../helpers/tempDb.js';

const row = (r: CalibrationTradeRecord) => [
  r.positionId,
  r.strategy,
  r.confidence.toFixed(),
  r.realizedPnl.toFixed(),
  r.realizedPnlPct.toFixed(),
  r.closedAt.toISOString(),
];

describe('closed_positions joined to signals', () => {
  const newStore = useTempStore();

  it('lists the trades opened by a stored signal with its confidence, oldest first, by strategy and time', async () => {
    const store = await newStore();
    await store.signals.insertIfNew(signalRecord({ signalId: 's1', confidence: dec('0.8'), strategy: 'momentum' }));
    await store.signals.insertIfNew(signalRecord({ signalId: 's2', confidence: dec('0.65'), strategy: 'momentum' }));
    await store.signals.insertIfNew(signalRecord({ signalId: 's3', confidence: dec('0.9'), strategy: null }));
    await store.closedPositions.insertMany([
      closedRecord({ positionId: 'p2', signalId: 's2', strategy: 'momentum', realizedPnl: dec('-20.5'), realizedPnlPct: dec('-0.0205'), closedAt: at(20) }),
      closedRecord({ positionId: 'p1', signalId: 's1', strategy: 'momentum', realizedPnl: dec('40'), realizedPnlPct: dec('0.04'), closedAt: at(10) }),
      closedRecord({ positionId: 'p3', signalId: 's3', strategy: null, realizedPnl: dec('1'), realizedPnlPct: dec('0.001'), closedAt: at(30) }),
      // A manual trade (no signal) and one whose signal was never stored: nothing to calibrate.
      closedRecord({ positionId: 'p4', signalId: null, strategy: 'momentum', closedAt: at(40) }),
      closedRecord({ positionId: 'p5', signalId: 'unknown', strategy: 'momentum', closedAt: at(50) }),
    ]);
    const repo = store.closedPositions;
    expect((await repo.listCalibrationTrades({ strategy: 'momentum' })).map(row)).toEqual([
      ['p1', 'momentum', '0.8', '40', '0.04', at(10).toISOString()],
      ['p2', 'momentum', '0.65', '-20.5', '-0.0205', at(20).toISOString()],
    ]);
    expect((await repo.listCalibrationTrades({ strategy: null })).map((r) => r.positionId)).toEqual(['p3']);
    expect((await repo.listCalibrationTrades({})).map((r) => r.positionId)).toEqual(['p1', 'p2', 'p3']);
    expect((await repo.listCalibrationTrades({ since: at(20), until: at(30) })).map((r) => r.positionId)).toEqual(['p2']);
  });
});
