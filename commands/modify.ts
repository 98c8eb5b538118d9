/** /modify ticker stop_loss? take_profit?: move an open position's stop and/or target. */
import { SlashCommandBuilder } from '@discordjs/builders';
import type { CommandContext, OperatorCommand } from '../src/operator/command.js';
import { parsePrice, parseTicker } from '../src/operator/parse.js';
import { openPositionChoices } from '../src/operator/suggest.js';
import { modifyView } from '../src/views/trading.js';
import type { View } from '../src/views/view.js';

export const data = new SlashCommandBuilder()
  .setName('modify')
  .setDescription("Move an open position's stop and/or target (its legs are replaced at the broker)")
  .addStringOption((o) => o.setName('ticker').setDescription('An open position').setRequired(true).setAutocomplete(true))
  .addStringOption((o) => o.setName('stop_loss').setDescription('New stop-loss price'))
  .addStringOption((o) => o.setName('take_profit').setDescription('New take-profit price'));

export async function execute({ app, options, actor }: CommandContext): Promise<View> {
  const ticker = parseTicker(options.string('ticker'));
  const stopRaw = options.string('stop_loss');
  const targetRaw = options.string('take_profit');
  const result = await app.operator.modify(
    ticker,
    {
      ...(stopRaw === null ? {} : { stopLoss: parsePrice(stopRaw, 'stop_loss') }),
      ...(targetRaw === null ? {} : { takeProfit: parsePrice(targetRaw, 'take_profit') }),
    },
    actor,
  );
  return modifyView(result);
}

/** Offers the open positions whose ticker starts with what is typed. */
export const autocomplete = openPositionChoices;

export const command: OperatorCommand = { data, access: 'trade', execute, autocomplete };
