/** /close ticker percent?: close a position (or part of it) at market. */
import { SlashCommandBuilder } from '@discordjs/builders';
import type { CommandContext, OperatorCommand } from '../src/operator/command.js';
import { parsePercent, parseTicker } from '../src/operator/parse.js';
import { openPositionChoices } from '../src/operator/suggest.js';
import type { View } from '../src/views/view.js';
import { exitView } from '../src/views/trading.js';

export const data = new SlashCommandBuilder()
  .setName('close')
  .setDescription('Close a position at market (all of it, or percent of it)')
  .addStringOption((o) => o.setName('ticker').setDescription('An open position').setRequired(true).setAutocomplete(true))
  .addStringOption((o) => o.setName('percent').setDescription('Part to close, above 0 up to 100 (default 100)'));

export async function execute({ app, options }: CommandContext): Promise<View> {
  const ticker = parseTicker(options.string('ticker'));
  const percent = parsePercent(options.string('percent')) ?? undefined;
  const order = await app.operator.close(ticker, percent ?? null);
  return exitView(`Close ${ticker}${percent ? ` (${percent.toFixed()}%)` : ''}`, order);
}

/** Offers the open positions whose ticker starts with what is typed. */
export const autocomplete = openPositionChoices;

export const command: OperatorCommand = { data, access: 'trade', execute, autocomplete };
