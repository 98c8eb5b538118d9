/** The scheduled monitor on an injected clock: market hours, trading days, catch-up, alerts once, grouping, outages, the chart. */
import { readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { dec } from '../../src/domain/money.js';
import { AlertCenter } from '../../src/monitor/AlertCenter.js';
import { CHART_SIZE } from '../../src/monitor/chart.js';
import { intervalRule, Monitor } from '../../src/monitor/Monitor.js';
import type { View } from '../../src/views/view.js';
import { useTempStore } from '../helpers/tempDb.js';
import { signal } from '../helpers/engineHarness.js';
import { until } from '../helpers/until.js';
import { operatorHarness } from '../operator/appHarness.js';

const NYSE = (start: string) => ({ sim: { mode: 'nyse' as const, start } });
const at = (iso: string) => new Date(iso).getTime();
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** A sink that records what it posts, and can be made to fail like a Discord outage. */
function recordingSink() {
  const messages: View[][] = [];
  let down = false;
  return {
    messages,
    setDown(value: boolean) {
      down = value;
    },
    async post(views: readonly View[]) {
      if (down) throw new Error('Discord is unreachable (503)');
      messages.push([...views]);
    },
  };
}

describe('monitor cycles follow the market', () => {
  const newStore = useTempStore();

  it('runs in market hours, once right after the close, and not at night or at weekends', async () => {
    // Monday 2026-03-02 09:00 New York = 14:00 UTC (EST).
    const t = await operatorHarness(await newStore(), {}, NYSE('2026-03-02T14:00:00Z'));
    const clock = t.sim.clock;
    expect(await t.monitor.tick()).toBe('closed');
    clock.set(new Date(at('2026-03-02T15:00:00Z'))); // 10:00
    expect(await t.monitor.tick()).toBe('cycle');
    clock.set(new Date(at('2026-03-02T21:05:00Z'))); // 16:05, after the close
    expect(await t.monitor.tick()).toBe('cycle');
    clock.set(new Date(at('2026-03-02T21:10:00Z')));
    expect(await t.monitor.tick()).toBe('closed');
    expect((await t.store.equity.latest())?.kind).toBe('intraday');
    clock.set(new Date(at('2026-03-07T16:00:00Z'))); // Saturday
    expect(await t.monitor.tick()).toBe('closed');
    // No cycle at the weekend. The beat posts Friday's report, which the clock jumped over, marked late;
    // with no figure recorded on Friday, no closing equity is invented for it.
    expect(t.output()).toContain('Daily report 2026-03-06 (SIM)');
    expect(await t.store.equity.getDaily('2026-03-06')).toBeNull();
  });

  it('a failed cycle is logged and alerted, and the next one runs', async () => {
    const t = await operatorHarness(await newStore(), {}, { alpaca: true });
    const sink = recordingSink();
    const alerts = new AlertCenter({ store: t.store, sink, log: quiet, now: () => t.sim.clock.now() });
    const monitor = new Monitor({
      app: t.app,
      alerts,
      log: quiet,
      intervalSeconds: 60,
      reportTime: { hour: 16, minute: 15 },
      timezone: 'America/New_York',
      now: () => t.sim.clock.now(),
    });
    t.faults?.inject('GET', '/v2/positions', { kind: 'serverError' }, 10);
    expect(await monitor.runCycle()).toBe(false);
    expect(sink.messages.flat().map((v) => v.title)).toEqual(['Monitor cycle failed']);
    expect(monitor.status().lastCycle?.ok).toBe(false);
    t.faults?.clear();
    expect(await monitor.runCycle()).toBe(true);
    expect(monitor.status().lastCycle?.ok).toBe(true);
  });

  it('records fills missed while the stream was down in the next cycle, and alerts them', async () => {
    const t = await operatorHarness(await newStore());
    await t.type('/buy AAPL qty:100 stop_loss:185 take_profit:200');
    t.stopFollowing(); // the stream goes quiet
    t.sim.engine.setPrice('AAPL', dec('184')); // the broker's stop leg fills meanwhile
    expect(await t.app.engine.manager.getPosition('AAPL')).not.toBeNull();
    await t.monitor.runCycle();
    expect(await t.app.engine.manager.getPosition('AAPL')).toBeNull();
    expect(t.output()).toContain('» ✖ Stop-loss hit: AAPL\n    long 100 AAPL: $190.00 → $184.00\n    Realized P&L: -$600.00 (-3.16%)');
  });

  it('alerts an exit the broker refuses once, still closes the other triggered positions, and tries again next cycle', async () => {
    const t = await operatorHarness(await newStore(), { MAX_POSITION_PCT: '1.0' }, { alpaca: true });
    // Two positions the bot guards itself (no broker legs), both through their stops at the next cycle.
    await t.app.engine.executor.executeSignal(signal(), { useBracketOrder: false, quantity: dec(10) });
    await t.app.engine.executor.executeSignal(
      signal({ signal_id: 'sig-m', ticker: 'MSFT', current_price: '410', stop_loss_price: '400', take_profit_price: '430' }),
      { useBracketOrder: false, quantity: dec(5) },
    );
    await t.app.engine.ledger.serial(async () => undefined);
    t.sim.engine.setPrice('AAPL', dec('184'));
    t.sim.engine.setPrice('MSFT', dec('399'));
    const refusal = 'trade denied due to a restriction on the account';
    t.faults?.inject('POST', '/v2/orders', { kind: 'refuse', status: 403, code: 40310000, message: refusal }, 2);

    expect(await t.monitor.runCycle()).toBe(true);
    await until(() => (t.output().includes('Exit refused') ? true : null));
    expect(t.output()).toContain(
      `» ✖ Exit refused: long 10 AAPL\n    The stop $185.00 was crossed (last $184.00), but the broker refused the exit: ${refusal}. The position is still open.`,
    );
    // The refusal held back nothing else: MSFT's exit was refused too (two refusals armed), then the next cycle closes both.
    expect((await t.app.operator.openPositions()).map((p) => p.ticker).sort()).toEqual(['AAPL', 'MSFT']);
    expect(await t.monitor.runCycle()).toBe(true);
    await until(async () => ((await t.app.operator.openPositions()).length === 0 ? true : null));
    expect(t.output().split('Exit refused: long 10 AAPL').length - 1).toBe(1);
    expect(t.output()).toContain('Exit refused: long 5 MSFT');
    const exits = t.sim.engine.listOrders({ status: 'all' }).filter((o) => o.side === 'sell');
    expect(exits.map((o) => [o.ticker, o.quantity.toFixed(), o.status]).sort()).toEqual([
      ['AAPL', '10', 'filled'],
      ['MSFT', '5', 'filled'],
    ]);
  });

  it('steps down to REDUCING at the 2% daily loss by itself and alerts it once, then halts at 3%', async () => {
    const t = await operatorHarness(await newStore(), { MAX_POSITION_PCT: '1.0' });
    await t.type('/buy AAPL qty:400');
    t.sim.engine.setPrice('AAPL', dec('184.75')); // (184.75 − 190) × 400 = −2,100: 2.10% below the day's start
    await t.monitor.runCycle();
    await until(() => (t.output().includes('Trading reducing') ? true : null));
    await t.monitor.runCycle(); // still 2.10% down: nothing new to say
    expect(t.output().split('Trading reducing').length - 1).toBe(1);
    expect(t.output()).toContain(
      "» ! Trading reducing\n    Risk limit: daily loss step: equity $97,900.00 is 2.10% below the day's start $100,000.00 (reduce at 2.00%, halt at 3.00%). Only orders that shrink exposure (closes, partial closes) until /resume; no entries.",
    );
    expect((await t.app.operator.account()).trading.state).toBe('REDUCING');
    t.sim.engine.setPrice('AAPL', dec('182.4')); // −3,040: 3.04%
    await t.monitor.runCycle();
    await until(() => (t.output().includes('Trading halted') ? true : null));
    expect(t.output()).toContain("» ✖ Trading halted\n    Risk limit: daily loss limit: equity $96,960.00 is 3.04% below the day's start");
    expect((await t.app.operator.account()).trading.state).toBe('HALTED');
  });
});

describe('the daily report', () => {
  const newStore = useTempStore();

  it('is posted once on a trading day after its time, not on a weekend or holiday', async () => {
    // Thursday 2026-07-02; Friday 2026-07-03 is the Independence Day holiday.
    const t = await operatorHarness(await newStore(), {}, NYSE('2026-07-02T14:00:00Z'));
    const clock = t.sim.clock;
    await t.monitor.runCycle(); // the bot runs that day: there is equity on record
    clock.set(new Date(at('2026-07-02T20:14:00Z'))); // 16:14 EDT: not yet
    expect(await t.monitor.checkReport()).toBeNull();
    clock.set(new Date(at('2026-07-02T20:15:00Z')));
    expect(await t.monitor.checkReport()).toBe('2026-07-02');
    expect(await t.monitor.checkReport()).toBeNull();
    clock.set(new Date(at('2026-07-03T20:30:00Z'))); // the holiday
    expect(await t.monitor.checkReport()).toBeNull();
    clock.set(new Date(at('2026-07-04T20:30:00Z'))); // Saturday
    expect(await t.monitor.checkReport()).toBeNull();
    clock.set(new Date(at('2026-07-06T20:16:00Z'))); // Monday
    expect(await t.monitor.checkReport()).toBe('2026-07-06');
    expect(t.output().match(/Daily report \d{4}-\d{2}-\d{2}/g)).toEqual(['Daily report 2026-07-02', 'Daily report 2026-07-06']);
    expect((await t.store.equity.getDaily('2026-07-02'))?.equity.toFixed(2)).toBe('100000.00');
  });

  it('waits for an early close when the report time comes before it', async () => {
    // Friday 2026-11-27 closes at 13:00 New York; a report time of 12:00 waits for the close.
    const t = await operatorHarness(await newStore(), { DAILY_REPORT_TIME: '12:00' }, NYSE('2026-11-27T15:00:00Z'));
    await t.monitor.runCycle();
    t.sim.clock.set(new Date(at('2026-11-27T17:30:00Z'))); // 12:30
    expect(await t.monitor.checkReport()).toBeNull();
    t.sim.clock.set(new Date(at('2026-11-27T18:00:00Z'))); // 13:00, the early close
    expect(await t.monitor.checkReport()).toBe('2026-11-27');
  });

  it('is posted at the next start when the bot was down at report time, saying so', async () => {
    const store = await newStore();
    const t = await operatorHarness(store, {}, NYSE('2026-03-03T15:00:00Z')); // Tuesday 10:00
    await t.monitor.runCycle();
    // Down from Tuesday 11:00 to Wednesday 09:00: Tuesday's 16:15 report was missed.
    t.sim.clock.set(new Date(at('2026-03-04T14:00:00Z')));
    const summary = await t.app.engine.reconciler.reconcile();
    await t.monitor.startUp(summary);
    const out = t.output();
    expect(out).toContain('Started: reconciliation\n    Database and broker agree.');
    expect(out).toContain('Daily report 2026-03-03 (SIM)');
    expect(out).toContain('Posted late (due 2026-03-03T21:15:00.000Z): the bot was not running at report time; equity and open positions are as of now.');
    // Tuesday's close is its last intraday figure, not Wednesday's equity.
    const eod = await store.equity.getDaily('2026-03-03');
    expect([eod?.kind, eod?.takenAt.toISOString()]).toEqual(['eod', '2026-03-03T15:00:00.000Z']);
  });

  it('attaches an equity chart that is a real PNG of the expected size, drawdown shaded', async () => {
    const t = await operatorHarness(await newStore());
    const days = ['2026-02-23', '2026-02-24', '2026-02-25', '2026-02-26', '2026-02-27'];
    const equity = ['100000', '101500', '99800', '100900', '102300'];
    for (const [i, day] of days.entries()) {
      await t.store.equity.record({
        takenAt: new Date(`${day}T21:00:00Z`),
        tradingDay: day,
        kind: 'eod',
        equity: dec(equity[i]!),
        cash: dec(equity[i]!),
        positionsValue: dec(0),
        unrealizedPnl: dec(0),
        realizedPnlDay: dec(0),
        openPositions: 0,
      });
    }
    const out = await t.type('/report');
    const path = /Chart saved: (.+\.png)/.exec(out)?.[1];
    expect(path).toMatch(/reports\/2026-03-02\.png$/);
    const png = PNG.sync.read(readFileSync(path!));
    expect([png.width, png.height]).toEqual([CHART_SIZE.width, CHART_SIZE.height]);
    // Some pixels carry the drawdown's red shading.
    let shaded = 0;
    for (let i = 0; i < png.data.length; i += 4) {
      const [r, g, b] = [png.data[i]!, png.data[i + 1]!, png.data[i + 2]!];
      if (r > 200 && g < 215 && b < 215 && r - g > 25) shaded++;
    }
    expect(shaded).toBeGreaterThan(500);
  });
});

describe('alerts', () => {
  const newStore = useTempStore();

  it('each event is posted once, also across a restart', async () => {
    const store = await newStore();
    const sink = recordingSink();
    const first = new AlertCenter({ store, sink, log: quiet });
    const view: View = { title: 'Entry filled: buy AAPL', fields: [], tone: 'success' };
    expect(await first.raise('fill', 'fill:o-1:100', view)).toBe(true);
    await first.flush();
    const second = new AlertCenter({ store, sink, log: quiet });
    expect(await second.raise('fill', 'fill:o-1:100', view)).toBe(false);
    await second.flush();
    expect(sink.messages.flat().map((v) => v.title)).toEqual(['Entry filled: buy AAPL']);
  });

  it('groups a flatten of 30 positions into one message, and retries after a Discord outage', async () => {
    const prices = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`T${i}`, '10']));
    const sink = recordingSink();
    const t = await operatorHarness(await newStore(), { MAX_OPEN_POSITIONS: '50' }, { sim: { prices }, sink });
    const alerts = t.alerts;
    for (let i = 0; i < 30; i++) await t.type(`/buy T${i} 10`);
    await alerts.flush();
    sink.messages.splice(0);

    sink.setDown(true);
    await t.type('/flatten');
    await t.type('confirm');
    expect((await alerts.flush()).failed).toBe(30);
    expect(await t.store.alerts.countUnposted()).toBe(30);
    sink.setDown(false);
    const result = await alerts.flush();
    expect([result.posted, result.messages]).toEqual([30, 1]);
    expect(sink.messages[0]?.map((v) => v.title)).toEqual(['30 × Position closed (flatten)']);
    expect(sink.messages[0]?.[0]?.description?.split('\n')[0]).toBe('T0: long 10 T0: $10.00 → $10.00 · Realized P&L $0.00 (0.00%) · Held 0 min');
    expect((await alerts.flush()).posted).toBe(0);
  });
});

