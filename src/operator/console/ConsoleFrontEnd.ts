/**
 * The terminal front end: the same commands and buttons as Discord, typed.
 * On a TTY it prompts; otherwise it reads one command per line, prints each
 * result, and ends at the end of input (scriptable). Signals and alerts
 * (fills, stop-outs, halts, the daily report) are printed as they happen. The person at the terminal is the
 * operator: every trading command is allowed.
 */
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { FrontEndServices, Actor } from '../command.js';
import type { Dispatcher } from '../dispatch.js';
import { errorView } from '../dispatch.js';
import type { View } from '../../views/view.js';
import { decidedSignalView, signalView } from '../../views/signal.js';
import { parseLine } from './parseLine.js';
import { renderText } from './render.js';

export const CONSOLE_ACTOR: Actor = { id: 'console', name: 'console' };

export interface ConsoleOptions {
  app: FrontEndServices;
  dispatcher: Dispatcher;
  input: Readable;
  output: Writable;
  /** Prompt and banner (a terminal); off for scripts. */
  interactive: boolean;
  /** Delivers pending alerts (they print through `alertSink`) after each line, so they follow the command that caused them. */
  flushAlerts?: () => Promise<unknown>;
}

export class ConsoleFrontEnd {
  private counter = 0;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(private readonly options: ConsoleOptions) {}

  private print(text: string): void {
    this.options.output.write(`${text}\n`);
  }

  private show(view: View): void {
    this.print(renderText(view));
  }

  /** The console as the alerts' destination: each alert printed as it is delivered. */
  readonly alertSink = {
    post: async (views: readonly View[]): Promise<void> => {
      for (const view of views) this.print(`» ${renderText(view).replace(/\n/g, '\n  ')}`);
    },
  };

  /** Runs until the input ends (or `exit`); resolves then. */
  async run(): Promise<void> {
    const { app, input, interactive } = this.options;
    this.unsubscribe.push(
      app.operator.onSignal((event) => {
        if (event.kind === 'submitted') this.show(signalView(event.signal, event.preview, event.autoApproved));
        else this.show(decidedSignalView(event.outcome));
      }),
    );
    if (interactive) this.print(`catalyst-bot console (${app.mode}, broker ${app.operator.brokerName}). Type /help; Ctrl-D or exit to quit.`);
    const lines = createInterface({ input, terminal: false });
    const prompt = () => interactive && this.options.output.write('> ');
    prompt();
    try {
      for await (const line of lines) {
        if (/^\s*(exit|quit)\s*$/i.test(line)) break;
        await this.handle(line);
        await this.options.flushAlerts?.();
        prompt();
      }
    } finally {
      lines.close();
      for (const stop of this.unsubscribe.splice(0)) stop();
    }
  }

  /** One line: a command, or a button word. */
  async handle(line: string): Promise<void> {
    const { dispatcher } = this.options;
    const parsed = parseLine(line, dispatcher.commands);
    const requestId = `c${Date.now().toString(36)}${(this.counter++).toString(36)}`;
    switch (parsed.kind) {
      case 'empty':
        return;
      case 'error':
        this.show(errorView(parsed.message));
        return;
      case 'command':
        this.show(
          await dispatcher.runCommand({ name: parsed.name, options: parsed.options, actor: CONSOLE_ACTOR, requestId, source: 'console' }, { allowed: true }),
        );
        return;
      case 'button': {
        const target = parsed.target ?? (await this.defaultTarget(parsed.action));
        if (target === null) {
          this.show(errorView(parsed.action === 'confirm' ? 'Nothing is waiting for confirmation.' : 'No signal is waiting for approval.'));
          return;
        }
        const answer = await dispatcher.pressButton(`${parsed.action}:${target}`, CONSOLE_ACTOR, { allowed: true });
        // A decided signal is printed by the approvals listener; a confirmation's result is printed here.
        if (answer.reply) this.show(answer.reply);
        if (parsed.action === 'confirm' && answer.update) this.show(answer.update);
        return;
      }
    }
  }

  private async defaultTarget(action: 'approve' | 'reject' | 'confirm'): Promise<string | null> {
    if (action === 'confirm') return this.options.app.confirmations.newestFor(CONSOLE_ACTOR.id);
    return (await this.options.app.operator.newestPendingSignal())?.signalId ?? null;
  }
}
