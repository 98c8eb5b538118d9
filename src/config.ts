/**
 * The environment, parsed once into one typed object (DESIGN.md §3).
 * A bad or missing value stops start-up with one message naming every bad
 * variable and what it expects; secret values are never echoed back.
 */
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { Decimal, dec } from './broker/money.js';

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Variables whose values must never appear in a message or a log line. */
export const SECRET_VARIABLES = [
  'ALPACA_API_KEY',
  'ALPACA_API_SECRET',
  'APCA_API_KEY_ID',
  'APCA_API_SECRET_KEY',
  'DISCORD_TOKEN',
  'WEBHOOK_SECRET',
] as const;

const DEFAULT_SIM_PRICES = 'AAPL=190,MSFT=410,NVDA=120,TSLA=250,AMZN=185,GOOGL=170,META=500,SPY=560,QQQ=480';

// ---- one parser per kind of value; each says what it expects -------------

const fail = (ctx: z.RefinementCtx, expects: string): typeof z.NEVER => {
  ctx.addIssue({ code: 'custom', message: `expected ${expects}` });
  return z.NEVER;
};

function decimalVar(expects: string, valid: (d: Decimal) => boolean) {
  return z.string().transform((text, ctx) => {
    let value: Decimal;
    try {
      value = dec(text.trim());
    } catch {
      return fail(ctx, expects);
    }
    return valid(value) ? value : fail(ctx, expects);
  });
}

const fraction = (example: string) =>
  decimalVar(`a fraction greater than 0 and at most 1 (e.g. ${example})`, (d) => d.gt(0) && d.lte(1));

function intVar(expects: string, min: number, max: number) {
  return z.string().transform((text, ctx) => {
    const n = Number(text.trim());
    return /^-?\d+$/.test(text.trim()) && n >= min && n <= max ? n : fail(ctx, expects);
  });
}

const boolVar = z.string().transform((text, ctx) => {
  const t = text.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(t)) return true;
  if (['false', '0', 'no', 'off'].includes(t)) return false;
  return fail(ctx, '`true` or `false`');
});

const urlVar = z.string().transform((text, ctx) => {
  try {
    const url = new URL(text.trim());
    return ['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol) ? url.toString().replace(/\/$/, '') : fail(ctx, 'an http(s) or ws(s) URL');
  } catch {
    return fail(ctx, 'an http(s) or ws(s) URL');
  }
});

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

const tickerPattern = /^[A-Z][A-Z0-9.]{0,9}$/;

const simPricesVar = z.string().transform((text, ctx) => {
  const prices = new Map<string, Decimal>();
  for (const part of text.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const [ticker, price] = part.split('=').map((s) => s.trim());
    let value: Decimal | null = null;
    try {
      value = price ? dec(price) : null;
    } catch {
      value = null;
    }
    if (!ticker || !tickerPattern.test(ticker.toUpperCase()) || value === null || value.lte(0)) {
      return fail(ctx, 'TICKER=PRICE pairs separated by commas, prices above 0 (e.g. AAPL=190,MSFT=410)');
    }
    prices.set(ticker.toUpperCase(), value);
  }
  return prices.size > 0 ? prices : fail(ctx, 'at least one TICKER=PRICE pair (e.g. AAPL=190)');
});

const timeOfDayVar = z.string().transform((text, ctx) => {
  const m = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(text.trim());
  return m ? { hour: Number(m[1]), minute: Number(m[2]) } : fail(ctx, 'a time of day as HH:MM, 24-hour (e.g. 16:15)');
});

const timezoneVar = z.string().transform((text, ctx) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: text.trim() });
    return text.trim();
  } catch {
    return fail(ctx, 'an IANA time zone name (e.g. America/New_York)');
  }
});

const secretVar = z.string().min(1);

// ---- the environment, variable by variable --------------------------------

