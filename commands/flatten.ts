/** /flatten: cancel every order and close every position, after a Confirm click. */
import { SlashCommandBuilder } from '@discordjs/builders';
import type { CommandContext, OperatorCommand } from '../src/operator/command.js';
import type { View } from '../src/views/view.js';
import { BUTTON, customId } from '../src/views/signal.js';

export const data = new SlashCommandBuilder().setName('flatten').setDescription('Cancel all orders and close all positions (asks for confirmation)');

async function flatten(ctx: CommandContext): Promise<View> {
  const { canceled, exits, failures } = await ctx.app.operator.flatten();
  const lines = [...exits.map((o) => `${o.side} ${o.quantity.toFixed()} ${o.ticker}: ${o.status}`), ...failures.map((f) => `${f.ticker}: failed: ${f.error}`)];
  return {
    title: failures.length > 0 ? 'Flatten: done with failures' : 'Flatten: done',
    description: `${canceled ? 'All orders canceled.' : 'Orders were asked to cancel; some were still open after 5 s (see /orders).'}${lines.length > 0 ? `\n${lines.join('\n')}` : ' No positions were open.'}`,
    fields: [],
    tone: failures.length > 0 ? 'danger' : 'success',
  };
}

export async function execute(ctx: CommandContext): Promise<View> {
  const positions = await ctx.app.operator.openPositions();
  const what = `flatten: cancel all orders and close ${positions.length} position(s)`;
  const token = ctx.app.confirmations.request(ctx.actor.id, what, () => flatten(ctx));
  return {
    title: 'Confirm flatten',
    description: `This cancels every order and closes ${positions.length} position(s) at market${positions.length > 0 ? `: ${positions.map((p) => p.ticker).join(', ')}` : ''}. Press Confirm within 60 seconds.`,
    fields: [],
    tone: 'warning',
    buttons: [{ label: BUTTON.confirm, customId: customId.confirm(token), style: 'danger' }],
    private: true,
  };
}

export const command: OperatorCommand = { data, access: 'trade', execute };
