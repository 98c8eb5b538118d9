/** The stats page's calibration tables, on a real OperatorService: each strategy's reliability table, names as text. */
import { describe, expect, it } from 'vitest';
import { dec } from '../../src/domain/money.js';
import { closedRecord, signalRecord } from '../helpers/fixtures.js';
import { chartOptionIn, useDashboardPages, viaJson } from '../helpers/dashboardPages.js';
import { reliabilityChartOption } from '../../src/chart/reliabilityChart.js';
import { useTempStore } from '../helpers/tempDb.js';
import { operatorHarness } from '../operator/appHarness.js';

const XSS = '<img src=x onerror=alert(1)>';

describe('the stats page: calibration', () => {
  const newStore = useTempStore();
  const started = useDashboardPages();

  it('shows each strategy’s stated confidence against its realized win rate and the calibrated value', async () => {
    const t = await operatorHarness(await newStore());
    const closedAt = new Date('2026-03-01T20:00:00Z');
    // momentum: stated 0.8 four times, one win (25%); XSS: stated 0.6 once, a win.
    const trades = [
      { id: 'a', strategy: 'momentum', confidence: '0.8', won: true },
      { id: 'b', strategy: 'momentum', confidence: '0.8', won: false },
      { id: 'c', strategy: 'momentum', confidence: '0.8', won: false },
      { id: 'd', strategy: 'momentum', confidence: '0.8', won: false },
      { id: 'e', strategy: XSS, confidence: '0.6', won: true },
    ];
    for (const x of trades) await t.store.signals.insertIfNew(signalRecord({ signalId: x.id, strategy: x.strategy, confidence: dec(x.confidence) }));
    await t.store.closedPositions.insertMany(
      trades.map((x, i) =>
        closedRecord({
          positionId: `p-${x.id}`,
          signalId: x.id,
          strategy: x.strategy,
          realizedPnl: dec(x.won ? 40 : -20),
          realizedPnlPct: dec(x.won ? '0.04' : '-0.02'),
          closedAt: new Date(closedAt.getTime() + i * 60_000),
        }),
      ),
    );
    const client = await started(t);
    const html = await (await client.page('/stats')).text();
    expect(html).toContain('<h2>Calibration</h2>');
    // (1 + 10 × 0.8) / (4 + 10) = 0.642…
    expect(html).toContain('<tr><td>0.80–0.90</td><td class="num">0.80</td><td class="num">0.25</td><td class="num">0.64</td><td class="num">4</td></tr>');
    expect(html).toContain('4 trades, 1 won · Beta-binomial rate (the map comes at 30 trades)');
    expect(html).not.toContain(XSS);
    expect(html).toContain('<h3>&lt;img src=x onerror=alert(1)&gt;</h3>');

    // The reliability chart /calibration attaches as a PNG, drawn in the page from the same option.
    const report = await t.app.operator.calibration();
    const series = report.strategies.map((s) => ({ name: s.strategy ?? '—', bins: s.table, curve: s.curve }));
    expect(chartOptionIn(html, 'reliability-chart')).toEqual(viaJson(reliabilityChartOption(series, 'Reliability of stated confidence')));
    expect(html).toContain('data-chart-id="reliability-chart" data-format="plain"');
  });
});
