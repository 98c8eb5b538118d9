/** /backtest days? min_confidence? sizing?: the stored signals replayed as if approved, beside what was done. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SlashCommandBuilder } from '@discordjs/builders';
import { Decimal } from '../src/domain/money.js';
import { reportsDir } from '../src/monitor/dailyReport.js';
import { CommandError, type CommandContext, type OperatorCommand } from '../src/operator/command.js';
import { BACKTEST_SIZINGS, backtestView, DEFAULT_BACKTEST_DAYS, MAX_BACKTEST_DAYS } from '../src/views/backtest.js';
import type { View } from '../src/views/view.js';

export const data = new SlashCommandBuilder()
  .setName('backtest')
  .setDescription('Replay the stored signals as if all approved, beside what was actually done')
  .addIntegerOption((o) => o.setName('days').setDescription(`Days back (default ${DEFAULT_BACKTEST_DAYS})`).setMinValue(1).setMaxValue(MAX_BACKTEST_DAYS))
  .addStringOption((o) => o.setName('min_confidence').setDescription('Only signals at or above this confidence, 0 to 1 (e.g. 0.7)'))
  .addStringOption((o) =>
    o
      .setName('sizing')
      .setDescription('Position sizing (default SIZING_METHOD)')
      .addChoices(...BACKTEST_SIZINGS.map((s) => ({ name: s, value: s }))),
  );

function confidence(text: string | null): Decimal | undefined {
  if (text === null) return undefined;
  if (!/^\s*(0(\.\d+)?|1(\.0+)?|\.\d+)\s*$/.test(text)) throw new CommandError(`min_confidence must be a number from 0 to 1, got "${text}".`);
  return new Decimal(text.trim());
}

export async function execute({ app, options }: CommandContext): Promise<View> {
  const days = options.integer('days') ?? DEFAULT_BACKTEST_DAYS;
  const minConfidence = confidence(options.string('min_confidence'));
  const sizing = options.string('sizing');
  const report = await app.operator.backtest({
    days,
    ...(minConfidence === undefined ? {} : { minConfidence }),
    ...(sizing === null ? {} : { sizing }),
  });
  const view = backtestView(report);
  const dir = reportsDir(app.config);
  mkdirSync(dir, { recursive: true });
  const stamp = app.now().toISOString().replace(/[:.]/g, '-');
  const path = join(dir, `backtest-${stamp}.png`);
  // echarts and the PNG renderer load on the first chart, not at start-up.
  const { backtestChartExtras, renderEquityChart } = await import('../src/monitor/chart.js');
  // The same chart as the backtester's equity.png: buy and hold beside the equity, the deepest drawdown marked.
  writeFileSync(path, renderEquityChart(report.chart.points, report.chart.title, backtestChartExtras(report.chart.benchmark)));
  return { ...view, image: { filename: 'backtest-equity.png', path } };
}

export const command: OperatorCommand = { data, access: 'read', execute };