describe('the schedule', () => {
  const newStore = useTempStore();

  it('shows the next cycle and report in /status once started', async () => {
    const t = await operatorHarness(await newStore());
    t.monitor.start();
    try {
      const status = t.monitor.status();
      expect(status.nextCycle).toBeInstanceOf(Date);
      expect(status.nextReport).toBeInstanceOf(Date);
      const local = new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(
        status.nextReport!,
      );
      expect(local).toBe('16:15');
      await t.monitor.runCycle();
      const shown = await t.type('/status');
      expect(shown).toMatch(/ {2}Last monitor cycle: 2026-03-02T15:00:00Z in \d+ ms\n/);
      expect(shown).toContain(`  Next report: ${status.nextReport!.toISOString().replace('.000Z', 'Z')}`);
      expect(shown).toContain('  Alerts pending: 0');
    } finally {
      t.monitor.stop();
    }
  });

  it('turns MONITOR_INTERVAL_SECONDS into a cron rule', () => {
    expect(intervalRule(15).second).toEqual([0, 15, 30, 45]);
    expect([intervalRule(300).second, intervalRule(300).minute]).toEqual([0, [0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55]]);
  });
});

describe('alert messages within Discord’s limits', () => {
  const newStore = useTempStore();

  it('keeps each message under 6,000 characters, and gives up on one Discord refuses without blocking the rest', async () => {
    const store = await newStore();
    const posted: View[][] = [];
    let refuseNext = true;
    const sink = {
      async post(views: readonly View[]) {
        if (refuseNext) {
          refuseNext = false;
          throw Object.assign(new Error('Invalid Form Body'), { status: 400 });
        }
        posted.push([...views]);
      },
    };
    const alerts = new AlertCenter({ store, sink, log: quiet });
    const long = (i: number): View => ({ title: `Order canceled: buy 1 T${i}`, description: 'r'.repeat(3000), fields: [], tone: 'neutral' });
    await alerts.raise('order_canceled', 'c-1', long(1));
    const first = await alerts.flush();
    expect([first.posted, first.failed]).toEqual([0, 0]);
    expect((await store.alerts.getByEventKey('c-1'))?.lastError).toBe('abandoned: Invalid Form Body');
    for (let i = 2; i <= 3; i++) await alerts.raise('order_canceled', `c-${i}`, long(i));
    await alerts.raise('fill', 'f-1', { title: 'Entry filled: buy AAPL', fields: [], tone: 'success' });
    const second = await alerts.flush();
    expect([second.posted, second.messages]).toEqual([3, 2]);
    const sizes = posted.map((m) => m.reduce((n, v) => n + v.title.length + (v.description?.length ?? 0), 0));
    expect(sizes.every((n) => n <= 6000)).toBe(true);
  });
});

describe('broker stream alerts', () => {
  const newStore = useTempStore();

  it("alerts a stream drop shorter than a monitor cycle, and its return, from the stream's own events", async () => {
    const sink = recordingSink();
    const t = await operatorHarness(await newStore(), {}, { alpaca: true, sink });
    await t.broker.connect();
    try {
      t.faults?.dropStream();
      // No monitor cycle runs: both alerts come from the stream's events.
      const titles = () => sink.messages.flat().map((v) => v.title);
      await until(() => (titles().includes('Broker stream reconnected') ? true : null), 15_000);
      expect(titles()).toEqual(['Broker stream disconnected', 'Broker stream reconnected']);
      expect(await t.store.alerts.countUnposted()).toBe(0);
    } finally {
      await t.broker.disconnect();
    }
    // Our own disconnect at shutdown is no outage.
    expect(sink.messages.flat().map((v) => v.title)).toEqual(['Broker stream disconnected', 'Broker stream reconnected']);
  });
});
