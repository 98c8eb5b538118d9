/** Builds the paper simulator broker from configuration. */
import { MARKET_CALENDARS } from './calendars/index.js';
import { SimClock } from './clock.js';
import { SimEngine } from './engine.js';
import { SimBroker } from './SimBroker.js';
import type { SimSettings } from './plugin.js';
import type { SimStatePersistence } from './state.js';

export function createSimBroker(config: SimSettings, persistence: SimStatePersistence | null, start = new Date()): SimBroker {
  const engine = new SimEngine({
    startingCash: config.startingCash,
    prices: config.prices,
    seed: config.seed,
    clock: new SimClock({ calendar: MARKET_CALENDARS[config.marketHours], start }),
    slippageBps: config.slippageBps,
    marginMultiplier: config.marginMultiplier,
    volumePerTick: config.volumePerTick,
    commissionPerShare: config.commissionPerShare,
  });
  return new SimBroker(engine, persistence);
}

export { SimBroker } from './SimBroker.js';
export { SimEngine } from './engine.js';
export { SimClock } from './clock.js';
export type { SimSettings } from './plugin.js';
export type { SimChanges, SimState, SimStatePersistence } from './state.js';
