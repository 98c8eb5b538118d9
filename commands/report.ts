/** /report: the daily report, now, with the equity chart. */
import { SlashCommandBuilder } from '@discordjs/builders';
import { exchangeDate } from '../src/domain/marketTime.js';
import { buildDailyReport } from '../src/monitor/dailyReport.js';
import type { CommandContext, OperatorCommand } from '../src/operator/command.js';
import type { View } from '../src/views/view.js';

export const data = new SlashCommandBuilder().setName('report').setDescription('The daily performance report, now, with the equity chart');

export function execute({ app }: CommandContext): Promise<View> {
  return buildDailyReport(app, exchangeDate(app.now()));
}

export const command: OperatorCommand = { data, access: 'read', execute };
