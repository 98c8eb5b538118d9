import { describe, expect, it } from 'vitest';
import { execute } from '../../commands/sim.js';
import { dec } from '../../src/broker/money.js';
import { createSimBroker } from '../../src/broker/sim/index.js';
import { loadConfig } from '../../src/config.js';
import { CommandError, type CommandOptions } from '../../src/operator/command.js';

const config = loadConfig({ SIM_PRICES: 'AAPL=190,MSFT=410' });

/** Options as a front end would hand them over. */
function options(sub: string, values: Record<string, string | number>): CommandOptions {
  return {
    subcommand: () => sub,
    string: (n) => (typeof values[n] === 'string' ? (values[n] as string) : null),
    integer: (n) => (typeof values[n] === 'number' ? (values[n] as number) : null),
  };
}

async function setup() {
  const sim = createSimBroker(config.sim, null, new Date('2026-03-02T15:00:00Z'));
  await sim.connect();
  const ctx = (sub: string, values: Record<string, string | number>) => ({
    app: { config, sim },
    options: options(sub, values),
    actor: { id: 'console', name: 'console' },
  });
  return { sim, ctx };
}

describe('/sim', () => {
  it('walks a bracket through its stop with /sim price and reports the fill', async () => {
    const { sim, ctx } = await setup();
    await sim.placeBracketOrder({
      ticker: 'AAPL', side: 'buy', quantity: dec(100), entryType: 'market', takeProfitPrice: dec(200), stopLossPrice: dec(185),
      timeInForce: 'gtc', clientOrderId: 'sig-7',
    });
    const view = await execute(ctx('price', { ticker: 'aapl', price: '184.50' }));
    expect(view.title).toBe('AAPL set to $184.50');
    expect(view.description).toBe('Filled: sell AAPL (stop exit) 100 @ $184.50\nCanceled: sell AAPL (limit exit)');
    expect((await sim.getAccount()).equity.toFixed(2)).toBe('99450.00');
  });

  it('moves the clock with /sim advance', async () => {
    const { ctx } = await setup();
    const view = await execute(ctx('advance', { minutes: 30 }));
    expect(view.title).toBe('Advanced 30 minutes');
    expect(view.footer).toBe('Simulated time 2026-03-02T15:30:00.000Z');
  });

  it('refuses bad input with a message that says what is wrong', async () => {
    const { ctx } = await setup();
    await expect(execute(ctx('price', { ticker: 'AAPL', price: 'abc' }))).rejects.toThrow(new CommandError('price must be a number like 184.50, got "abc".'));
    await expect(execute(ctx('price', { ticker: 'AAPL', price: '0' }))).rejects.toThrow('price must be above 0.');
    await expect(execute(ctx('price', { ticker: 'NOPE', price: '10' }))).rejects.toThrow('Unknown ticker NOPE: the simulator trades AAPL, MSFT.');
    await expect(execute(ctx('advance', { minutes: 0 }))).rejects.toThrow('minutes must be a whole number from 1 to 10080.');
  });

  it('says it needs the simulator when the broker is Alpaca', async () => {
    await expect(
      execute({ app: { config, sim: null }, options: options('advance', { minutes: 5 }), actor: { id: 'u', name: 'u' } }),
    ).rejects.toThrow('/sim works only on the simulator (BROKER=sim).');
  });
});
