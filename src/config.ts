/**
 * The environment, parsed once into one typed object.
 * A bad or missing value stops start-up with one message naming every bad
 * variable and what it expects; secret values are never echoed back.
 *
 * The broker variables are not listed here: each broker plug-in of the
 * registry brings its own (their parsers, defaults and cross-variable rules),
 * and its settings land under its name (`config.sim`, `config.alpaca`).
 */
import { existsSync } from 'node:fs';
import { z } from 'zod';
import type { AnyBrokerPlugin, SettingsOf, TradingMode, VariableReader } from './domain/ports/brokerPlugin.js';
import { BROKER_PLUGINS, type BrokerRegistry, brokerRegistry } from './broker/registry.js';
import type { Decimal } from './domain/money.js';
import { decimalVar, fail, intVar, oneOfVar, secretVar, urlVar } from './envVars.js';

export type { TradingMode } from './domain/ports/brokerPlugin.js';

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

// ---- parsers of the core's own kinds of value ------------------------------

const fraction = (example: string) => decimalVar(`a fraction greater than 0 and at most 1 (e.g. ${example})`, (d) => d.gt(0) && d.lte(1));

/** Discord ids are snowflakes: 17–20 digits. */
const snowflakeVar = z.string().regex(/^\d{17,20}$/, { message: 'expected a Discord id (17–20 digits)' });

const snowflakeListVar = z.string().transform((text, ctx) => {
  const ids = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return ids.every((id) => /^\d{17,20}$/.test(id)) ? ids : fail(ctx, 'a comma-separated list of Discord ids (17–20 digits each)');
});

const wordListVar = z.string().transform((text) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== ''),
);

const timeOfDayVar = z.string().transform((text, ctx) => {
  const m = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(text.trim());
  return m ? { hour: Number(m[1]), minute: Number(m[2]) } : fail(ctx, 'a time of day as HH:MM, 24-hour (e.g. 16:15)');
});

/** DASHBOARD_PORT: `off` disables the dashboard; 0 asks the system for a free port. */
const dashboardPortVar = z.string().transform((text, ctx) => {
  const t = text.trim().toLowerCase();
  if (t === 'off') return null;
  const n = Number(t);
  return /^\d+$/.test(t) && n <= 65_535 ? n : fail(ctx, 'a TCP port from 0 to 65535 (0 = a free port), or `off`');
});

/**
 * Whether a bind address takes connections from this machine only: only there
 * may the dashboard run on a token generated at each start; reachable from
 * other machines, it needs a token the operator chose (DASHBOARD_TOKEN).
 */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

const timezoneVar = z.string().transform((text, ctx) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: text.trim() });
    return text.trim();
  } catch {
    return fail(ctx, 'an IANA time zone name (e.g. America/New_York)');
  }
});

// ---- the core's variables (the broker's come from its plug-in) -------------

const storageVariables = {
  DB_PATH: z.string().min(1),
  REPORTS_DIR: z.string().min(1).optional(),
};

