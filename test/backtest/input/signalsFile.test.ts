import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SignalInputError } from '../../../src/backtest/input/errors.js';
import { checkSignalsAgainstBars, readSignals } from '../../../src/backtest/input/signalsFile.js';
import { validateBars } from '../../../src/backtest/input/barsCsv.js';
import { useTempFiles } from '../../helpers/tempDb.js';

const { dir, write } = useTempFiles();

async function refusal(promise: Promise<unknown>): Promise<SignalInputError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SignalInputError);
  return err as SignalInputError;
}

const CSV_HEADER = 'signal_id,ticker,timestamp,action,confidence,current_price,stop_loss_price,take_profit_price,strategy\n';

function jsonl(...signals: Record<string, unknown>[]): string {
  return signals.map((s) => JSON.stringify(s)).join('\n') + '\n';
}

const base = {
  ticker: 'AAPL',
  action: 'buy',
  confidence: 0.75,
  current_price: '185.64',
  stop_loss_price: '180.10',
  take_profit_price: '196.70',
  strategy: 'gap_and_go',
};

describe('signals files', () => {
  it('reads a CSV file in time order, keeping the file order among equal times, with exact decimals', async () => {
    const file = write(
      's.csv',
      CSV_HEADER +
        's3,MSFT,2024-01-04T14:30:00Z,sell,0.6,370.60,375.00,360.00,\n' +
        's1,aapl,2024-01-02T14:30:00Z,buy,0.8,185.64,180.10,196.70,gap_and_go\n' +
        's2,NVDA,2024-01-02T14:30:00Z,buy,0.7,481.68,470,500.5,momentum\n',
    );
    const loaded = await readSignals(file);
    expect(loaded.signals.map((s) => s.signalId)).toEqual(['s1', 's2', 's3']);
    const [s1, , s3] = loaded.signals;
    expect(s1?.ticker).toBe('AAPL');
    expect(s1?.currentPrice.toFixed()).toBe('185.64');
    expect(s1?.stopLossPrice.toFixed()).toBe('180.1');
    expect(s1?.takeProfitPrice.toFixed()).toBe('196.7');
    expect(s1?.confidence.toFixed()).toBe('0.8');
    expect(s1?.strategy).toBe('gap_and_go');
    expect(s3?.action).toBe('sell');
    expect(s3?.strategy).toBeNull();
    expect(s3?.timestamp.toISOString()).toBe('2024-01-04T14:30:00.000Z');
    expect([...loaded.lines]).toEqual([
      ['s3', 2],
      ['s1', 3],
      ['s2', 4],
    ]);
  });

  it('reads a JSONL file, skipping blank lines', async () => {
    const file = write(
      's.jsonl',
      jsonl({ ...base, signal_id: 'b', timestamp: '2024-01-03T15:00:00Z' }) + '\n' + jsonl({ ...base, signal_id: 'a', timestamp: 1704207600 }),
    );
    const loaded = await readSignals(file);
    expect(loaded.signals.map((s) => `${s.signalId} ${s.timestamp.toISOString()} ${s.currentPrice.toFixed()}`)).toEqual([
      'a 2024-01-02T15:00:00.000Z 185.64',
      'b 2024-01-03T15:00:00.000Z 185.64',
    ]);
    expect(loaded.lines.get('a')).toBe(3);
  });

  it('refuses a stop on the wrong side with the file, line and the schema reason', async () => {
    const file = write(
      's.jsonl',
      jsonl(
        { ...base, signal_id: 'ok', timestamp: '2024-01-02T15:00:00Z' },
        { ...base, signal_id: 'bad', timestamp: '2024-01-02T15:00:00Z', stop_loss_price: '190' },
      ),
    );
    const err = await refusal(readSignals(file));
    expect(err.message).toBe(`${file}:2: stop_loss_price: 190 is on the wrong side of the entry 185.64: a buy needs its stop below it`);
    expect(err.line).toBe(2);
    expect(err.reason).toBe('stop_loss_price: 190 is on the wrong side of the entry 185.64: a buy needs its stop below it');
  });

  it('refuses a CSV row with a bad action', async () => {
    const file = write('s.csv', CSV_HEADER + 's1,AAPL,2024-01-02T14:30:00Z,hold,0.8,185.64,180.10,196.70,x\n');
    expect((await refusal(readSignals(file))).message).toBe(`${file}:2: action: expected \`buy\` or \`sell\``);
  });

  it('refuses a duplicate signal_id naming both lines', async () => {
    const file = write(
      's.csv',
      CSV_HEADER +
        'dup,AAPL,2024-01-02T14:30:00Z,buy,0.8,185.64,180.10,196.70,\n' +
        'x,AAPL,2024-01-02T14:30:00Z,buy,0.8,185.64,180.10,196.70,\n' +
        'dup,AAPL,2024-01-03T14:30:00Z,buy,0.8,185.64,180.10,196.70,\n',
    );
    expect((await refusal(readSignals(file))).message).toBe(`${file}:4: duplicate signal_id "dup" (also line 2)`);
  });

  it('refuses bad JSON, a non-object line, and an unknown extension', async () => {
    const broken = write('b.jsonl', jsonl({ ...base, signal_id: 'a', timestamp: '2024-01-02T15:00:00Z' }) + '{"signal_id":\n');
    expect((await refusal(readSignals(broken))).message).toMatch(new RegExp(`^${broken.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2: not valid JSON: `));
    const list = write('l.jsonl', '[1,2]\n');
    expect((await refusal(readSignals(list))).message).toBe(`${list}:1: expected a JSON object`);
    const txt = write('s.txt', '');
    expect((await refusal(readSignals(txt))).message).toBe(`${txt}: expected a .csv or .jsonl file, got ".txt"`);
    const missing = join(dir(), 'none.csv');
    expect((await refusal(readSignals(missing))).message).toBe(`${missing}: no such file`);
  });

  it('refuses a signal for a symbol without bars, naming its line', async () => {
    const bars = write('bars.csv', 'symbol,timestamp,open,high,low,close,volume\nAAPL,2024-01-02,10,11,9,10,1\n');
    const validated = await validateBars(bars);
    const file = write(
      's.jsonl',
      jsonl(
        { ...base, signal_id: 'a', timestamp: '2024-01-03T15:00:00Z' },
        { ...base, signal_id: 'b', ticker: 'TSLA', timestamp: '2024-01-02T15:00:00Z' },
        { ...base, signal_id: 'c', ticker: 'AMD', timestamp: '2024-01-01T15:00:00Z' },
      ),
    );
    const loaded = await readSignals(file);
    let err: unknown;
    try {
      checkSignalsAgainstBars(loaded, validated.symbols);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SignalInputError);
    expect((err as Error).message).toBe(`${file}:2: signal "b" is for TSLA, which has no bars`);
    expect(() => checkSignalsAgainstBars(loaded, new Set(['AAPL', 'TSLA', 'AMD']))).not.toThrow();
  });
});
