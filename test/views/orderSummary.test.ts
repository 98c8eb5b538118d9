/** What a /close (or any exit) reply says about an order that filled in part. */
import { describe, expect, it } from 'vitest';
import { dec } from '../../src/domain/money.js';
import { exitView } from '../../src/views/trading.js';
import { orderRecord } from '../helpers/fixtures.js';

describe('exit replies', () => {
  const sell = (status: string, filled: string, avg: string | null) =>
    orderRecord({
      side: 'sell',
      quantity: dec(39),
      ticker: 'MSFT',
      orderType: 'market',
      status: status as never,
      filledQty: dec(filled),
      filledAvgPrice: avg === null ? null : dec(avg),
    });

  it('says how much filled so far when the close is partly filled', () => {
    expect(exitView('Close MSFT', sell('partially_filled', '12', '410.255')).description).toBe('sell 39 MSFT (market): 12 of 39 filled so far @ $410.26');
  });

  it('says what filled before an order ended, the whole fill, and no fill', () => {
    expect(exitView('Close MSFT', sell('canceled', '12', '410.25')).description).toBe('sell 39 MSFT (market): 12 of 39 filled @ $410.25, then canceled');
    expect(exitView('Close MSFT', sell('filled', '39', '410.25')).description).toBe('sell 39 MSFT (market) filled @ $410.25');
    expect(exitView('Close MSFT', sell('accepted', '0', null)).description).toBe('sell 39 MSFT (market) accepted');
  });
});
