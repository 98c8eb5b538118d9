/**
 * The contract of a command file in commands/: its slash-command definition,
 * who may run it, and a handler that makes one application call and returns
 * a view. The same handler serves Discord and the console.
 */
import type { SlashCommandOptionsOnlyBuilder, SlashCommandSubcommandsOnlyBuilder } from 'discord.js';
import type { Config } from '../config.js';
import type { SimBroker } from '../broker/sim/SimBroker.js';
import type { View } from './view.js';

/** Typed access to a command's options, whatever front end parsed them. */
export interface CommandOptions {
  subcommand(): string | null;
  string(name: string): string | null;
  integer(name: string): number | null;
}

export interface Actor {
  id: string;
  name: string;
}

/** What handlers call. Grows with the engine and operator issues. */
export interface AppServices {
  config: Config;
  /** Present only when BROKER=sim. */
  sim: SimBroker | null;
}

export interface CommandContext {
  app: AppServices;
  options: CommandOptions;
  actor: Actor;
}

export interface OperatorCommand {
  data: SlashCommandOptionsOnlyBuilder | SlashCommandSubcommandsOnlyBuilder;
  /** `trade` commands need a trader; `read` ones are open to the guild. */
  access: 'read' | 'trade';
  execute(ctx: CommandContext): Promise<View>;
}

/** A refusal worth showing the operator as it is (bad input, wrong mode). */
export class CommandError extends Error {
  override readonly name = 'CommandError';
}
