/** /status: broker connection, stream, last monitor cycle, schedule, version. */
import { SlashCommandBuilder } from '@discordjs/builders';
import type { CommandContext, OperatorCommand } from '../src/operator/command.js';
import type { View } from '../src/views/view.js';
import { statusView } from '../src/views/stats.js';
import { tradingStateText } from '../src/views/trading.js';

export const data = new SlashCommandBuilder().setName('status').setDescription('Broker, stream, last monitor cycle, schedule and version');

export async function execute({ app }: CommandContext): Promise<View> {
  const { info, broker, mode, trading, marketData } = await app.operator.status();
  return statusView(info, broker, mode, tradingStateText(trading), marketData);
}

export const command: OperatorCommand = { data, access: 'read', execute };
