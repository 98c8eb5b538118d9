/**
 * The BrokerInterface conformance suite: one set of expectations every broker
 * adapter meets the same way. Each adapter runs it against the simulator
 * engine (in process, or behind its Alpaca-compatible server), whose prices
 * the suite moves to make fills happen: brackets and their legs, partial
 * fills, cancels, typed rejections, lookups by client order id, duplicate
 * ids, replacements, and the trade stream in order.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DuplicateClientOrderIdError, InsufficientFundsError, NotFoundError, OrderRejectedError } from '../../src/domain/errors.js';
import { dec, type Decimal } from '../../src/domain/money.js';
import type { Order } from '../../src/domain/order.js';
import type { BrokerInterface, TradeUpdate } from '../../src/domain/ports/broker.js';
import { aaplBracket } from '../helpers/fixtures.js';

export interface ConformanceOptions {
  /** Most shares an order fills per price tick (partial fills); default no cap. */
  volumePerTick?: Decimal;
}

/** A broker under test, over a simulated market starting at AAPL 190, MSFT 410 (always open, $100,000 cash). */
export interface BrokerUnderTest {
  broker: BrokerInterface;
  /** Moves the simulated market: fills follow. */
  setPrice(ticker: string, price: Decimal): void;
  close(): Promise<void>;
}

export type MakeBroker = (options: ConformanceOptions) => Promise<BrokerUnderTest>;

/** Trade updates as they arrive; waits on their count, never on time. */
class Recorder {
  readonly updates: TradeUpdate[] = [];

  constructor(broker: BrokerInterface) {
    broker.onTradeUpdate((u) => this.updates.push(u));
  }

  async count(n: number): Promise<TradeUpdate[]> {
    await expect.poll(() => this.updates.length, { timeout: 10_000, interval: 10 }).toBeGreaterThanOrEqual(n);
    return this.updates.slice(0, n);
  }

  /** `event:clientOrderId`, in arrival order. */
  events(): string[] {
    return this.updates.map((u) => `${u.event}:${u.order.clientOrderId}`);
  }
}

const bracket = aaplBracket;

const fixed = (d: Decimal | null | undefined) => (d === null || d === undefined ? null : d.toFixed());
const legsOf = (o: Order) =>
  o.legs.map((l) => ({
    role: l.legRole,
    type: l.type,
    side: l.side,
    qty: fixed(l.quantity),
    limit: fixed(l.limitPrice),
    stop: fixed(l.stopPrice),
    parent: l.parentOrderId,
    status: l.status,
  }));