const envSchema = z.object({
  BROKER: z.enum(['sim', 'alpaca'], { message: 'expected `sim` or `alpaca`' }),
  ALPACA_API_KEY: secretVar.optional(),
  ALPACA_API_SECRET: secretVar.optional(),
  APCA_API_KEY_ID: secretVar.optional(),
  APCA_API_SECRET_KEY: secretVar.optional(),
  ALPACA_PAPER: boolVar,
  LIVE_TRADING_ACKNOWLEDGED: boolVar,
  ALPACA_TRADING_URL: urlVar.optional(),
  ALPACA_DATA_URL: urlVar.optional(),
  ALPACA_STREAM_URL: urlVar.optional(),
  DB_PATH: z.string().min(1),
  REPORTS_DIR: z.string().min(1).optional(),
  SIM_STARTING_CASH: decimalVar('a dollar amount above 0 (e.g. 100000)', (d) => d.gt(0)),
  SIM_PRICES: simPricesVar,
  SIM_SEED: intVar('a whole number (e.g. 42)', 0, 2 ** 31 - 1),
  SIM_MARKET_HOURS: z.enum(['always', 'nyse'], { message: 'expected `always` or `nyse`' }),
  SIM_SLIPPAGE_BPS: decimalVar('basis points from 0 to 1000 (e.g. 5)', (d) => d.gte(0) && d.lte(1000)),
  SIM_MARGIN_MULTIPLIER: z.enum(['1', '2', '4'], { message: 'expected 1 (cash account), 2 or 4 (margin)' }),
  SIM_VOLUME_PER_TICK: decimalVar('a share count above 0 (e.g. 500)', (d) => d.gt(0)).optional(),
  SIM_COMMISSION_PER_SHARE: decimalVar('dollars per share, 0 or more (e.g. 0.005)', (d) => d.gte(0)),
  DISCORD_TOKEN: secretVar.optional(),
  DISCORD_APPLICATION_ID: snowflakeVar.optional(),
  DISCORD_GUILD_ID: snowflakeVar.optional(),
  DISCORD_ALERTS_CHANNEL_ID: snowflakeVar.optional(),
  DISCORD_SIGNALS_CHANNEL_ID: snowflakeVar.optional(),
  DISCORD_TRADER_ROLE_IDS: snowflakeListVar,
  DISCORD_TRADER_USER_IDS: snowflakeListVar,
  DISCORD_API_URL: urlVar.optional(),
  SIZING_METHOD: z.enum(['risk', 'percent', 'kelly'], { message: 'expected `risk`, `percent` or `kelly`' }),
  MAX_POSITION_PCT: fraction('0.10'),
  RISK_PER_TRADE_PCT: fraction('0.02'),
  KELLY_FRACTION: fraction('0.5'),
  MAX_OPEN_POSITIONS: intVar('a whole number from 1 to 1000', 1, 1000),
  MAX_EXPOSURE_PCT: decimalVar('a fraction of equity above 0, at most 4 (e.g. 1.0)', (d) => d.gt(0) && d.lte(4)),
  MAX_DAILY_LOSS_PCT: fraction('0.03'),
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
  LOG_LEVEL: z
    .enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], {
      message: 'expected one of trace, debug, info, warn, error, fatal, silent',
    }),
});

/** Defaults as the raw text an operator would write; they go through the same parsers. */
const DEFAULTS: Partial<Record<keyof typeof envSchema.shape, string>> = {
  BROKER: 'sim',
  ALPACA_PAPER: 'true',
  LIVE_TRADING_ACKNOWLEDGED: 'false',
  DB_PATH: 'data/trading.db',
  SIM_STARTING_CASH: '100000',
  SIM_PRICES: DEFAULT_SIM_PRICES,
  SIM_SEED: '42',
  SIM_MARKET_HOURS: 'always',
  SIM_SLIPPAGE_BPS: '0',
  SIM_MARGIN_MULTIPLIER: '2',
  SIM_COMMISSION_PER_SHARE: '0',
  DISCORD_TRADER_ROLE_IDS: '',
  DISCORD_TRADER_USER_IDS: '',
  SIZING_METHOD: 'risk',
  MAX_POSITION_PCT: '0.10',
  RISK_PER_TRADE_PCT: '0.02',
  KELLY_FRACTION: '0.5',
  MAX_OPEN_POSITIONS: '10',
  MAX_EXPOSURE_PCT: '1.0',
  MAX_DAILY_LOSS_PCT: '0.03',
  MAX_DRAWDOWN_PCT: '0.10',
  MONITOR_INTERVAL_SECONDS: '60',
  DAILY_REPORT_TIME: '16:15',
  TIMEZONE: 'America/New_York',
  SIGNAL_TTL_MINUTES: '30',
  MAX_ENTRY_DRIFT_PCT: '0.01',
  AUTO_APPROVE_STRATEGIES: '',
  WEBHOOK_HOST: '127.0.0.1',
  LOG_LEVEL: 'info',
};

type Env = z.infer<typeof envSchema>;

/** Every variable the product reads. */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(envSchema.shape);

export interface Config {
  broker: 'sim' | 'alpaca';
  alpaca: {
    keyId: string | null;
    secretKey: string | null;
    paper: boolean;
    liveTradingAcknowledged: boolean;
    tradingUrl: string | null;
    dataUrl: string | null;
    streamUrl: string | null;
  };
  dbPath: string;
  /** REPORTS_DIR; null = `reports/` beside the database. */
  reportsDir: string | null;
  sim: {
    startingCash: Decimal;
    prices: ReadonlyMap<string, Decimal>;
    seed: number;
    marketHours: 'always' | 'nyse';
    slippageBps: Decimal;
    marginMultiplier: 1 | 2 | 4;
    /** Partial fills: most shares an order fills per price tick; null = no cap. */
    volumePerTick: Decimal | null;
    commissionPerShare: Decimal;
  };
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
    method: 'risk' | 'percent' | 'kelly';
    maxPositionPct: Decimal;
    riskPerTradePct: Decimal;
    kellyFraction: Decimal;
  };
  risk: {
    maxOpenPositions: number;
    maxExposurePct: Decimal;
    maxDailyLossPct: Decimal;
    maxDrawdownPct: Decimal;
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
  logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
}

