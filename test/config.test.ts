import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, loadConfig, secretValues, tradingMode } from '../src/config.js';
import { plain } from './helpers/plain.js';
import { problemsOf } from './helpers/configProblems.js';

describe('configuration', () => {
  it('runs the simulator with the design defaults when nothing is set', () => {
    const c = loadConfig({});
    expect(c.broker).toBe('sim');
    expect(tradingMode(c)).toBe('SIM');
    expect(c.dbPath).toBe('data/trading.db');
    expect(c.sim.startingCash.toFixed()).toBe('100000');
    expect(c.sim.prices.get('AAPL')?.toFixed()).toBe('190');
    expect(c.sim.prices.get('MSFT')?.toFixed()).toBe('410');
    expect([c.sim.seed, c.sim.marketHours]).toEqual([42, 'always']);
    expect(c.sizing.method).toBe('risk');
    expect([c.sizing.maxPositionPct, c.sizing.riskPerTradePct, c.sizing.kellyFraction].map((d) => d.toFixed())).toEqual(['0.1', '0.02', '0.5']);
    expect(c.risk.maxOpenPositions).toBe(10);
    expect([c.risk.maxExposurePct, c.risk.maxDailyLossPct, c.risk.maxDrawdownPct].map((d) => d.toFixed())).toEqual(['1', '0.03', '0.1']);
    expect(c.risk.reduceAtDailyLossPct?.toFixed()).toBe('0.02');
    // At or above the halt there is no REDUCING step: the halt comes first.
    expect(loadConfig({ MAX_DAILY_LOSS_PCT: '0.02' }).risk.reduceAtDailyLossPct).toBeNull();
    expect(loadConfig({ REDUCE_AT_DAILY_LOSS_PCT: '0.015', MAX_DAILY_LOSS_PCT: '0.02' }).risk.reduceAtDailyLossPct?.toFixed()).toBe('0.015');
    expect(c.monitor).toEqual({ intervalSeconds: 60, dailyReportTime: { hour: 16, minute: 15 }, timezone: 'America/New_York' });
    expect(c.signals.ttlMinutes).toBe(30);
    expect(c.webhook).toEqual({ port: null, host: '127.0.0.1', secret: null });
    expect(c.discord.token).toBeNull();
    expect(c.alpaca.paper).toBe(true);
    expect(c.logLevel).toBe('info');
  });

  it('parses every kind of value an operator writes', () => {
    const c = loadConfig({
      SIM_PRICES: 'aapl=189.5, BRK.B = 412.25',
      DISCORD_TRADER_ROLE_IDS: '123456789012345678, 223456789012345678',
      DISCORD_ALERTS_CHANNEL_ID: '333456789012345678',
      DAILY_REPORT_TIME: '9:05',
      ALPACA_PAPER: 'FALSE',
      ALPACA_TRADING_URL: 'http://127.0.0.1:8123/',
      MAX_POSITION_PCT: '0.25',
      AUTO_APPROVE_STRATEGIES: 'fda, merger',
    });
    expect([...c.sim.prices].map(([t, p]) => `${t}=${p.toFixed()}`)).toEqual(['AAPL=189.5', 'BRK.B=412.25']);
    expect(c.discord.traderRoleIds).toEqual(['123456789012345678', '223456789012345678']);
    expect(c.discord.signalsChannelId).toBe('333456789012345678'); // falls back to alerts
    expect(c.monitor.dailyReportTime).toEqual({ hour: 9, minute: 5 });
    expect(c.alpaca.paper).toBe(false);
    expect(c.alpaca.tradingUrl).toBe('http://127.0.0.1:8123');
    expect(c.sizing.maxPositionPct.toFixed()).toBe('0.25');
    expect(c.signals.autoApproveStrategies).toEqual(['fda', 'merger']);
  });

  it('treats an empty value as unset, as in a .env line `DISCORD_TOKEN=`', () => {
    const c = loadConfig({ DISCORD_TOKEN: '', MAX_OPEN_POSITIONS: '  ' });
    expect(c.discord.token).toBeNull();
    expect(c.risk.maxOpenPositions).toBe(10);
  });

  it('names every bad variable in one message, with what it expects', () => {
    const problems = problemsOf({
      BROKER: 'ibkr',
      MAX_POSITION_PCT: '1.5',
      RISK_PER_TRADE_PCT: 'two percent',
      MAX_OPEN_POSITIONS: '3.5',
      SIM_PRICES: 'AAPL=-4',
      DAILY_REPORT_TIME: '25:00',
      TIMEZONE: 'Mars/Olympus_Mons',
      DISCORD_GUILD_ID: 'my-guild',
      ALPACA_DATA_URL: 'not a url',
      LOG_LEVEL: 'loud',
    });
    expect(problems).toEqual([
      'BROKER: expected `sim` or `alpaca`, got "ibkr"',
      'ALPACA_DATA_URL: expected an http(s) or ws(s) URL, got "not a url"',
      'SIM_PRICES: expected TICKER=PRICE pairs separated by commas, prices above 0 (e.g. AAPL=190,MSFT=410), got "AAPL=-4"',
      'DISCORD_GUILD_ID: expected a Discord id (17–20 digits), got "my-guild"',
      'MAX_POSITION_PCT: expected a fraction greater than 0 and at most 1 (e.g. 0.10), got "1.5"',
      'RISK_PER_TRADE_PCT: expected a fraction greater than 0 and at most 1 (e.g. 0.02), got "two percent"',
      'MAX_OPEN_POSITIONS: expected a whole number from 1 to 1000, got "3.5"',
      'DAILY_REPORT_TIME: expected a time of day as HH:MM, 24-hour (e.g. 16:15), got "25:00"',
      'TIMEZONE: expected an IANA time zone name (e.g. America/New_York), got "Mars/Olympus_Mons"',
      'LOG_LEVEL: expected one of trace, debug, info, warn, error, fatal, silent, got "loud"',
    ]);
    try {
      loadConfig({ BROKER: 'ibkr', MAX_POSITION_PCT: '1.5' });
    } catch (error) {
      expect((error as Error).message).toBe(
        'Invalid configuration (2 problems):\n' +
          '  - BROKER: expected `sim` or `alpaca`, got "ibkr"\n' +
          '  - MAX_POSITION_PCT: expected a fraction greater than 0 and at most 1 (e.g. 0.10), got "1.5"',
      );
    }
  });

  it('refuses live trading unless it is acknowledged, and Alpaca without credentials', () => {
    expect(
      problemsOf({
        BROKER: 'alpaca',
        ALPACA_PAPER: 'false',
        ALPACA_API_KEY: 'AKXXXXXXXXXXXXXXXXXX',
        ALPACA_API_SECRET: 'sssssssssssssssssssssssssssssssssssssss',
      }),
    ).toEqual([
      'LIVE_TRADING_ACKNOWLEDGED: expected `true` when ALPACA_PAPER=false: live trading sends real orders with real money; set it only if you mean that',
    ]);
    const live = loadConfig({
      BROKER: 'alpaca',
      ALPACA_PAPER: 'false',
      LIVE_TRADING_ACKNOWLEDGED: 'true',
      APCA_API_KEY_ID: 'AKXXXXXXXXXXXXXXXXXX',
      APCA_API_SECRET_KEY: 'sssssssssssssssssssssssssssssssssssssss',
    });
    expect(tradingMode(live)).toBe('LIVE');
    expect(live.alpaca.keyId).toBe('AKXXXXXXXXXXXXXXXXXX');
    expect(problemsOf({ BROKER: 'alpaca', ALPACA_API_KEY: 'PKXXXXXXXXXXXXXXXXXX' })).toEqual([
      'ALPACA_API_KEY / ALPACA_API_SECRET: expected both to be set when BROKER=alpaca (APCA_API_KEY_ID / APCA_API_SECRET_KEY are accepted too)',
    ]);
  });

  it('joins cross-variable rules to the same message as single-variable ones', () => {
    expect(problemsOf({ WEBHOOK_PORT: '8787', MAX_DRAWDOWN_PCT: '0' })).toEqual([
      'MAX_DRAWDOWN_PCT: expected a fraction greater than 0 and at most 1 (e.g. 0.10), got "0"',
      'WEBHOOK_SECRET: expected a secret of at least 16 characters when WEBHOOK_PORT is set (signals are authenticated with it)',
    ]);
  });

  it('never echoes a secret value back, even when it is the bad one', () => {
    const problems = problemsOf({ WEBHOOK_SECRET: 'hunter2', WEBHOOK_PORT: '8787' });
    expect(problems).toEqual(['WEBHOOK_SECRET: expected at least 16 characters']);
    expect(problems.join('\n')).not.toContain('hunter2');
  });

  it('lists the secret values for the logger to scrub', () => {
    const c = loadConfig({
      BROKER: 'alpaca',
      ALPACA_API_KEY: 'PKAAAAAAAAAAAAAAAAAA',
      ALPACA_API_SECRET: 'secret-secret-secret',
      DISCORD_TOKEN: 'MTIz.discord.token',
      WEBHOOK_PORT: '8787',
      WEBHOOK_SECRET: 'webhook-secret-0123456789',
    });
    expect(secretValues(c).sort()).toEqual(['MTIz.discord.token', 'PKAAAAAAAAAAAAAAAAAA', 'secret-secret-secret', 'webhook-secret-0123456789']);
    expect(tradingMode(c)).toBe('PAPER');
  });
});

describe('.env.example', () => {
  const example = parseEnv(readFileSync(new URL('../.env.example', import.meta.url), 'utf8'));

  it('documents every variable the product reads (the APCA_* aliases in a comment)', () => {
    const documented = Object.keys(example).sort();
    const read = CONFIG_VARIABLES.filter((v) => !v.startsWith('APCA_')).sort();
    expect(documented).toEqual(read);
  });

  it('states the same defaults the code applies', () => {
    expect(plain(loadConfig(example))).toEqual(plain(loadConfig({})));
  });
});
