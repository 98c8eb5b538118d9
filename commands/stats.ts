/** /stats days?: performance and execution statistics. */
import { SlashCommandBuilder } from '@discordjs/builders';
import { CommandError, type CommandContext, type OperatorCommand } from '../src/operator/command.js';
import type { View } from '../src/views/view.js';
import { statsView } from '../src/views/stats.js';

export const data = new SlashCommandBuilder()
  .setName('stats')
  .setDescription('Performance and execution statistics')
  .addIntegerOption((o) => o.setName('days').setDescription('Window in days (default 30)').setMinValue(1).setMaxValue(3650));

export async function execute({ app, options }: CommandContext): Promise<View> {
  const days = options.integer('days') ?? 30;
  if (!Number.isInteger(days) || days < 1 || days > 3650) throw new CommandError(`days must be a whole number from 1 to 3650, got ${days}.`);
  return statsView(await app.operator.stats(days));
}

export const command: OperatorCommand = { data, access: 'read', execute };
