/** /resume: trading state ACTIVE again. */
import { SlashCommandBuilder } from '@discordjs/builders';
import type { CommandContext, OperatorCommand } from '../src/operator/command.js';
import type { View } from '../src/views/view.js';

export const data = new SlashCommandBuilder().setName('resume').setDescription('Resume trading (state ACTIVE)');

export async function execute({ app, actor }: CommandContext): Promise<View> {
  const { changed } = await app.operator.resume(actor.name);
  return changed
    ? { title: 'Trading resumed', description: `Resumed by ${actor.name}: new entries allowed.`, fields: [], tone: 'success' }
    : { title: 'Already active', description: 'Trading was not halted.', fields: [], tone: 'neutral' };
}

export const command: OperatorCommand = { data, access: 'trade', execute };
