/** /signal ticker action entry stop target confidence? strategy?: post a signal for approval. */
import { SlashCommandBuilder } from '@discordjs/builders';
import { CommandError, type CommandContext, type OperatorCommand } from '../src/operator/command.js';
import type { View } from '../src/views/view.js';
import { parseSignal } from '../src/domain/signal.js';

export const data = new SlashCommandBuilder()
  .setName('signal')
  .setDescription('Post a signal for approval (Approve / Reject buttons)')
  .addStringOption((o) => o.setName('ticker').setDescription('Ticker, e.g. AAPL').setRequired(true))
  .addStringOption((o) =>
    o.setName('action').setDescription('buy or sell').setRequired(true).addChoices({ name: 'buy', value: 'buy' }, { name: 'sell', value: 'sell' }),
  )
  .addStringOption((o) => o.setName('entry').setDescription('Entry price').setRequired(true))
  .addStringOption((o) => o.setName('stop').setDescription('Stop-loss price').setRequired(true))
  .addStringOption((o) => o.setName('target').setDescription('Take-profit price').setRequired(true))
  .addStringOption((o) => o.setName('confidence').setDescription('0 to 1 (default 0.5)'))
  .addStringOption((o) => o.setName('strategy').setDescription('Strategy name'));

/** The command's option names, as the signal's fields are named. */
const FIELD_NAMES: Record<string, string> = { current_price: 'entry', stop_loss_price: 'stop', take_profit_price: 'target' };

export async function execute({ app, options, actor, requestId, source }: CommandContext): Promise<View> {
  const parsed = parseSignal({
    signal_id: `${source}-${requestId}`,
    ticker: options.string('ticker') ?? '',
    timestamp: app.now().toISOString(),
    action: options.string('action') ?? '',
    confidence: options.string('confidence') ?? '0.5',
    current_price: options.string('entry') ?? '',
    stop_loss_price: options.string('stop') ?? '',
    take_profit_price: options.string('target') ?? '',
    strategy: options.string('strategy'),
  });
  if (!parsed.ok) {
    const problems = parsed.problems.map((p) => p.replace(/^(\w+):/, (_, f: string) => `${FIELD_NAMES[f] ?? f}:`));
    throw new CommandError(`Signal not posted: ${problems.join('; ')}.`);
  }
  const { signal, approval } = await app.operator.submitSignal(parsed.signal, source, actor.id);
  // An operator's own signal: its auto-approval is shown before the command answers.
  if (approval) await approval;
  return {
    title: `Signal ${signal.signalId} posted`,
    description:
      source === 'console'
        ? `Waiting for approval: type \`approve ${signal.signalId}\` or \`reject ${signal.signalId}\`.`
        : 'Posted to the signals channel for approval.',
    fields: [],
    tone: 'info',
    private: true,
  };
}

export const command: OperatorCommand = { data, access: 'trade', execute };
