/** /halt reason? mode?: no new entries (halted) or exits and reductions only (reducing) until /resume. */
import { SlashCommandBuilder } from '@discordjs/builders';
import { CommandError, type CommandContext, type OperatorCommand } from '../src/operator/command.js';
import { parseText } from '../src/operator/parse.js';
import { haltView } from '../src/views/trading.js';
import type { View } from '../src/views/view.js';

export const data = new SlashCommandBuilder()
  .setName('halt')
  .setDescription('Stop entries until /resume (exits still work); mode reducing: only orders that shrink exposure')
  .addStringOption((o) => o.setName('reason').setDescription('Why (shown to everyone)').setMaxLength(200))
  .addStringOption((o) =>
    o.setName('mode').setDescription('halted (default) or reducing').addChoices({ name: 'halted', value: 'halted' }, { name: 'reducing', value: 'reducing' }),
  );

export async function execute({ app, options, actor }: CommandContext): Promise<View> {
  const mode = options.string('mode') ?? 'halted';
  if (mode !== 'halted' && mode !== 'reducing') throw new CommandError(`mode must be halted or reducing, got ${JSON.stringify(mode)}.`);
  const reason = parseText(options.string('reason'), 'reason', 200) ?? `${mode} by ${actor.name}`;
  const result = await app.operator.halt(reason, actor.name, mode);
  return haltView(result, mode, reason);
}

export const command: OperatorCommand = { data, access: 'trade', execute };
