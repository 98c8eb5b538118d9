/** /account: equity, cash, buying power, day P&L, mode, trading state. */
import { SlashCommandBuilder } from '@discordjs/builders';
import type { CommandContext, OperatorCommand } from '../src/operator/command.js';
import type { View } from '../src/views/view.js';
import { accountView } from '../src/views/trading.js';

export const data = new SlashCommandBuilder().setName('account').setDescription('Equity, cash, buying power, day P&L, mode and trading state');

export async function execute({ app }: CommandContext): Promise<View> {
  return accountView(await app.operator.account());
}

export const command: OperatorCommand = { data, access: 'read', execute };
