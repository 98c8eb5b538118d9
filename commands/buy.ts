/** /buy ticker qty? type? limit_price? stop_loss? take_profit?: a manual long entry. */
import type { CommandContext, OperatorCommand } from '../src/operator/command.js';
import { executeOrder, orderCommandData } from '../src/operator/manualOrder.js';
import type { View } from '../src/views/view.js';

export const data = orderCommandData('buy');

export function execute(ctx: CommandContext): Promise<View> {
  return executeOrder('buy', ctx);
}

export const command: OperatorCommand = { data, access: 'trade', execute };
