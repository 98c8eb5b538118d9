/** /sim price TICKER PRICE | /sim advance MINUTES — drive the paper simulator by hand. */
import { SlashCommandBuilder } from '@discordjs/builders';
import { formatUsd } from '../src/domain/money.js';
import { parsePrice, parseTicker } from '../src/operator/parse.js';
import { CommandError, type CommandContext, type OperatorCommand } from '../src/operator/command.js';
import type { View } from '../src/views/view.js';
import type { TradeUpdate } from '../src/domain/ports/broker.js';

const MAX_MINUTES = 7 * 24 * 60;

export const data = new SlashCommandBuilder()
  .setName('sim')
  .setDescription('Simulator only: set a price or move the simulated clock')
  .addSubcommand((s) =>
    s
      .setName('price')
      .setDescription('Set the last trade price of a ticker; fills and alerts follow at once')
      .addStringOption((o) => o.setName('ticker').setDescription('Ticker, e.g. AAPL').setRequired(true))
      .addStringOption((o) => o.setName('price').setDescription('New price, e.g. 184.50').setRequired(true)),
  )
  .addSubcommand((s) =>
    s
      .setName('advance')
      .setDescription('Move the simulated clock forward; the feed walks and orders fill or expire')
      .addIntegerOption((o) =>
        o.setName('minutes').setDescription('Minutes to advance (1 to 10080)').setRequired(true).setMinValue(1).setMaxValue(MAX_MINUTES),
      ),
  );

function describe(u: TradeUpdate): string {
  const what = `${u.order.side} ${u.order.ticker} (${u.order.type}${u.order.parentOrderId ? ' exit' : ''})`;
  if (u.event === 'fill' || u.event === 'partial_fill') {
    return `${u.event === 'fill' ? 'Filled' : 'Partly filled'}: ${what} ${u.qty?.toFixed()} @ ${u.price ? formatUsd(u.price) : 'n/a'}`;
  }
  return `${u.event.charAt(0).toUpperCase()}${u.event.slice(1).replace('_', ' ')}: ${what}`;
}

function result(title: string, updates: readonly TradeUpdate[], now: Date): View {
  const shown = updates.filter((u) => u.event !== 'new').map(describe);
  const lines = shown.length > 10 ? [...shown.slice(0, 10), `+${shown.length - 10} more`] : shown;
  return {
    title,
    description: lines.length > 0 ? lines.join('\n') : 'No order filled, expired or was canceled.',
    fields: [],
    tone: shown.length > 0 ? 'success' : 'info',
    footer: `Simulated time ${now.toISOString()}`,
  };
}

export async function execute({ app, options }: CommandContext): Promise<View> {
  if (app.mode !== 'SIM') throw new CommandError('/sim works only on the simulator (BROKER=sim).');
  const sub = options.subcommand();
  if (sub === 'price') {
    const ticker = parseTicker(options.string('ticker'));
    const price = parsePrice(options.string('price'), 'price');
    const { updates, now } = await app.operator.simSetPrice(ticker, price);
    return result(`${ticker} set to ${formatUsd(price)}`, updates, now);
  }
  if (sub === 'advance') {
    const minutes = options.integer('minutes');
    if (minutes === null || !Number.isInteger(minutes) || minutes < 1 || minutes > MAX_MINUTES) {
      throw new CommandError(`minutes must be a whole number from 1 to ${MAX_MINUTES}.`);
    }
    const { updates, now } = await app.operator.simAdvance(minutes);
    return result(`Advanced ${minutes} minute${minutes === 1 ? '' : 's'}`, updates, now);
  }
  throw new CommandError('Use /sim price TICKER PRICE or /sim advance MINUTES.');
}

export const command: OperatorCommand = { data, access: 'trade', execute };
