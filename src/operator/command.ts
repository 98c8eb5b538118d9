/**
 * The contract of a command file in commands/: its slash-command definition,
 * who may run it, and a handler that makes one application call and returns
 * a view. The same handler serves Discord and the console.
 */
import type { SlashCommandOptionsOnlyBuilder, SlashCommandSubcommandsOnlyBuilder } from 'discord.js';
import { OperatorError } from '../app/errors.js';
import type { OperatorService, SimulatorControls, StatusInfo, TradingMode } from '../app/OperatorService.js';
import type { BrokerInterface } from '../domain/ports/broker.js';
import type { Config } from '../config.js';
import type { Store } from '../domain/ports/store.js';
import type { TradingEngine } from '../execution/engine.js';
import type { SignalApprovals } from '../signals/SignalApprovals.js';
import type { Confirmations } from './confirmations.js';
import type { View } from '../views/view.js';

/** Typed access to a command's options, whatever front end parsed them. */
export interface CommandOptions {
  subcommand(): string | null;
  string(name: string): string | null;
  integer(name: string): number | null;
}

/** The option a user is typing, for autocomplete. */
export interface FocusedOption {
  name: string;
  value: string;
}

export interface Choice {
  name: string;
  value: string;
}

export interface Actor {
  id: string;
  name: string;
}

export type { StatusInfo } from '../app/OperatorService.js';

/**
 * The application as a front end (Discord, the console, a command) holds it:
 * the operator service, the one entry point for data and actions, and the
 * front end's own settings. Nothing here reaches past the core.
 */
export interface FrontEndServices {
  operator: OperatorService;
  config: Config;
  mode: TradingMode;
  /** Pending Confirm buttons (/flatten). */
  confirmations: Confirmations;
  status(): Promise<StatusInfo>;
  now(): Date;
}

/**
 * The whole application as the composition root assembles it: the front
 * ends' services and the parts main.ts starts and stops (the engine's trade
 * stream, start-up reconciliation, the signal sweeper) and tests inspect.
 */
export interface AppServices extends FrontEndServices {
  broker: BrokerInterface;
  store: Store;
  engine: TradingEngine;
  approvals: SignalApprovals;
  /** Present only when BROKER=sim. */
  sim: SimulatorControls | null;
}

export interface CommandContext {
  app: FrontEndServices;
  options: CommandOptions;
  actor: Actor;
  /** Unique per invocation (the Discord interaction id, a console counter): the idempotency key of a manual order. */
  requestId: string;
  /** Where the command came from: a signal posted from here is stored with this source. */
  source: 'discord' | 'console';
  /** Every command the front end knows (for /help). */
  commands: readonly OperatorCommand[];
}

export interface OperatorCommand {
  data: SlashCommandOptionsOnlyBuilder | SlashCommandSubcommandsOnlyBuilder;
  /** `trade` commands need a trader; `read` ones are open to the guild. */
  access: 'read' | 'trade';
  execute(ctx: CommandContext): Promise<View>;
  /** Suggestions while an option is typed (Discord autocomplete). */
  autocomplete?(app: FrontEndServices, focused: FocusedOption): Promise<Choice[]>;
}

/** A refusal worth showing the operator as it is (bad input, wrong mode): an OperatorError raised at the input edge. */
export class CommandError extends OperatorError {
  override readonly name: string = 'CommandError';
}
