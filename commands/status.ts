/** /status: broker connection, stream, last monitor cycle, schedule, version. */
import { SlashCommandBuilder } from 'discord.js';
import type { CommandContext, OperatorCommand } from '../src/operator/command.js';
import type { View } from '../src/operator/view.js';
import { statusView } from '../src/operator/views/stats.js';

export const data = new SlashCommandBuilder().setName('status').setDescription('Broker, stream, last monitor cycle, schedule and version');

export async function execute({ app }: CommandContext): Promise<View> {
  const state = await app.engine.risk.state();
  return statusView(await app.status(), app.broker.name, app.mode, state.state === 'HALTED' ? `HALTED: ${state.reason ?? ''}` : 'ACTIVE');
}

export const command: OperatorCommand = { data, access: 'read', execute };