const coreVariables = {
  DISCORD_TOKEN: secretVar.optional(),
  DISCORD_APPLICATION_ID: snowflakeVar.optional(),
  DISCORD_GUILD_ID: snowflakeVar.optional(),
  DISCORD_ALERTS_CHANNEL_ID: snowflakeVar.optional(),
  DISCORD_SIGNALS_CHANNEL_ID: snowflakeVar.optional(),
  DISCORD_TRADER_ROLE_IDS: snowflakeListVar,
  DISCORD_TRADER_USER_IDS: snowflakeListVar,
  DISCORD_API_URL: urlVar.optional(),
  SIZING_METHOD: oneOfVar(['risk', 'percent', 'kelly', 'calibrated_kelly']),
  MAX_POSITION_PCT: fraction('0.10'),
  RISK_PER_TRADE_PCT: fraction('0.02'),
  KELLY_FRACTION: fraction('0.5'),
  CALIBRATION_MIN_TRADES: intVar('a whole number of trades from 1 to 100000', 1, 100_000),
  MAX_OPEN_POSITIONS: intVar('a whole number from 1 to 1000', 1, 1000),
  MAX_EXPOSURE_PCT: decimalVar('a fraction of equity above 0, at most 4 (e.g. 1.0)', (d) => d.gt(0) && d.lte(4)),
  MAX_DAILY_LOSS_PCT: fraction('0.03'),
  REDUCE_AT_DAILY_LOSS_PCT: fraction('0.02'),
  MAX_DRAWDOWN_PCT: fraction('0.10'),
  MONITOR_INTERVAL_SECONDS: intVar('a whole number of seconds from 5 to 3600', 5, 3600),
  DAILY_REPORT_TIME: timeOfDayVar,
  TIMEZONE: timezoneVar,
  SIGNAL_TTL_MINUTES: intVar('a whole number of minutes from 1 to 10080', 1, 10_080),
  MAX_ENTRY_DRIFT_PCT: fraction('0.01'),
  AUTO_APPROVE_MIN_CONFIDENCE: decimalVar('a confidence from 0 to 1 (e.g. 0.9)', (d) => d.gte(0) && d.lte(1)).optional(),
  AUTO_APPROVE_STRATEGIES: wordListVar,
  WEBHOOK_PORT: intVar('a TCP port from 1 to 65535', 1, 65_535).optional(),
  WEBHOOK_HOST: z.string().min(1),
  WEBHOOK_SECRET: z.string().min(16, { message: 'expected at least 16 characters' }).optional(),
  DASHBOARD_PORT: dashboardPortVar,
  DASHBOARD_HOST: z.string().min(1),
  DASHBOARD_TOKEN: z.string().trim().min(24, { message: 'expected at least 24 characters' }).optional(),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], {
    message: 'expected one of trace, debug, info, warn, error, fatal, silent',
  }),
};

const coreSecretVariables = ['DISCORD_TOKEN', 'WEBHOOK_SECRET', 'DASHBOARD_TOKEN'] as const;

/** Defaults as the raw text an operator would write; they go through the same parsers. */
const CORE_DEFAULTS: Readonly<Record<string, string>> = {
  DB_PATH: 'data/trading.db',
  DISCORD_TRADER_ROLE_IDS: '',
  DISCORD_TRADER_USER_IDS: '',
  SIZING_METHOD: 'risk',
  MAX_POSITION_PCT: '0.10',
  RISK_PER_TRADE_PCT: '0.02',
  KELLY_FRACTION: '0.5',
  CALIBRATION_MIN_TRADES: '30',
  MAX_OPEN_POSITIONS: '10',
  MAX_EXPOSURE_PCT: '1.0',
  MAX_DAILY_LOSS_PCT: '0.03',
  REDUCE_AT_DAILY_LOSS_PCT: '0.02',
  MAX_DRAWDOWN_PCT: '0.10',
  MONITOR_INTERVAL_SECONDS: '60',
  DAILY_REPORT_TIME: '16:15',
  TIMEZONE: 'America/New_York',
  SIGNAL_TTL_MINUTES: '30',
  MAX_ENTRY_DRIFT_PCT: '0.01',
  AUTO_APPROVE_STRATEGIES: '',
  WEBHOOK_HOST: '127.0.0.1',
  DASHBOARD_PORT: '8790',
  DASHBOARD_HOST: '127.0.0.1',
  LOG_LEVEL: 'info',
};

type CoreEnv = z.output<z.ZodObject<typeof storageVariables & typeof coreVariables>>;

