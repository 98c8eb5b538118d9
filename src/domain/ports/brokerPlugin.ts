/**
 * The broker plug-in port: what a broker adapter brings to the product. Its
 * environment variables (zod parsers over their raw text, with defaults), the
 * typed settings it makes of them, its cross-variable rules, and a factory
 * that builds the broker. `src/broker/registry.ts` lists the plug-ins;
 * config.ts and main.ts take whatever it offers, so a new broker is its own
 * folder plus one line there.
 *
 * A plug-in module must stay cheap to import: the factory loads the adapter
 * (and any SDK) with `await import()`, only when it is the broker.
 */
import type { z } from 'zod';
import type { BrokerInterface } from './broker.js';
import type { MarketDataFeed } from './marketData.js';

/** How operators see the broker: simulated, paper or live money. */
export type TradingMode = 'SIM' | 'PAPER' | 'LIVE';

/** The log lines a factory may write (pino's logger is one). */
export interface BrokerLog {
  info(details: Record<string, unknown>, message: string): void;
  warn(details: Record<string, unknown>, message: string): void;
  error(details: Record<string, unknown>, message: string): void;
}

/** What a factory may use besides its own settings. */
export interface BrokerDeps {
  /**
   * The database, for a broker that keeps state of its own there (the
   * simulator's saved account); each plug-in looks up, and checks, the part
   * it needs. Null: nothing is saved.
   */
  store: object | null;
  log: BrokerLog | null;
  /** The wall clock. */
  now: () => Date;
}

/** A built broker, connected, with what the composition root runs beside it. */
export interface BrokerSetup<Controls = unknown> {
  broker: BrokerInterface;
  /** The simulator's controls (`/sim`); null for a real broker. */
  simulator: Controls | null;
  /** Started once a front end is up (the simulator: simulated time follows the wall clock). */
  start?(): void;
  /** Stopped before the broker disconnects. */
  stop?(): Promise<void>;
  /** Minutes of simulated time replayed at start (for the start-up log line); 0 for a real broker. */
  caughtUpMinutes: number;
  /** The broker's market-data stream (not started yet); absent: prices come from polling only. */
  marketData?: MarketDataFeed;
}

/** A reader of one of the plug-in's variables: its parsed value, or undefined when unset or invalid. */
export type VariableReader<Shape extends z.ZodRawShape> = <K extends keyof Shape & string>(name: K) => z.output<Shape[K]> | undefined;

export interface BrokerPlugin<Name extends string = string, Shape extends z.ZodRawShape = z.ZodRawShape, Settings = unknown, Controls = unknown> {
  /** The value of BROKER that selects it, and the key of its settings in the Config. */
  readonly name: Name;
  /** Its environment variables, each a parser of the raw text (every one is read, whichever broker runs). */
  readonly variables: Shape;
  /** Defaults as the raw text an operator would write. */
  readonly defaults: { readonly [K in keyof Shape]?: string };
  /** Variables whose values never appear in a message or a log line. */
  readonly secretVariables: readonly (keyof Shape & string)[];
  /** Its typed settings, from its parsed variables. */
  settings(env: z.output<z.ZodObject<Shape>>): Settings;
  /** Rules across its variables, checked only when it is the broker; each problem as `VARIABLE: expected …`. */
  checks?(read: VariableReader<Shape>): string[];
  /** Secret values in its settings, for the logger to scrub. */
  secrets(settings: Settings): readonly (string | null)[];
  mode(settings: Settings): TradingMode;
  /** Builds and connects the broker. */
  create(settings: Settings, deps: BrokerDeps): Promise<BrokerSetup<Controls>>;
}

/** Any plug-in, whatever its settings (methods are checked bivariantly, so every plug-in fits). */
export type AnyBrokerPlugin = BrokerPlugin<string, z.ZodRawShape, unknown, unknown>;

/** Writes a plug-in with its types inferred (and checked) from its variables and its factory. */
export function defineBrokerPlugin<const Name extends string, Shape extends z.ZodRawShape, Settings, Controls = never>(
  plugin: BrokerPlugin<Name, Shape, Settings, Controls>,
): BrokerPlugin<Name, Shape, Settings, Controls> {
  return plugin;
}

/** The settings a plug-in makes. */
export type SettingsOf<P> = P extends BrokerPlugin<string, z.ZodRawShape, infer S, unknown> ? S : never;

/** The simulator controls a plug-in's broker comes with (never: none). */
export type ControlsOf<P> = P extends BrokerPlugin<string, z.ZodRawShape, unknown, infer C> ? C : never;
