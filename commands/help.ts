/** /help: every command, its options, and the buttons. */
import { SlashCommandBuilder } from '@discordjs/builders';
import type { CommandContext, OperatorCommand } from '../src/operator/command.js';
import type { View } from '../src/views/view.js';

export const data = new SlashCommandBuilder().setName('help').setDescription('Every command and what it does');

interface JsonOption {
  name: string;
  required?: boolean;
  type: number;
  options?: JsonOption[];
}

/** `ticker qty? type?` from the command's own definition, so help never drifts from it. */
function usage(options: readonly JsonOption[] = []): string {
  return options
    .map((o) => (o.type === 1 ? `${o.name} ${usage(o.options)}`.trim() : `${o.name}${o.required ? '' : '?'}`))
    .join(options.some((o) => o.type === 1) ? ' | ' : ' ');
}

export async function execute({ commands, source }: CommandContext): Promise<View> {
  const lines = [...commands]
    .map((c) => c.data.toJSON())
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((j) => `/${j.name} ${usage(j.options as JsonOption[] | undefined)}`.trimEnd() + ` — ${j.description}`);
  const buttons =
    source === 'console'
      ? 'Buttons in the console: `approve SIGNAL_ID`, `reject SIGNAL_ID`, `confirm` (a bare `approve` takes the newest pending signal). Options: `/buy AAPL qty:10 stop_loss:185` or positional `/buy AAPL 10`.'
      : 'Signals arrive with **Approve** / **Reject** buttons; /flatten asks for **Confirm**.';
  return { title: 'Commands', description: `${lines.join('\n')}\n\n${buttons}`, fields: [], tone: 'neutral', private: true };
}

export const command: OperatorCommand = { data, access: 'read', execute };