/** Everything but the broker: what the core reads. */
export interface CoreConfig {
  /** BROKER: the name of a broker plug-in of the registry. */
  broker: string;
  dbPath: string;
  /** REPORTS_DIR; null = `reports/` beside the database. */
  reportsDir: string | null;
  discord: {
    token: string | null;
    applicationId: string | null;
    guildId: string | null;
    alertsChannelId: string | null;
    /** Falls back to the alerts channel. */
    signalsChannelId: string | null;
    traderRoleIds: readonly string[];
    traderUserIds: readonly string[];
    apiUrl: string | null;
  };
  sizing: {
    method: 'risk' | 'percent' | 'kelly' | 'calibrated_kelly';
    maxPositionPct: Decimal;
    riskPerTradePct: Decimal;
    kellyFraction: Decimal;
    /** CALIBRATION_MIN_TRADES: closed trades per strategy before its isotonic calibration replaces the Beta-binomial rate. */
    calibrationMinTrades: number;
  };
  risk: {
    maxOpenPositions: number;
    maxExposurePct: Decimal;
    maxDailyLossPct: Decimal;
    maxDrawdownPct: Decimal;
    /** REDUCE_AT_DAILY_LOSS_PCT; null when it is not below MAX_DAILY_LOSS_PCT (the halt comes first). */
    reduceAtDailyLossPct: Decimal | null;
  };
  monitor: {
    intervalSeconds: number;
    dailyReportTime: { hour: number; minute: number };
    timezone: string;
  };
  signals: {
    ttlMinutes: number;
    maxEntryDriftPct: Decimal;
    autoApproveMinConfidence: Decimal | null;
    autoApproveStrategies: readonly string[];
  };
  webhook: {
    port: number | null;
    host: string;
    secret: string | null;
  };
  dashboard: {
    /** Null: DASHBOARD_PORT=off. 0: a free port. */
    port: number | null;
    host: string;
    /** Null: a token is generated at each start (main.ts). */
    token: string | null;
  };
  logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
}

/** Each registered broker's settings under its name, typed from its plug-in. */
export type BrokerSettings = { readonly [P in (typeof BROKER_PLUGINS)[number] as P['name']]: SettingsOf<P> };

export type Config = CoreConfig & BrokerSettings;

function toCoreConfig(broker: string, env: CoreEnv): CoreConfig {
  return {
    broker,
    dbPath: env.DB_PATH,
    reportsDir: env.REPORTS_DIR?.trim() || null,
    discord: {
      token: env.DISCORD_TOKEN ?? null,
      applicationId: env.DISCORD_APPLICATION_ID ?? null,
      guildId: env.DISCORD_GUILD_ID ?? null,
      alertsChannelId: env.DISCORD_ALERTS_CHANNEL_ID ?? null,
      signalsChannelId: env.DISCORD_SIGNALS_CHANNEL_ID ?? env.DISCORD_ALERTS_CHANNEL_ID ?? null,
      traderRoleIds: env.DISCORD_TRADER_ROLE_IDS,
      traderUserIds: env.DISCORD_TRADER_USER_IDS,
      apiUrl: env.DISCORD_API_URL ?? null,
    },
    sizing: {
      method: env.SIZING_METHOD,
      maxPositionPct: env.MAX_POSITION_PCT,
      riskPerTradePct: env.RISK_PER_TRADE_PCT,
      kellyFraction: env.KELLY_FRACTION,
      calibrationMinTrades: env.CALIBRATION_MIN_TRADES,
    },
    risk: {
      maxOpenPositions: env.MAX_OPEN_POSITIONS,
      maxExposurePct: env.MAX_EXPOSURE_PCT,
      maxDailyLossPct: env.MAX_DAILY_LOSS_PCT,
      // At or above the halt the step never comes first: the halt does.
      reduceAtDailyLossPct: env.REDUCE_AT_DAILY_LOSS_PCT.lt(env.MAX_DAILY_LOSS_PCT) ? env.REDUCE_AT_DAILY_LOSS_PCT : null,
      maxDrawdownPct: env.MAX_DRAWDOWN_PCT,
    },
    monitor: {
      intervalSeconds: env.MONITOR_INTERVAL_SECONDS,
      dailyReportTime: env.DAILY_REPORT_TIME,
      timezone: env.TIMEZONE,
    },
    signals: {
      ttlMinutes: env.SIGNAL_TTL_MINUTES,
      maxEntryDriftPct: env.MAX_ENTRY_DRIFT_PCT,
      autoApproveMinConfidence: env.AUTO_APPROVE_MIN_CONFIDENCE ?? null,
      autoApproveStrategies: env.AUTO_APPROVE_STRATEGIES,
    },
    webhook: {
      port: env.WEBHOOK_PORT ?? null,
      host: env.WEBHOOK_HOST,
      secret: env.WEBHOOK_SECRET ?? null,
    },
    dashboard: {
      port: env.DASHBOARD_PORT,
      host: env.DASHBOARD_HOST.trim(),
      token: env.DASHBOARD_TOKEN ?? null,
    },
    logLevel: env.LOG_LEVEL,
  };
}

