/** /report: the daily report, now. */
import { SlashCommandBuilder } from 'discord.js';
import { exchangeDate } from '../src/broker/marketTime.js';
import type { CommandContext, OperatorCommand } from '../src/operator/command.js';
import type { View } from '../src/operator/view.js';
import { reportView } from '../src/operator/views/report.js';

export const data = new SlashCommandBuilder().setName('report').setDescription('The daily performance report, now');

export async function execute({ app }: CommandContext): Promise<View> {
  const { manager, executor, risk } = app.engine;
  const day = exchangeDate(app.now());
  const closed = await manager.getClosedPositions(1);
  return reportView({
    day,
    mode: app.mode,
    account: await app.broker.getAccount(),
    closedToday: closed.filter((c) => exchangeDate(c.closedAt) === day),
    positions: await manager.updatePositionPrices(),
    performance: await manager.getPerformanceStats(30),
    execution: await executor.getExecutionStats(30),
    state: await risk.state(),
  });
}

export const command: OperatorCommand = { data, access: 'read', execute };
