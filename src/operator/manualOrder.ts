/**
 * /buy and /sell: one definition, two sides. The options are parsed here;
 * the operator service checks the ticket against the market and places it
 * through the same executor as a signal (risk, sizing when no qty,
 * deterministic client_order_id from the invocation, a bracket when both stop
 * and target are given). In live mode it waits for a Confirm click.
 */
import { SlashCommandBuilder } from '@discordjs/builders';
import { formatUsd } from '../domain/money.js';
import type { OrderSide } from '../domain/enums.js';
import { CommandError, type CommandContext } from './command.js';
import { MAX_ORDER_QTY, parsePrice, parseQuantity, parseTicker } from './parse.js';
import type { View } from '../views/view.js';
import { BUTTON, customId } from '../views/signal.js';
import { executionView } from '../views/trading.js';

export function orderCommandData(side: OrderSide) {
  const verb = side === 'buy' ? 'Buy (long entry)' : 'Sell short (short entry)';
  return new SlashCommandBuilder()
    .setName(side)
    .setDescription(`${verb}; bracket with stop_loss + take_profit; no qty = sized`)
    .addStringOption((o) => o.setName('ticker').setDescription('Ticker, e.g. AAPL').setRequired(true))
    .addIntegerOption((o) => o.setName('qty').setDescription('Shares (whole); omit to size by SIZING_METHOD').setMinValue(1).setMaxValue(MAX_ORDER_QTY))
    .addStringOption((o) =>
      o.setName('type').setDescription('Order type (default market)').addChoices({ name: 'market', value: 'market' }, { name: 'limit', value: 'limit' }),
    )
    .addStringOption((o) => o.setName('limit_price').setDescription('Limit price, e.g. 189.50 (type limit)'))
    .addStringOption((o) => o.setName('stop_loss').setDescription('Stop-loss price'))
    .addStringOption((o) => o.setName('take_profit').setDescription('Take-profit price'));
}

export async function executeOrder(side: OrderSide, ctx: CommandContext): Promise<View> {
  const { app, options, actor, requestId } = ctx;
  const ticker = parseTicker(options.string('ticker'));
  const qty = parseQuantity(options.integer('qty'));
  const type = options.string('type') ?? 'market';
  if (type !== 'market' && type !== 'limit') throw new CommandError(`type must be market or limit, got ${JSON.stringify(type)}.`);
  const limitRaw = options.string('limit_price');
  if (type === 'limit' && limitRaw === null) throw new CommandError('A limit order needs limit_price.');
  if (type === 'market' && limitRaw !== null) throw new CommandError('limit_price is for type limit; drop it or set type:limit.');
  const limitPrice = limitRaw === null ? null : parsePrice(limitRaw, 'limit_price');
  const stop = options.string('stop_loss') === null ? null : parsePrice(options.string('stop_loss'), 'stop_loss');
  const target = options.string('take_profit') === null ? null : parsePrice(options.string('take_profit'), 'take_profit');

  const ticket = await app.operator.prepareOrder({ side, ticker, quantity: qty, type, limitPrice, stopLoss: stop, takeProfit: target, requestId });
  const title = `${side === 'buy' ? 'Buy' : 'Sell'} ${ticker}`;
  const run = async () => executionView(title, await app.operator.placeOrder(ticket));
  if (app.mode !== 'LIVE') return run();
  const what = `${side} ${qty?.toFixed() ?? 'sized'} ${ticker} ${type === 'limit' ? `limit ${formatUsd(ticket.entry)}` : `at market (last ${formatUsd(ticket.last)})`}`;
  const token = app.confirmations.request(actor.id, what, run);
  return {
    title: `Confirm: ${what}`,
    description: 'LIVE trading: real money. Press Confirm within 60 seconds to send it.',
    fields: [],
    tone: 'warning',
    buttons: [{ label: BUTTON.confirm, customId: customId.confirm(token), style: 'danger' }],
    private: true,
  };
}