/** Keys of the Config a broker plug-in may not take as its name (every key of CoreConfig, checked by the compiler). */
const CORE_KEY_RECORD: Record<keyof CoreConfig, true> = {
  broker: true,
  dbPath: true,
  reportsDir: true,
  discord: true,
  sizing: true,
  risk: true,
  monitor: true,
  signals: true,
  webhook: true,
  dashboard: true,
  logLevel: true,
};
const CORE_KEYS: ReadonlySet<string> = new Set(Object.keys(CORE_KEY_RECORD));
const CORE_VARIABLES: ReadonlySet<string> = new Set(['BROKER', ...Object.keys(storageVariables), ...Object.keys(coreVariables)]);

/** The environment as the registry's plug-ins make it: BROKER, each broker's variables, then the core's. */
function schemaOf(registry: BrokerRegistry) {
  const names = registry.names();
  const brokerVariables = Object.assign({}, ...registry.plugins.map((p) => p.variables)) as z.ZodRawShape;
  return z.object({
    BROKER: oneOfVar(names as [string, ...string[]]),
    ...brokerVariables,
    ...storageVariables,
    ...coreVariables,
  });
}

function defaultsOf(registry: BrokerRegistry): Readonly<Record<string, string>> {
  const brokerDefaults = Object.assign({}, ...registry.plugins.map((p) => p.defaults)) as Record<string, string>;
  return { BROKER: registry.defaultName, ...brokerDefaults, ...CORE_DEFAULTS };
}

/** Every variable the product reads, with the given brokers. */
export function configVariables(registry: BrokerRegistry = brokerRegistry): readonly string[] {
  return Object.keys(schemaOf(registry).shape);
}

/** Variables whose values must never appear in a message or a log line. */
export function secretVariables(registry: BrokerRegistry = brokerRegistry): readonly string[] {
  return [...registry.plugins.flatMap((p) => p.secretVariables), ...coreSecretVariables];
}

/** Every variable the product reads. */
export const CONFIG_VARIABLES: readonly string[] = configVariables();

/** Variables whose values must never appear in a message or a log line. */
export const SECRET_VARIABLES: readonly string[] = secretVariables();

/** One variable of a plug-in, parsed alone (undefined when unset or itself invalid): what cross-variable rules read. */
function readerOf(plugin: AnyBrokerPlugin, input: Readonly<Record<string, string>>): VariableReader<z.ZodRawShape> {
  return ((name: string) => {
    const schema = plugin.variables[name];
    if (!schema) return undefined;
    const result = z.safeParse(schema, input[name]);
    return result.success ? result.data : undefined;
  }) as VariableReader<z.ZodRawShape>;
}

/** The core's rules across variables, checked on the raw input so they join the same message. */
function crossChecks(input: Readonly<Record<string, string>>): string[] {
  const problems: string[] = [];
  if (input.WEBHOOK_PORT !== undefined && input.WEBHOOK_SECRET === undefined) {
    problems.push('WEBHOOK_SECRET: expected a secret of at least 16 characters when WEBHOOK_PORT is set (signals are authenticated with it)');
  }
  // Off the loopback interface, a token printed at each start would be the only key and would change
  // with every restart: a fixed, long token must be chosen. With the dashboard off, nothing listens.
  const dashboardOn = input.DASHBOARD_PORT?.trim().toLowerCase() !== 'off';
  if (dashboardOn && input.DASHBOARD_HOST !== undefined && !isLoopbackHost(input.DASHBOARD_HOST) && input.DASHBOARD_TOKEN === undefined) {
    problems.push(
      `DASHBOARD_TOKEN: expected a token of at least 24 characters when DASHBOARD_HOST is not a loopback address (got DASHBOARD_HOST ${JSON.stringify(input.DASHBOARD_HOST)})`,
    );
  }
  return problems;
}