export function describeBrokerConformance(name: string, makeBroker: MakeBroker): void {
  describe(`BrokerInterface conformance: ${name}`, () => {
    const open: BrokerUnderTest[] = [];
    afterEach(async () => {
      for (const b of open.splice(0)) await b.close();
    });

    async function start(options: ConformanceOptions = {}) {
      const under = await makeBroker(options);
      open.push(under);
      const recorder = new Recorder(under.broker);
      await under.broker.connect();
      return { ...under, recorder };
    }

    it('places a bracket: the entry fills, its two exits wait with their role and their parent', async () => {
      const { broker } = await start();
      const placed = await broker.placeBracketOrder(bracket('br-1'));
      const entry = placed.entryOrder;
      expect([entry.status, entry.orderClass, fixed(entry.filledQty), fixed(entry.filledAvgPrice), entry.legRole ?? null]).toEqual([
        'filled',
        'bracket',
        '100',
        '190',
        null,
      ]);
      const legs = [
        { role: 'take_profit', type: 'limit', side: 'sell', qty: '100', limit: '200', stop: null, parent: entry.id, status: 'new' },
        { role: 'stop_loss', type: 'stop', side: 'sell', qty: '100', limit: null, stop: '185', parent: entry.id, status: 'new' },
      ];
      expect(legsOf(entry)).toEqual(legs);
      expect([placed.takeProfitOrder?.legRole, fixed(placed.takeProfitOrder?.limitPrice)]).toEqual(['take_profit', '200']);
      expect([placed.stopLossOrder?.legRole, fixed(placed.stopLossOrder?.stopPrice)]).toEqual(['stop_loss', '185']);
      // The same family read back by id, by client id and in the open list.
      expect(legsOf(await broker.getOrder(entry.id))).toEqual(legs);
      expect((await broker.getOrderByClientId('br-1'))?.id).toBe(entry.id);
      const listed = await broker.listOrders({ status: 'open' });
      expect(listed.map((o) => [o.clientOrderId, legsOf(o).map((l) => l.role)])).toEqual([['br-1', ['take_profit', 'stop_loss']]]);
      const position = await broker.getPosition('AAPL');
      expect([position?.side, fixed(position?.quantity), fixed(position?.avgEntryPrice)]).toEqual(['long', '100', '190']);
    });

    it('reports a bracket round trip on the trade stream, in order, with exact prices and quantities', async () => {
      const { broker, recorder, setPrice } = await start();
      const { entryOrder } = await broker.placeBracketOrder(bracket('rt'));
      await recorder.count(4);
      setPrice('AAPL', dec('184.50'));
      const updates = await recorder.count(6);
      expect(recorder.events()).toEqual(['new:rt', 'fill:rt', 'new:rt:tp', 'new:rt:sl', 'fill:rt:sl', 'canceled:rt:tp']);
      const entryFill = updates[1]!;
      expect([fixed(entryFill.price), fixed(entryFill.qty), fixed(entryFill.positionQty)]).toEqual(['190', '100', '100']);
      const stopFill = updates[4]!;
      expect([fixed(stopFill.price), fixed(stopFill.qty), fixed(stopFill.positionQty), stopFill.executionId !== null]).toEqual(['184.5', '100', '0', true]);
      expect([stopFill.order.legRole, stopFill.order.parentOrderId, stopFill.order.status]).toEqual(['stop_loss', entryOrder.id, 'filled']);
      expect([updates[5]!.order.legRole, updates[5]!.order.status]).toEqual(['take_profit', 'canceled']);
      expect(await broker.getPosition('AAPL')).toBeNull();
    });

    it('fills in parts when the market is thin, each part once, in order', async () => {
      const { broker, recorder, setPrice } = await start({ volumePerTick: dec(40) });
      const order = await broker.placeOrder('AAPL', 'buy', dec(100), 'market', { clientOrderId: 'pf-1' });
      expect([order.status, fixed(order.filledQty), fixed(order.filledAvgPrice)]).toEqual(['partially_filled', '40', '190']);
      await recorder.count(2);
      setPrice('AAPL', dec('190.50'));
      await recorder.count(3);
      setPrice('AAPL', dec(191));
      const updates = await recorder.count(4);
      expect(recorder.events()).toEqual(['new:pf-1', 'partial_fill:pf-1', 'partial_fill:pf-1', 'fill:pf-1']);
      expect(updates.slice(1).map((u) => [fixed(u.price), fixed(u.qty), fixed(u.order.filledQty), fixed(u.positionQty)])).toEqual([
        ['190', '40', '40', '40'],
        ['190.5', '40', '80', '80'],
        ['191', '20', '100', '100'],
      ]);
      expect(new Set(updates.slice(1).map((u) => u.executionId)).size).toBe(3);
      const done = await broker.getOrder(order.id);
      // (40 × 190 + 40 × 190.50 + 20 × 191) / 100
      expect([done.status, fixed(done.filledQty), fixed(done.filledAvgPrice)]).toEqual(['filled', '100', '190.4']);
    });

    it('cancels a working order once; a second cancel and an unknown id are typed errors', async () => {
      const { broker, recorder } = await start();
      const limit = await broker.placeOrder('MSFT', 'buy', dec(5), 'limit', { limitPrice: dec('400.25'), timeInForce: 'gtc', clientOrderId: 'cx-1' });
      expect([limit.status, fixed(limit.limitPrice), fixed(limit.quantity), fixed(limit.filledQty)]).toEqual(['new', '400.25', '5', '0']);
      await broker.cancelOrder(limit.id);
      expect((await broker.getOrder(limit.id)).status).toBe('canceled');
      await recorder.count(2);
      expect(recorder.events()).toEqual(['new:cx-1', 'canceled:cx-1']);
      await expect(broker.cancelOrder(limit.id)).rejects.toBeInstanceOf(OrderRejectedError);
      await expect(broker.cancelOrder('00000000-0000-0000-0000-000000000000')).rejects.toBeInstanceOf(NotFoundError);
      expect(await broker.listOrders({ status: 'open' })).toEqual([]);
    });

    it('refuses orders with typed errors that keep the broker’s code and message, and records nothing', async () => {
      const { broker } = await start();
      const unknown = await broker.placeOrder('ZZZZ', 'buy', dec(1), 'market', { clientOrderId: 'rj-1' }).catch((e: unknown) => e);
      expect(unknown).toBeInstanceOf(OrderRejectedError);
      expect(unknown).toMatchObject({ status: 422, code: 42210000, brokerMessage: 'asset "ZZZZ" not found' });
      const big = await broker.placeOrder('AAPL', 'buy', dec(5000), 'market', { clientOrderId: 'rj-2' }).catch((e: unknown) => e);
      expect(big).toBeInstanceOf(InsufficientFundsError);
      expect(big).toMatchObject({ status: 403, brokerMessage: 'insufficient buying power' });
      expect(await broker.getOrderByClientId('rj-1')).toBeNull();
      expect(await broker.getOrderByClientId('rj-2')).toBeNull();
      await expect(broker.getOrder('00000000-0000-0000-0000-000000000000')).rejects.toBeInstanceOf(NotFoundError);
    });

    it('finds an order by client order id, and answers null for one it never received', async () => {
      const { broker } = await start();
      expect(await broker.getOrderByClientId('never-sent')).toBeNull();
      const placed = await broker.placeOrder('MSFT', 'buy', dec(2), 'market', { clientOrderId: 'lookup-1' });
      const found = await broker.getOrderByClientId('lookup-1');
      expect([found?.id, found?.status, fixed(found?.filledQty), fixed(found?.filledAvgPrice)]).toEqual([placed.id, 'filled', '2', '410']);
    });

    it('refuses a repeated client order id with DuplicateClientOrderIdError, leaving the first order alone', async () => {
      const { broker } = await start();
      const first = await broker.placeOrder('MSFT', 'buy', dec(3), 'market', { clientOrderId: 'dup-1' });
      const again = await broker.placeOrder('MSFT', 'buy', dec(3), 'market', { clientOrderId: 'dup-1' }).catch((e: unknown) => e);
      expect(again).toBeInstanceOf(DuplicateClientOrderIdError);
      expect(again).toMatchObject({ status: 422, brokerMessage: 'client_order_id must be unique' });
      const bracketAgain = await broker.placeBracketOrder(bracket('dup-1')).catch((e: unknown) => e);
      expect(bracketAgain).toBeInstanceOf(DuplicateClientOrderIdError);
      expect((await broker.getOrderByClientId('dup-1'))?.id).toBe(first.id);
      expect(fixed((await broker.getPosition('MSFT'))?.quantity)).toBe('3');
    });

    it('replaces a bracket’s exits: new orders that keep their role and parent, the old ones end replaced', async () => {
      const { broker, recorder, setPrice } = await start();
      const { entryOrder, stopLossOrder, takeProfitOrder } = await broker.placeBracketOrder(bracket('mod-1'));
      await recorder.count(4);
      const stop = await broker.replaceOrder(stopLossOrder!.id, { stopPrice: dec(187) });
      expect([stop.id === stopLossOrder!.id, stop.legRole, stop.parentOrderId, stop.type, stop.status, fixed(stop.stopPrice), fixed(stop.quantity)]).toEqual([
        false,
        'stop_loss',
        entryOrder.id,
        'stop',
        'new',
        '187',
        '100',
      ]);
      const target = await broker.replaceOrder(takeProfitOrder!.id, { limitPrice: dec('205.50') });
      expect([target.legRole, target.parentOrderId, fixed(target.limitPrice), fixed(target.quantity)]).toEqual(['take_profit', entryOrder.id, '205.5', '100']);
      expect((await broker.getOrder(stopLossOrder!.id)).status).toBe('replaced');
      expect((await broker.getOrder(takeProfitOrder!.id)).status).toBe('replaced');
      // The family now holds the replacements.
      expect(legsOf(await broker.getOrder(entryOrder.id)).map((l) => [l.role, l.limit ?? l.stop, l.status])).toEqual([
        ['take_profit', '205.5', 'new'],
        ['stop_loss', '187', 'new'],
      ]);
      const updates = await recorder.count(8);
      expect(updates.slice(4).map((u) => [u.event, u.order.id, u.order.legRole])).toEqual([
        ['replaced', stopLossOrder!.id, 'stop_loss'],
        ['new', stop.id, 'stop_loss'],
        ['replaced', takeProfitOrder!.id, 'take_profit'],
        ['new', target.id, 'take_profit'],
      ]);
      // The moved stop is the one that works: 186.90 is under 187, above the old 185.
      setPrice('AAPL', dec('186.90'));
      const after = await recorder.count(10);
      expect(after.slice(8).map((u) => [u.event, u.order.id, fixed(u.price), fixed(u.qty)])).toEqual([
        ['fill', stop.id, '186.9', '100'],
        ['canceled', target.id, null, null],
      ]);
      expect(await broker.getPosition('AAPL')).toBeNull();
    });

    it('replaces a working order’s size; refuses an unknown order, a finished one and a bad value', async () => {
      const { broker } = await start();
      const limit = await broker.placeOrder('MSFT', 'buy', dec(5), 'limit', { limitPrice: dec(400), timeInForce: 'gtc', clientOrderId: 'rp-1' });
      const bigger = await broker.replaceOrder(limit.id, { quantity: dec(8), limitPrice: dec('401.10') });
      expect([bigger.status, fixed(bigger.quantity), fixed(bigger.limitPrice), bigger.legRole ?? null, bigger.parentOrderId]).toEqual([
        'new',
        '8',
        '401.1',
        null,
        null,
      ]);
      await expect(broker.replaceOrder('00000000-0000-0000-0000-000000000000', { limitPrice: dec(399) })).rejects.toBeInstanceOf(NotFoundError);
      const finished = await broker.replaceOrder(limit.id, { limitPrice: dec(399) }).catch((e: unknown) => e);
      expect(finished).toBeInstanceOf(OrderRejectedError);
      expect(finished).toMatchObject({ status: 422 });
      const subPenny = await broker.replaceOrder(bigger.id, { limitPrice: dec('401.105') }).catch((e: unknown) => e);
      expect(subPenny).toBeInstanceOf(OrderRejectedError);
      expect(subPenny).toMatchObject({
        status: 422,
        brokerMessage: 'invalid limit_price 401.105. sub-penny increment does not fulfill minimum pricing criteria',
      });
      const wrongField = await broker.replaceOrder(bigger.id, { stopPrice: dec(390) }).catch((e: unknown) => e);
      expect(wrongField).toMatchObject({ status: 422, brokerMessage: 'stop_price cannot be set on a limit order' });
      expect((await broker.getOrder(bigger.id)).status).toBe('new');
    });
  });
}
