/** A signal's free text (strategy, signal_type) never carries control characters to the terminal or the channel. */
import { afterEach, describe, expect, it } from 'vitest';
import { parseSignal } from '../../src/domain/signal.js';
import { sign } from '../../src/signals/webhook/signature.js';
import { WebhookServer } from '../../src/signals/webhook/WebhookServer.js';
import { useTempStore } from '../helpers/tempDb.js';
import { operatorHarness } from '../operator/appHarness.js';

const wire = (overrides: Record<string, unknown> = {}) => ({
  signal_id: 'cc-1',
  ticker: 'AAPL',
  timestamp: '2026-03-02T15:00:00Z',
  action: 'buy',
  confidence: 0.7,
  current_price: 190,
  stop_loss_price: 185,
  take_profit_price: 200,
  ...overrides,
});

const problems = (input: unknown) => {
  const r = parseSignal(input);
  return r.ok ? [] : r.problems;
};

describe('control characters in a signal', () => {
  it('are refused, naming the field and the character', () => {
    expect(problems(wire({ strategy: 'cat\u001b[31malyst' }))).toEqual(['strategy: must not contain control characters (found U+001B)']);
    expect(problems(wire({ signal_type: 'earn\u0000ings' }))).toEqual(['signal_type: must not contain control characters (found U+0000)']);
    expect(problems(wire({ strategy: 'a\nb', signal_type: 'x\u009bz' }))).toEqual([
      'signal_type: must not contain control characters (found U+009B)',
      'strategy: must not contain control characters (found U+000A)',
    ]);
    expect(problems(wire({ strategy: 'x\u202Egnp.exe' }))).toEqual(['strategy: must not contain control characters (found U+202E)']);
    expect(problems(wire({ strategy: 'x'.repeat(65) }))).toEqual(['strategy: at most 64 characters']);
  });

  it('plain text, surrounding whitespace trimmed, and Unicode letters pass', () => {
    const r = parseSignal(wire({ strategy: '  momentum – café  ', signal_type: 'earnings' }));
    expect(r.ok && [r.signal.strategy, r.signal.signalType]).toEqual(['momentum – café', 'earnings']);
  });

  const newStore = useTempStore();
  const servers: WebhookServer[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.stop();
  });

  it('the webhook answers 400 naming the field, and stores nothing', async () => {
    const t = await operatorHarness(await newStore());
    const secret = 'webhook-test-secret-0123456789';
    const server = new WebhookServer({
      operator: t.app.operator,
      secret,
      host: '127.0.0.1',
      port: 0,
      log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    });
    servers.push(server);
    const { url } = await server.start();
    const body = JSON.stringify(wire({ strategy: 'evil\u001b]0;pwned\u0007' }));
    const ts = Math.floor(Date.now() / 1000);
    const res = await fetch(`${url}/signals`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-timestamp': String(ts), 'x-signature': sign(secret, ts, body) },
      body,
    });
    expect([res.status, await res.json()]).toEqual([
      400,
      { error: 'invalid signal', problems: ['strategy: must not contain control characters (found U+001B)'] },
    ]);
    expect(await t.store.signals.get('cc-1')).toBeNull();
  });
});