/**
 * Parses `env` (process.env by default) with the brokers of `registry`.
 * Empty values count as unset, as in a `.env` file with `DISCORD_TOKEN=`.
 * Throws ConfigError listing every problem.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, registry: BrokerRegistry = brokerRegistry): Config {
  for (const plugin of registry.plugins) {
    if (CORE_KEYS.has(plugin.name)) throw new Error(`a broker plug-in cannot be named ${plugin.name}: the configuration uses that key`);
    const taken = Object.keys(plugin.variables).filter((v) => CORE_VARIABLES.has(v));
    if (taken.length > 0) throw new Error(`the ${plugin.name} broker plug-in reads ${taken.join(', ')}, which the core reads`);
  }
  const schema = schemaOf(registry);
  const defaults = defaultsOf(registry);
  const input: Record<string, string> = {};
  for (const name of Object.keys(schema.shape)) {
    const value = env[name];
    const fallback = defaults[name];
    if (value !== undefined && value.trim() !== '') input[name] = value;
    else if (fallback !== undefined) input[name] = fallback;
  }
  const secrets = new Set(secretVariables(registry));
  const parsed = schema.safeParse(input);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => {
        const name = String(issue.path[0] ?? '(environment)');
        const raw = input[name];
        const got = raw === undefined || secrets.has(name) ? '' : `, got ${JSON.stringify(raw)}`;
        return `${name}: ${issue.message}${got}`;
      });
  const selected = registry.get(input.BROKER ?? '');
  if (selected?.checks) problems.push(...selected.checks(readerOf(selected, input)));
  problems.push(...crossChecks(input));
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const data = parsed.data as Record<string, unknown>;
  const config: Record<string, unknown> = { ...toCoreConfig(String(data.BROKER), parsed.data as unknown as CoreEnv) };
  for (const plugin of registry.plugins) config[plugin.name] = plugin.settings(data);
  return config as unknown as Config;
}

/** The settings of the broker `name` (any plug-in's, whatever the Config type names). */
export function brokerSettings(config: CoreConfig, name: string = config.broker): unknown {
  return (config as unknown as Readonly<Record<string, unknown>>)[name];
}

function pluginOf(config: CoreConfig, registry: BrokerRegistry): AnyBrokerPlugin {
  const plugin = registry.get(config.broker);
  if (!plugin) throw new Error(`no broker plug-in named ${config.broker}`);
  return plugin;
}

/** Every secret value in the configuration: what the logger scrubs from any text. */
export function secretValues(config: CoreConfig, registry: BrokerRegistry = brokerRegistry): string[] {
  const brokerSecrets = registry.plugins.flatMap((p) => {
    const settings = brokerSettings(config, p.name);
    return settings === undefined ? [] : p.secrets(settings);
  });
  return [...brokerSecrets, config.discord.token, config.webhook.secret, config.dashboard.token].filter((v): v is string => v !== null && v.length > 0);
}

/** The trading mode as shown to operators. */
export function tradingMode(config: CoreConfig, registry: BrokerRegistry = brokerRegistry): TradingMode {
  return pluginOf(config, registry).mode(brokerSettings(config));
}

/**
 * For the entry points (`npm start`, the scripts): reads `.env` when present
 * and loads the configuration; on a bad value prints every problem to stderr
 * and returns null (the caller exits 2).
 */
export function readConfigOrReport(): Config | null {
  if (existsSync('.env')) process.loadEnvFile('.env');
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\nSee .env.example for every variable and its default.\n`);
    return null;
  }
}
