/**
 * The platform-neutral front door: a command or a button press in, a view
 * out. Front ends (Discord, console) parse their input, decide who may trade,
 * and render what comes back; everything else happens here, once.
 */
import { BrokerError, TradingError } from '../domain/errors.js';
import { secretValues } from '../config.js';
import { type EventLog, redactSecrets } from '../logger.js';
import type { Actor, FrontEndServices, CommandOptions, OperatorCommand } from './command.js';
import { OperatorError } from '../app/errors.js';
import type { View } from '../views/view.js';
import { alreadyText, customId, decidedSignalView, settledSignalView } from '../views/signal.js';

export interface Invocation {
  name: string;
  options: CommandOptions;
  actor: Actor;
  requestId: string;
  source: 'discord' | 'console';
}

/** Whether the actor may run trading commands and press trading buttons, and if not, what to tell them. */
export type Permission = { allowed: true } | { allowed: false; reason: string };

/** A button press answers by editing its message, by a private reply, or both. */
export interface ButtonAnswer {
  update: View | null;
  reply: View | null;
}

export type DispatchLog = Pick<EventLog, 'error'>;

export function errorView(message: string): View {
  return { title: 'Not done', description: message, fields: [], tone: 'danger', private: true };
}

/** What an operator may be told about a failure: the reason, never a stack trace. */
function explain(error: unknown): string | null {
  if (error instanceof OperatorError || error instanceof TradingError) return error.message;
  if (error instanceof BrokerError) return `The broker answered: ${error.message}`;
  return null;
}

export class Dispatcher {
  constructor(
    private readonly app: FrontEndServices,
    readonly commands: ReadonlyMap<string, OperatorCommand>,
    private readonly log: DispatchLog,
  ) {}

  async runCommand(inv: Invocation, permission: Permission): Promise<View> {
    const command = this.commands.get(inv.name);
    if (!command) return errorView(`Unknown command /${inv.name}. Type /help for the list.`);
    const audit = (outcome: 'ok' | 'refused' | 'error', details?: Record<string, unknown>) =>
      command.access === 'trade'
        ? this.app.operator.audit({
            at: this.app.now(),
            actor: inv.actor.id,
            actorName: inv.actor.name,
            action: `/${inv.name}`,
            outcome,
            details: details ?? null,
          })
        : Promise.resolve();
    if (command.access === 'trade' && !permission.allowed) {
      await audit('refused', { reason: permission.reason });
      return errorView(permission.reason);
    }
    try {
      const view = await command.execute({
        app: this.app,
        options: inv.options,
        actor: inv.actor,
        requestId: inv.requestId,
        source: inv.source,
        commands: [...this.commands.values()],
      });
      await audit('ok');
      return view;
    } catch (error) {
      return this.failed(error, `/${inv.name}`, audit);
    }
  }

  async pressButton(id: string, actor: Actor, permission: Permission): Promise<ButtonAnswer> {
    const parsed = customId.parse(id);
    if (!parsed) return { update: null, reply: errorView('This button is not one of the bot’s.') };
    if (!permission.allowed) {
      await this.app.operator.audit({
        at: this.app.now(),
        actor: actor.id,
        actorName: actor.name,
        action: parsed.action,
        target: parsed.target,
        outcome: 'refused',
        details: { reason: permission.reason },
      });
      return { update: null, reply: errorView(permission.reason) };
    }
    try {
      if (parsed.action === 'confirm') return await this.confirm(parsed.target, actor);
      const { operator } = this.app;
      const outcome = parsed.action === 'approve' ? await operator.approve(parsed.target, actor) : await operator.reject(parsed.target, actor);
      switch (outcome.kind) {
        case 'unknown':
          return { update: null, reply: errorView(`Unknown signal ${outcome.signalId}.`) };
        case 'already': {
          const order = outcome.signal.orderId ? await operator.recordedOrder(outcome.signal.orderId) : null;
          return {
            update: settledSignalView(outcome.signal, order),
            reply: { ...errorView(alreadyText(outcome.signal)), title: 'Already decided', tone: 'neutral' },
          };
        }
        case 'refused':
          return { update: null, reply: errorView(`Not approved: ${outcome.reason}. The signal stays open.`) };
        case 'expired':
          return { update: decidedSignalView(outcome), reply: errorView(`Signal ${outcome.signal.signalId} expired; it cannot be approved.`) };
        default:
          return { update: decidedSignalView(outcome), reply: null };
      }
    } catch (error) {
      return { update: null, reply: await this.failed(error, parsed.action, () => Promise.resolve()) };
    }
  }

  private async confirm(token: string, actor: Actor): Promise<ButtonAnswer> {
    const outcome = await this.app.confirmations.confirm(token, actor.id);
    switch (outcome.kind) {
      case 'run':
        return { update: { ...outcome.view, private: false }, reply: null };
      case 'not_yours':
        return { update: null, reply: errorView(`Only the person who asked can confirm: ${outcome.description}.`) };
      default:
        return {
          update: { title: 'Confirmation expired', description: 'Nothing was sent. Run the command again to start over.', fields: [], tone: 'neutral' },
          reply: null,
        };
    }
  }

  private async failed(error: unknown, what: string, audit: (outcome: 'error', details: Record<string, unknown>) => Promise<void>): Promise<View> {
    // A broker's message could echo a credential: cut before it reaches a chat.
    const raw = explain(error);
    const known = raw === null ? null : String(redactSecrets(raw, secretValues(this.app.config)));
    if (!known) this.log.error({ err: error, what }, 'command failed');
    await audit('error', { error: known ?? 'internal error' }).catch(() => undefined);
    return errorView(known ?? `${what} failed inside the bot; nothing more is known here (see the log). Check /orders and /positions before trying again.`);
  }
}
