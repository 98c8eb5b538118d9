/**
 * The dashboard's orders page and /api/orders over HTTP, on a real
 * OperatorService (SQLite in a temp folder, the paper simulator): each entry
 * with its bracket legs under it, the open / closed / all and ticker filters,
 * exact decimal strings in the JSON, 400 on a bad filter, 401 without a token.
 */
import { describe, expect, it } from 'vitest';
import { dec } from '../../src/domain/money.js';
import type { ExecutedOrderRecord } from '../../src/domain/records.js';
import { useDashboardPages } from '../helpers/dashboardPages.js';
import { useTempStore } from '../helpers/tempDb.js';
import { operatorHarness } from '../operator/appHarness.js';

type Harness = Awaited<ReturnType<typeof operatorHarness>>;

/** The text of each cell of each order row (entries and legs), tags dropped and spaces collapsed. */
function orderRows(page: string): string[][] {
  return [...page.matchAll(/<tr class="(entry|leg)">([\s\S]*?)<\/tr>/g)].map((m) => [
    m[1]!,
    ...[...m[2]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) =>
      c[1]!
        .replace(/<[^>]+>/g, '')
        .replace(/\s+/g, ' ')
        .trim(),
    ),
  ]);
}

describe('the dashboard: orders', () => {
  const newStore = useTempStore();
  const started = useDashboardPages();

  const settle = (t: Harness) => t.app.engine.ledger.serial(async () => undefined);

  /**
   * AAPL 100 bracketed at 15:00 (still open: its legs work), MSFT 20
   * bracketed at 15:01 and closed by hand at 15:02 (its legs canceled).
   */
  async function book(): Promise<Harness> {
    const t = await operatorHarness(await newStore());
    const { operator } = t.app;
    const entries = [
      { ticker: 'AAPL', quantity: 100, stopLoss: 185, takeProfit: 200 },
      { ticker: 'MSFT', quantity: 20, stopLoss: 400, takeProfit: 430 },
    ];
    for (const [i, e] of entries.entries()) {
      await operator.placeOrder(
        await operator.prepareOrder({
          side: 'buy',
          ticker: e.ticker,
          quantity: dec(e.quantity),
          type: 'market',
          limitPrice: null,
          stopLoss: dec(e.stopLoss),
          takeProfit: dec(e.takeProfit),
          requestId: `orders-${i}`,
        }),
      );
      await settle(t);
      t.sim.clock.advance(60_000);
    }
    await operator.close('MSFT', null);
    await settle(t);
    return t;
  }

  /** The recorded orders by what they are, for the ids the broker gave them. */
  async function recorded(t: Harness): Promise<Record<string, ExecutedOrderRecord>> {
    const out: Record<string, ExecutedOrderRecord> = {};
    for (const entry of await t.app.operator.orderBook({ status: 'all' })) {
      const name = entry.order.positionId !== null ? `${entry.order.ticker}-exit` : entry.order.ticker;
      out[name] = entry.order;
      for (const leg of entry.legs) out[`${name}-${leg.leg ?? ''}`] = leg;
    }
    return out;
  }

  it('shows each entry with its legs indented under it, newest first, and filters by status and ticker', async () => {
    const t = await book();
    const { page, get } = await started(t);
    const ids = await recorded(t);
    const id = (name: string) => ids[name]!.orderId;

    const res = await page('/orders');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<a href="/orders" aria-current="page">Orders</a>');
    expect(orderRows(html)).toEqual([
      ['entry', '2026-03-02T15:02:00Z', 'exit (manual)', 'MSFT', 'sell', '20', 'market', 'market', '20 @ $410.00', 'filled', 'manual', id('MSFT-exit')],
      ['entry', '2026-03-02T15:01:00Z', 'entry', 'MSFT', 'buy', '20', 'market', 'market', '20 @ $410.00', 'filled', 'manual', id('MSFT')],
      [
        'leg',
        '2026-03-02T15:01:00Z',
        '↳ take profit',
        'MSFT',
        'sell',
        '20',
        'limit',
        'limit $430.00',
        '—',
        'canceled (oco sibling canceled)',
        '',
        id('MSFT-take_profit'),
      ],
      [
        'leg',
        '2026-03-02T15:01:00Z',
        '↳ stop loss',
        'MSFT',
        'sell',
        '20',
        'stop',
        'stop $400.00',
        '—',
        'canceled (canceled by request)',
        '',
        id('MSFT-stop_loss'),
      ],
      ['entry', '2026-03-02T15:00:00Z', 'entry', 'AAPL', 'buy', '100', 'market', 'market', '100 @ $190.00', 'filled', 'manual', id('AAPL')],
      [
        'leg',
        '2026-03-02T15:00:00Z',
        '↳ take profit',
        'AAPL',
        'sell',
        '100',
        'limit',
        'limit $200.00',
        '—',
        ids['AAPL-take_profit']!.status,
        '',
        id('AAPL-take_profit'),
      ],
      [
        'leg',
        '2026-03-02T15:00:00Z',
        '↳ stop loss',
        'AAPL',
        'sell',
        '100',
        'stop',
        'stop $185.00',
        '—',
        ids['AAPL-stop_loss']!.status,
        '',
        id('AAPL-stop_loss'),
      ],
    ]);
    // The legs of the open bracket still work.
    expect([ids['AAPL-take_profit']!.status, ids['AAPL-stop_loss']!.status].every((s) => !['filled', 'canceled'].includes(s))).toBe(true);

    const entriesOf = async (path: string) =>
      orderRows(await (await page(path)).text())
        .filter((r) => r[0] === 'entry')
        .map((r) => `${r[2]} ${r[3]}`);
    expect(await entriesOf('/orders?status=open')).toEqual(['entry AAPL']);
    expect(await entriesOf('/orders?status=closed')).toEqual(['exit (manual) MSFT', 'entry MSFT']);
    expect(await entriesOf('/orders?status=all&ticker=msft')).toEqual(['exit (manual) MSFT', 'entry MSFT']);
    expect(await entriesOf('/orders?status=closed&ticker=AAPL')).toEqual([]);
    expect(await entriesOf('/orders?status=&ticker=')).toEqual(['exit (manual) MSFT', 'entry MSFT', 'entry AAPL']);
    expect(await entriesOf('/orders?limit=1')).toEqual(['exit (manual) MSFT']);
    // The form shows the filter in force.
    const filtered = await (await page('/orders?status=closed&ticker=msft')).text();
    expect(filtered).toContain('<option value="closed" selected>closed</option>');
    expect(filtered).toContain('<input name="ticker" value="MSFT"');

    // Without a session: the login.
    const anonymous = await get('/orders');
    expect([anonymous.status, anonymous.headers.get('location')]).toEqual([303, '/login']);
  });

  it('answers /api/orders with exact decimal strings, the legs inside their entry', async () => {
    const t = await book();
    const { api, get } = await started(t);
    const ids = await recorded(t);
    const res = await api('/api/orders?status=open');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { orders: Record<string, unknown>[] };
    const entry = ids['AAPL']!;
    const leg = (o: ExecutedOrderRecord) => ({
      order_id: o.orderId,
      client_order_id: o.clientOrderId,
      parent_order_id: entry.orderId,
      role: o.leg,
      ticker: 'AAPL',
      side: 'sell',
      quantity: '100',
      order_type: o.orderType,
      order_class: 'bracket',
      limit_price: o.leg === 'take_profit' ? '200' : null,
      stop_price: o.leg === 'stop_loss' ? '185' : null,
      trail_price: null,
      trail_percent: null,
      time_in_force: 'gtc',
      status: o.status,
      status_reason: o.statusReason,
      filled_qty: '0',
      filled_avg_price: null,
      stop_loss: null,
      take_profit: null,
      position_id: null,
      exit_reason: null,
      strategy: 'manual',
      signal_id: 'manual-orders-0',
      submitted_at: '2026-03-02T15:00:00.000Z',
      filled_at: null,
      updated_at: o.updatedAt.toISOString(),
    });
    expect(body).toEqual({
      orders: [
        {
          order_id: entry.orderId,
          client_order_id: 'manual-orders-0:entry',
          parent_order_id: null,
          role: 'entry',
          ticker: 'AAPL',
          side: 'buy',
          quantity: '100',
          order_type: 'market',
          order_class: 'bracket',
          limit_price: null,
          stop_price: null,
          trail_price: null,
          trail_percent: null,
          time_in_force: 'gtc',
          status: 'filled',
          status_reason: null,
          filled_qty: '100',
          filled_avg_price: '190',
          stop_loss: '185',
          take_profit: '200',
          position_id: null,
          exit_reason: null,
          strategy: 'manual',
          signal_id: 'manual-orders-0',
          submitted_at: '2026-03-02T15:00:00.000Z',
          filled_at: '2026-03-02T15:00:00.000Z',
          updated_at: '2026-03-02T15:00:00.000Z',
          legs: [leg(ids['AAPL-take_profit']!), leg(ids['AAPL-stop_loss']!)],
        },
      ],
    });
    const closed = (await (await api('/api/orders?status=closed&ticker=MSFT')).json()) as { orders: { role: string; legs: unknown[] }[] };
    expect(closed.orders.map((o) => [o.role, o.legs.length])).toEqual([
      ['exit', 0],
      ['entry', 2],
    ]);

    const unauthorized = await get('/api/orders');
    expect(unauthorized.status).toBe(401);
    expect(await unauthorized.json()).toEqual({ error: 'unauthorized: send Authorization: Bearer <token>, or log in at /login' });
  });

  it('refuses a bad filter with a 400 that names the field', async () => {
    const t = await operatorHarness(await newStore());
    const { page, api } = await started(t);
    for (const [path, problem] of [
      ['/orders?status=working', 'status: one of open, closed, all'],
      ['/orders?ticker=%3Cscript%3E', 'ticker: a ticker: letters, digits, dot or dash, at most 16'],
      ['/orders?limit=0', 'limit: at least 1'],
      ['/orders?limit=201', 'limit: at most 200'],
      ['/orders?limit=ten', 'limit: a whole number'],
    ] as const) {
      const res = await page(path);
      expect([path, res.status]).toEqual([path, 400]);
      expect(await res.text()).toContain(`<p>${problem}. Change the filter and try again.</p>`);
      const json = await api(path.replace('/orders', '/api/orders'));
      expect([path, json.status, await json.json()]).toEqual([path, 400, { error: problem }]);
    }
  });
});
