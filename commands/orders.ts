/** /orders status? limit?: recent orders at the broker. */
import { SlashCommandBuilder } from '@discordjs/builders';
import { CommandError, type CommandContext, type OperatorCommand } from '../src/operator/command.js';
import type { View } from '../src/views/view.js';
import { ordersView } from '../src/views/trading.js';

export const data = new SlashCommandBuilder()
  .setName('orders')
  .setDescription('Recent orders')
  .addStringOption((o) =>
    o
      .setName('status')
      .setDescription('Which orders (default open)')
      .addChoices({ name: 'open', value: 'open' }, { name: 'closed', value: 'closed' }, { name: 'all', value: 'all' }),
  )
  .addIntegerOption((o) => o.setName('limit').setDescription('How many, 1 to 25 (default 10)').setMinValue(1).setMaxValue(25));

export async function execute({ app, options }: CommandContext): Promise<View> {
  const status = options.string('status') ?? 'open';
  if (status !== 'open' && status !== 'closed' && status !== 'all')
    throw new CommandError(`status must be open, closed or all, got ${JSON.stringify(status)}.`);
  const limit = options.integer('limit') ?? 10;
  if (!Number.isInteger(limit) || limit < 1 || limit > 25) throw new CommandError(`limit must be a whole number from 1 to 25, got ${limit}.`);
  return ordersView(await app.operator.orders({ status, limit }), status);
}

export const command: OperatorCommand = { data, access: 'read', execute };
