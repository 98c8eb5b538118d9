/**
 * The paper simulator as a plug-in (BROKER=sim, the default): its variables
 * and the factory. The engine is loaded by the factory, only when it runs.
 */
import { z } from 'zod';
import { type Decimal, dec } from '../../domain/money.js';
import { decimalVar, fail, intVar, oneOfVar } from '../../envVars.js';
import { defineBrokerPlugin } from '../../domain/ports/brokerPlugin.js';
import type { MarketCalendarName } from './calendars/index.js';
import type { SimStatePersistence } from './state.js';

export interface SimSettings {
  startingCash: Decimal;
  prices: ReadonlyMap<string, Decimal>;
  seed: number;
  /** The market calendar, by name (`calendars/`). */
  marketHours: MarketCalendarName;
  slippageBps: Decimal;
  marginMultiplier: 1 | 2 | 4;
  /** Partial fills: most shares an order fills per price tick; null = no cap. */
  volumePerTick: Decimal | null;
  commissionPerShare: Decimal;
}

const DEFAULT_SIM_PRICES = 'AAPL=190,MSFT=410,NVDA=120,TSLA=250,AMZN=185,GOOGL=170,META=500,SPY=560,QQQ=480';

/** Named here rather than read from `calendars/`, which loads the holiday library. */
const CALENDAR_NAMES = ['always', 'nyse'] as const satisfies readonly MarketCalendarName[];

const tickerPattern = /^[A-Z][A-Z0-9.]{0,9}$/;

const simPricesVar = z.string().transform((text, ctx) => {
  const prices = new Map<string, Decimal>();
  for (const part of text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')) {
    const [ticker, price] = part.split('=').map((s) => s.trim());
    let value: Decimal | null;
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

/** Where the database keeps the paper account (its `simState` repository), when it has one. */
function savedStateIn(store: object | null): SimStatePersistence | null {
  if (store === null || !('simState' in store)) return null;
  const repository = store.simState;
  const usable =
    typeof repository === 'object' &&
    repository !== null &&
    'load' in repository &&
    'save' in repository &&
    typeof repository.load === 'function' &&
    typeof repository.save === 'function';
  return usable ? (repository as SimStatePersistence) : null;
}

export const simPlugin = defineBrokerPlugin({
  name: 'sim',
  variables: {
    SIM_STARTING_CASH: decimalVar('a dollar amount above 0 (e.g. 100000)', (d) => d.gt(0)),
    SIM_PRICES: simPricesVar,
    SIM_SEED: intVar('a whole number (e.g. 42)', 0, 2 ** 31 - 1),
    SIM_MARKET_HOURS: oneOfVar(CALENDAR_NAMES),
    SIM_SLIPPAGE_BPS: decimalVar('basis points from 0 to 1000 (e.g. 5)', (d) => d.gte(0) && d.lte(1000)),
    SIM_MARGIN_MULTIPLIER: z.enum(['1', '2', '4'], { message: 'expected 1 (cash account), 2 or 4 (margin)' }),
    SIM_VOLUME_PER_TICK: decimalVar('a share count above 0 (e.g. 500)', (d) => d.gt(0)).optional(),
    SIM_COMMISSION_PER_SHARE: decimalVar('dollars per share, 0 or more (e.g. 0.005)', (d) => d.gte(0)),
  },
  defaults: {
    SIM_STARTING_CASH: '100000',
    SIM_PRICES: DEFAULT_SIM_PRICES,
    SIM_SEED: '42',
    SIM_MARKET_HOURS: 'always',
    SIM_SLIPPAGE_BPS: '0',
    SIM_MARGIN_MULTIPLIER: '2',
    SIM_COMMISSION_PER_SHARE: '0',
  },
  secretVariables: [],
  settings: (env): SimSettings => ({
    startingCash: env.SIM_STARTING_CASH,
    prices: env.SIM_PRICES,
    seed: env.SIM_SEED,
    marketHours: env.SIM_MARKET_HOURS,
    slippageBps: env.SIM_SLIPPAGE_BPS,
    marginMultiplier: Number(env.SIM_MARGIN_MULTIPLIER) as 1 | 2 | 4,
    volumePerTick: env.SIM_VOLUME_PER_TICK ?? null,
    commissionPerShare: env.SIM_COMMISSION_PER_SHARE,
  }),
  secrets: () => [],
  mode: () => 'SIM',
  async create(s, deps) {
    const [{ createSimBroker }, { RealtimeSimDriver }, { SimMarketData }] = await Promise.all([
      import('./index.js'),
      import('./driver.js'),
      import('./marketData.js'),
    ]);
    const broker = createSimBroker(s, savedStateIn(deps.store), deps.now());
    await broker.connect();
    // The simulated clock follows real time: downtime is caught up at start.
    const driver = new RealtimeSimDriver(broker, deps.now);
    const caughtUpMinutes = await driver.catchUp();
    const marketData = new SimMarketData(broker.engine);
    return { broker, simulator: broker, start: () => driver.start(), stop: () => driver.stop(), caughtUpMinutes, marketData };
  },
});
