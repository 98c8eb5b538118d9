/** /halt reason?: no new entries until /resume (exits still work). */
import { SlashCommandBuilder } from '@discordjs/builders';
import type { CommandContext, OperatorCommand } from '../src/operator/command.js';
import { parseText } from '../src/operator/parse.js';
import type { View } from '../src/views/view.js';

export const data = new SlashCommandBuilder()
  .setName('halt')
  .setDescription('Halt trading: no new entries until /resume (exits still work)')
  .addStringOption((o) => o.setName('reason').setDescription('Why (shown to everyone)').setMaxLength(200));

export async function execute({ app, options, actor }: CommandContext): Promise<View> {
  const reason = parseText(options.string('reason'), 'reason', 200) ?? `halted by ${actor.name}`;
  const { changed, trading } = await app.operator.halt(reason, actor.name);
  return changed
    ? { title: 'Trading halted', description: `${reason}. No new entries until /resume; exits still work.`, fields: [], tone: 'warning' }
    : { title: 'Already halted', description: `Trading was already halted: ${trading.reason ?? ''}`, fields: [], tone: 'neutral' };
}

export const command: OperatorCommand = { data, access: 'trade', execute };
