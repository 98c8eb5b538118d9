/**
 * `npm run example`: the seed's complete workflow on the paper simulator, in
 * a throwaway database: signal → execution → fill → prices move → stop or
 * target → report. Every step prints what the engine did.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { dec, formatNumber, formatPct, formatUsd } from '../src/domain/money.js';
import { SimClock } from '../src/broker/sim/clock.js';
import { SimEngine } from '../src/broker/sim/engine.js';
import { SimBroker } from '../src/broker/sim/SimBroker.js';
import { openStore } from '../src/db/index.js';
import { createTradingEngine } from '../src/execution/engine.js';
import { toSignal } from '../src/domain/signal.js';

export async function runExample(print: (line: string) => void): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'catalyst-example-'));
  const store = await openStore(join(dir, 'trading.db'));
  try {
    const clock = new SimClock({ mode: 'always', start: new Date('2026-03-02T15:00:00Z') });
    const sim = new SimEngine({
      startingCash: dec(100_000),
      prices: new Map([
        ['AAPL', dec(190)],
        ['MSFT', dec(410)],
      ]),
      seed: 42,
      clock,
    });
    const broker = new SimBroker(sim);
    const engine = createTradingEngine({
      broker,
      store,
      sizing: { method: 'risk', maxPositionSizePct: dec('0.5'), riskPerTradePct: dec('0.01'), kellyFraction: dec('0.5') },
      risk: { maxOpenPositions: 10, maxExposurePct: dec(1), maxDailyLossPct: dec('0.03'), maxDrawdownPct: dec('0.10') },
      now: () => clock.now(),
    });
    engine.followTradeUpdates();
    engine.events.on((e) => {
      if (e.kind === 'position_closed') {
        const c = e.closed;
        print(`   event: ${c.ticker} closed (${c.exitReason}) at ${formatUsd(c.exitPrice)}, P&L ${formatUsd(c.realizedPnl)} (${formatPct(c.realizedPnlPct)})`);
      }
    });
    const { executor, manager } = engine;
    const settle = () => engine.ledger.serial(async () => undefined);

    print('1. Signals from the analysis');
    const long = toSignal({
      signal_id: 'example-aapl',
      ticker: 'AAPL',
      timestamp: clock.now().toISOString(),
      action: 'buy',
      confidence: 0.75,
      current_price: 190,
      stop_loss_price: 185,
      take_profit_price: 200,
      strategy: 'catalyst',
    });
    const short = toSignal({
      signal_id: 'example-msft',
      ticker: 'MSFT',
      timestamp: clock.now().toISOString(),
      action: 'sell',
      confidence: 0.6,
      current_price: 410,
      stop_loss_price: 418,
      take_profit_price: 390,
      strategy: 'catalyst',
    });
    print(`   buy AAPL at 190, stop 185, target 200; sell MSFT at 410, stop 418, target 390`);

    print('2. Execution (risk checks, sizing, bracket orders)');
    for (const s of [long, short]) {
      const r = await executor.executeSignal(s, { useBracketOrder: true });
      print(
        r.success
          ? `   ${s.ticker}: ${r.order?.side} ${r.quantity?.toFixed()} shares, order ${r.order?.clientOrderId} ${r.order?.status}, est. ${r.estimatedCost ? formatUsd(r.estimatedCost) : 'n/a'}`
          : `   ${s.ticker}: refused (${r.refusedBy}): ${r.errorMessage}`,
      );
    }
    await settle();

    print('3. Fills become positions');
    for (const p of await manager.getOpenPositions()) {
      print(
        `   ${p.ticker} ${p.side} ${p.quantity.toFixed()} at ${formatUsd(p.entryPrice)}, stop ${p.stopLossPrice ? formatUsd(p.stopLossPrice) : 'n/a'}, target ${p.takeProfitPrice ? formatUsd(p.takeProfitPrice) : 'n/a'}`,
      );
    }

    print('4. Prices move');
    clock.advance(45 * 60_000);
    await broker.setPrice('AAPL', dec('195.40'));
    await broker.setPrice('MSFT', dec('404.10'));
    await settle();
    for (const p of await manager.updatePositionPrices()) print(`   ${p.ticker} last ${formatUsd(p.currentPrice)}, unrealized ${formatUsd(p.unrealizedPnl)}`);
    const account = await broker.getAccount();
    const metrics = await manager.calculatePortfolioMetrics(account.equity);
    print(
      `   portfolio: ${metrics.totalPositions} positions, exposure ${formatUsd(metrics.totalExposure)} (${formatPct(metrics.exposurePct)}), unrealized ${formatUsd(metrics.totalUnrealizedPnl)}`,
    );

    print('5. Stop and target');
    clock.advance(30 * 60_000);
    await broker.setPrice('AAPL', dec(200));
    await broker.setPrice('MSFT', dec('418.50'));
    await settle();
    print(
      `   stops hit now: ${(await manager.checkStopLosses()).length}, targets hit now: ${(await manager.checkTakeProfits()).length} (the broker's legs already closed both)`,
    );
    print(`   auto-close actions needed: ${(await manager.autoCloseTriggeredPositions()).length}`);

    print('6. Report');
    const stats = await manager.getPerformanceStats(30);
    const exec = await executor.getExecutionStats(30);
    print(
      `   trades ${stats.totalTrades}, win rate ${stats.winRate ? formatPct(stats.winRate) : 'n/a'}, total P&L ${formatUsd(stats.totalPnl)}, profit factor ${stats.profitFactor ? formatNumber(stats.profitFactor, 2) : 'n/a'}`,
    );
    print(
      `   orders ${exec.totalOrders}, fill rate ${exec.fillRate ? formatPct(exec.fillRate) : 'n/a'}, slippage ${exec.avgSlippageBps ? formatNumber(exec.avgSlippageBps, 1) : 'n/a'} bps`,
    );
    print(`   equity ${formatUsd((await broker.getAccount()).equity)}`);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runExample((line) => process.stdout.write(`${line}\n`)).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
