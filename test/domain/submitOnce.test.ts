import { describe, expect, it } from 'vitest';
import { DuplicateClientOrderIdError, OrderRejectedError } from '../../src/domain/errors.js';
import type { Order } from '../../src/domain/order.js';
import type { BrokerInterface } from '../../src/domain/ports/broker.js';
import { submitOnce } from '../../src/domain/submitOnce.js';

const placed = { id: 'o1', clientOrderId: 'sig-1:entry' } as Order;

function brokerHolding(order: Order | null): { broker: BrokerInterface; lookups: string[] } {
  const lookups: string[] = [];
  const broker = {
    getOrderByClientId: async (id: string) => {
      lookups.push(id);
      return order;
    },
  } as unknown as BrokerInterface;
  return { broker, lookups };
}

describe('submitOnce and the broker errors', () => {
  it('takes a duplicate client_order_id as proof an earlier attempt got through, by its class (not its text)', async () => {
    const { broker, lookups } = brokerHolding(placed);
    const result = await submitOnce(broker, 'sig-1:entry', async () => {
      throw new DuplicateClientOrderIdError('refused', { brokerMessage: 'some wording no regex knows' });
    });
    expect(result).toEqual({ order: placed, recovered: true });
    expect(lookups).toEqual(['sig-1:entry']);
  });

  it('reports any other rejection as it is, without asking the broker, whatever its message says', async () => {
    const { broker, lookups } = brokerHolding(placed);
    const rejection = new OrderRejectedError('refused', { brokerMessage: 'duplicate of a halted symbol' });
    await expect(submitOnce(broker, 'sig-1:entry', async () => Promise.reject(rejection))).rejects.toBe(rejection);
    expect(lookups).toEqual([]);
  });
});
