/** /account: equity, cash, buying power, day P&L, mode, trading state. */
import { SlashCommandBuilder } from 'discord.js';
import type { CommandContext, OperatorCommand } from '../src/operator/command.js';
import type { View } from '../src/operator/view.js';
import { accountView } from '../src/operator/views/trading.js';

export const data = new SlashCommandBuilder().setName('account').setDescription('Equity, cash, buying power, day P&L, mode and trading state');

export async function execute({ app }: CommandContext): Promise<View> {
  return accountView(await app.operator.account());
}

export const command: OperatorCommand = { data, access: 'read', execute };
