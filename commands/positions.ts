/** /positions: open positions with quantity, entry, last, unrealized P&L, stop and target. */
import { SlashCommandBuilder } from '@discordjs/builders';
import type { CommandContext, OperatorCommand } from '../src/operator/command.js';
import type { View } from '../src/views/view.js';
import { positionsView } from '../src/views/trading.js';

export const data = new SlashCommandBuilder().setName('positions').setDescription('Open positions: quantity, entry, last, unrealized P&L, stop, target');

export async function execute({ app }: CommandContext): Promise<View> {
  // Fresh prices first (one batch call), so the P&L shown is current.
  return positionsView(await app.operator.positions());
}

export const command: OperatorCommand = { data, access: 'read', execute };