/** The value a variable parses to, or undefined when it is unset or itself invalid. */
function field<K extends keyof Env>(input: Record<string, string>, name: K): Env[K] | undefined {
  const result = envSchema.shape[name].safeParse(input[name]);
  return result.success ? (result.data as Env[K]) : undefined;
}

/** Rules across variables, checked on the raw input so they join the same message. */
function crossChecks(input: Record<string, string>): string[] {
  const problems: string[] = [];
  const broker = field(input, 'BROKER');
  const keyId = input.ALPACA_API_KEY ?? input.APCA_API_KEY_ID;
  const secret = input.ALPACA_API_SECRET ?? input.APCA_API_SECRET_KEY;
  if (broker === 'alpaca' && (!keyId || !secret)) {
    problems.push(
      'ALPACA_API_KEY / ALPACA_API_SECRET: expected both to be set when BROKER=alpaca (APCA_API_KEY_ID / APCA_API_SECRET_KEY are accepted too)',
    );
  }
  if (broker === 'alpaca' && field(input, 'ALPACA_PAPER') === false && field(input, 'LIVE_TRADING_ACKNOWLEDGED') !== true) {
    problems.push(
      'LIVE_TRADING_ACKNOWLEDGED: expected `true` when ALPACA_PAPER=false: live trading sends real orders with real money; set it only if you mean that',
    );
  }
  if (input.WEBHOOK_PORT !== undefined && input.WEBHOOK_SECRET === undefined) {
    problems.push('WEBHOOK_SECRET: expected a secret of at least 16 characters when WEBHOOK_PORT is set (signals are authenticated with it)');
  }
  return problems;
}

function toConfig(env: Env): Config {
  return {
    broker: env.BROKER,
    alpaca: {
      keyId: env.ALPACA_API_KEY ?? env.APCA_API_KEY_ID ?? null,
      secretKey: env.ALPACA_API_SECRET ?? env.APCA_API_SECRET_KEY ?? null,
      paper: env.ALPACA_PAPER,
      liveTradingAcknowledged: env.LIVE_TRADING_ACKNOWLEDGED,
      tradingUrl: env.ALPACA_TRADING_URL ?? null,
      dataUrl: env.ALPACA_DATA_URL ?? null,
      streamUrl: env.ALPACA_STREAM_URL ?? null,
    },
    dbPath: env.DB_PATH,
    reportsDir: env.REPORTS_DIR?.trim() || null,
    sim: {
      startingCash: env.SIM_STARTING_CASH,
      prices: env.SIM_PRICES,
      seed: env.SIM_SEED,
      marketHours: env.SIM_MARKET_HOURS,
      slippageBps: env.SIM_SLIPPAGE_BPS,
      marginMultiplier: Number(env.SIM_MARGIN_MULTIPLIER) as 1 | 2 | 4,
      volumePerTick: env.SIM_VOLUME_PER_TICK ?? null,
      commissionPerShare: env.SIM_COMMISSION_PER_SHARE,
    },
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
    },
    risk: {
      maxOpenPositions: env.MAX_OPEN_POSITIONS,
      maxExposurePct: env.MAX_EXPOSURE_PCT,
      maxDailyLossPct: env.MAX_DAILY_LOSS_PCT,
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
    logLevel: env.LOG_LEVEL,
  };
}

const SECRET_SET: ReadonlySet<string> = new Set(SECRET_VARIABLES);

/**
 * Parses `env` (process.env by default). Empty values count as unset, as in
 * a `.env` file with `DISCORD_TOKEN=`. Throws ConfigError listing every problem.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const input: Record<string, string> = {};
  for (const name of CONFIG_VARIABLES) {
    const value = env[name];
    const fallback = DEFAULTS[name as keyof typeof DEFAULTS];
    if (value !== undefined && value.trim() !== '') input[name] = value;
    else if (fallback !== undefined) input[name] = fallback;
  }
  const parsed = envSchema.safeParse(input);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => {
        const name = String(issue.path[0] ?? '(environment)');
        const raw = input[name];
        const got = raw === undefined || SECRET_SET.has(name) ? '' : `, got ${JSON.stringify(raw)}`;
        return `${name}: ${issue.message}${got}`;
      });
  problems.push(...crossChecks(input));
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  return toConfig(parsed.data);
}

/** Every secret value in the configuration: what the logger scrubs from any text. */
export function secretValues(config: Config): string[] {
  return [config.alpaca.keyId, config.alpaca.secretKey, config.discord.token, config.webhook.secret].filter(
    (v): v is string => v !== null && v.length > 0,
  );
}

/** The trading mode as shown to operators. */
export function tradingMode(config: Config): 'SIM' | 'PAPER' | 'LIVE' {
  if (config.broker === 'sim') return 'SIM';
  return config.alpaca.paper ? 'PAPER' : 'LIVE';
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
