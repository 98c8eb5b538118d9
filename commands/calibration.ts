/** /calibration strategy?: stated confidence against realized win rate per strategy, with the reliability chart. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SlashCommandBuilder } from '@discordjs/builders';
import { reportsDir } from '../src/monitor/dailyReport.js';
import { CommandError, type CommandContext, type OperatorCommand } from '../src/operator/command.js';
import { calibrationView, CALIBRATION_VIEW_STRATEGIES, strategyName } from '../src/views/calibration.js';
import type { View } from '../src/views/view.js';

/** A strategy name as signals carry it (at most 64 characters). */
const MAX_STRATEGY = 64;

export const data = new SlashCommandBuilder()
  .setName('calibration')
  .setDescription('Stated confidence against realized win rate per strategy, and what calibrated sizing would use')
  .addStringOption((o) => o.setName('strategy').setDescription('One strategy (default: every strategy)').setMaxLength(MAX_STRATEGY));

export async function execute({ app, options }: CommandContext): Promise<View> {
  const raw = options.string('strategy');
  const strategy = raw === null ? undefined : raw.trim();
  if (strategy !== undefined && (strategy.length === 0 || strategy.length > MAX_STRATEGY)) {
    throw new CommandError(`strategy must be 1 to ${MAX_STRATEGY} characters, got "${raw ?? ''}".`);
  }
  const report = await app.operator.calibration(strategy);
  const view = calibrationView(report, strategy);
  if (report.strategies.length === 0) return view;
  // echarts and the PNG renderer load on the first chart, not at start-up.
  const { renderReliabilityChart } = await import('../src/monitor/chart.js');
  const series = report.strategies.slice(0, CALIBRATION_VIEW_STRATEGIES).map((s) => ({ name: strategyName(s), bins: s.table, curve: s.curve }));
  const dir = reportsDir(app.config);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `calibration-${app.now().toISOString().replace(/[:.]/g, '-')}.png`);
  writeFileSync(path, renderReliabilityChart(series, view.title));
  return { ...view, image: { filename: 'calibration.png', path } };
}

export const command: OperatorCommand = { data, access: 'read', execute };
