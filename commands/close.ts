/** /close ticker percent?: close a position (or part of it) at market. */
import { SlashCommandBuilder } from 'discord.js';
import type { AppServices, Choice, CommandContext, FocusedOption, OperatorCommand } from '../src/operator/command.js';
import { parsePercent, parseTicker } from '../src/operator/parse.js';
import type { View } from '../src/operator/view.js';
import { exitView } from '../src/operator/views/trading.js';

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
export async function autocomplete(app: AppServices, focused: FocusedOption): Promise<Choice[]> {
  const typed = focused.value.trim().toUpperCase();
  return (await app.operator.openPositions())
    .filter((p) => p.ticker.startsWith(typed))
    .slice(0, 25)
    .map((p) => ({ name: `${p.ticker} (${p.side} ${p.quantity.toFixed()})`, value: p.ticker }));
}

export const command: OperatorCommand = { data, access: 'trade', execute, autocomplete };
