/**
 * The dashboard's closed trades over HTTP, on a real OperatorService (SQLite
 * in a temp folder, the paper simulator; trades written through the store's
 * insertMany): exact P&L, the filters alone and together (exchange days in
 * New York), pages that never repeat or skip a trade, the CSV export (exact
 * content, streamed across pages, safe in a spreadsheet), 400 on a bad
 * filter, 401 without a token.
 */
import { describe, expect, it } from 'vitest';
import { dec } from '../../src/domain/money.js';
import type { ClosedPositionRecord } from '../../src/domain/records.js';
import { useDashboardPages } from '../helpers/dashboardPages.js';
import { closedRecord } from '../helpers/fixtures.js';
import { useTempStore } from '../helpers/tempDb.js';
import { operatorHarness } from '../operator/appHarness.js';

const XSS = '<script>alert(1)</script>';
const XSS_ESCAPED = '&lt;script&gt;alert(1)&lt;/script&gt;';
const FORMULA = '=HYPERLINK("http://x.test","y")';

/**
 * Five trades around New York midnight (EST, UTC-5): tr-2 closed at 23:30
 * on 2026-03-02 in New York (04:30 UTC on the 3rd), tr-3 at 00:30 on the 3rd.
 */
const TRADES: ClosedPositionRecord[] = [
  closedRecord({
    positionId: 'tr-1',
    ticker: 'AAPL',
    quantity: dec(100),
    entryPrice: dec('190.12'),
    exitPrice: dec('185'),
    realizedPnl: dec('-512'),
    realizedPnlPct: dec('-0.026930359772775089'),
    exitReason: 'stop_loss',
    strategy: 'momentum',
    signalId: 'sig-1',
    openedAt: new Date('2026-03-02T14:30:00Z'),
    closedAt: new Date('2026-03-02T16:05:00Z'),
  }),
  closedRecord({
    positionId: 'tr-2',
    ticker: 'MSFT',
    side: 'short',
    quantity: dec(20),
    entryPrice: dec('410'),
    exitPrice: dec('400.125'),
    realizedPnl: dec('197.5'),
    realizedPnlPct: dec('0.024085365853658536'),
    exitReason: 'take_profit',
    strategy: 'breakout',
    signalId: 'sig-2',
    openedAt: new Date('2026-03-02T15:00:00Z'),
    closedAt: new Date('2026-03-03T04:30:00Z'),
  }),
  closedRecord({
    positionId: 'tr-3',
    ticker: 'AAPL',
    quantity: dec(50),
    entryPrice: dec('190'),
    exitPrice: dec('200.01'),
    realizedPnl: dec('500.5'),
    realizedPnlPct: dec('0.052684210526315789'),
    exitReason: 'take_profit',
    strategy: 'momentum',
    signalId: 'sig-3',
    openedAt: new Date('2026-03-02T15:30:00Z'),
    closedAt: new Date('2026-03-03T05:30:00Z'),
  }),
  closedRecord({
    positionId: 'tr-4',
    ticker: 'TSLA',
    quantity: dec(10),
    entryPrice: dec('250'),
    exitPrice: dec('249.995'),
    realizedPnl: dec('-0.05'),
    realizedPnlPct: dec('-0.00002'),
    exitReason: 'manual',
    strategy: FORMULA,
    signalId: '-1+2',
    openedAt: new Date('2026-03-03T14:45:00Z'),
    closedAt: new Date('2026-03-03T15:00:00Z'),
  }),
  closedRecord({
    positionId: 'tr-5',
    ticker: 'AAPL',
    quantity: dec(1),
    entryPrice: dec('191'),
    exitPrice: dec('191.01'),
    realizedPnl: dec('0.01'),
    realizedPnlPct: dec('0.000052356020942408'),
    exitReason: 'flatten',
    strategy: XSS,
    signalId: '@SUM(A1)',
    openedAt: new Date('2026-03-04T14:31:00Z'),
    closedAt: new Date('2026-03-04T15:00:00Z'),
  }),
];

/** The text of each cell of each body row of the trades table. */
function tableRows(page: string): string[][] {
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(page)?.[1] ?? '';
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => [...m[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => c[1]!.trim()));
}

/** The Next page link of a page, unescaped, or null. */
const nextLink = (page: string): string | null => /<a rel="next" href="([^"]+)">Next page<\/a>/.exec(page)?.[1]?.replace(/&amp;/g, '&') ?? null;

interface TradesJson {
  trades: { position_id: string }[];
  next_cursor: string | null;
  total: number | null;
  realized_pnl: string | null;
}

describe('the dashboard: trades', () => {
  const newStore = useTempStore();
  const pages = useDashboardPages();

  async function started(trades: readonly ClosedPositionRecord[] = TRADES) {
    const t = await operatorHarness(await newStore());
    await t.store.closedPositions.insertMany(trades);
    const { get, page, api } = await pages(t);
    const apiJson = async (path: string) => {
      const res = await api(path);
      expect([path, res.status]).toEqual([path, 200]);
      return (await res.json()) as TradesJson;
    };
    /** The position ids of every page of an /api/trades query, page by page, following next_cursor. */
    const apiPages = async (query: string): Promise<string[][]> => {
      const pages: string[][] = [];
      let cursor: string | null = null;
      do {
        const body: TradesJson = await apiJson(`/api/trades?${query}${cursor === null ? '' : `&cursor=${cursor}`}`);
        pages.push(body.trades.map((x) => x.position_id));
        cursor = body.next_cursor;
      } while (cursor !== null);
      return pages;
    };
    return { get, page, api, apiJson, apiPages };
  }

  it('lists the closed trades newest first with exact figures, and their count and total P&L', async () => {
    const { page } = await started();
    const res = await page('/trades');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<a href="/trades" aria-current="page">Trades</a>');
    expect(tableRows(html)).toEqual([
      ['2026-03-04T15:00:00Z', 'AAPL', 'long', '1', '$191.00', '$191.01', '+$0.01', '+0.01%', 'flatten', XSS_ESCAPED, '@SUM(A1)'],
      [
        '2026-03-03T15:00:00Z',
        'TSLA',
        'long',
        '10',
        '$250.00',
        '$250.00',
        '-$0.05',
        '0.00%',
        'manual',
        '=HYPERLINK(&quot;http://x.test&quot;,&quot;y&quot;)',
        '-1+2',
      ],
      ['2026-03-03T05:30:00Z', 'AAPL', 'long', '50', '$190.00', '$200.01', '+$500.50', '+5.27%', 'take profit', 'momentum', 'sig-3'],
      ['2026-03-03T04:30:00Z', 'MSFT', 'short', '20', '$410.00', '$400.13', '+$197.50', '+2.41%', 'take profit', 'breakout', 'sig-2'],
      ['2026-03-02T16:05:00Z', 'AAPL', 'long', '100', '$190.12', '$185.00', '-$512.00', '-2.69%', 'stop loss', 'momentum', 'sig-1'],
    ]);
    expect(html).not.toContain(XSS);
    expect(nextLink(html)).toBeNull();
    // The count and the total come in a second request, which htmx makes once the rows are shown.
    expect(html).toContain('<p id="trade-totals" hx-get="/trades/totals" hx-trigger="load" hx-swap="outerHTML">');
    const totals = await page('/trades/totals', { 'hx-request': 'true' });
    expect(await totals.text()).toBe('<p id="trade-totals">5 trades match, realized P&amp;L <strong class="up">+$185.96</strong></p>');
    const filteredTotals = await page('/trades/totals?ticker=AAPL&exit_reason=stop_loss', { 'hx-request': 'true' });
    expect(await filteredTotals.text()).toBe('<p id="trade-totals">1 trade matches, realized P&amp;L <strong class="down">-$512.00</strong></p>');
    // Without htmx, the same figures as a page.
    expect(await (await page('/trades/totals?strategy=momentum')).text()).toContain(
      '<p id="trade-totals">2 trades match, realized P&amp;L <strong class="down">-$11.50</strong></p>',
    );
  });

  it('filters by exchange day, ticker, strategy and exit reason, alone and together', async () => {
    const { apiJson, page } = await started();
    const ids = async (query: string) => (await apiJson(`/api/trades?${query}`)).trades.map((x) => x.position_id);
    // 23:30 in New York is still the 2nd; 00:30 is the 3rd.
    expect(await ids('from=2026-03-02&to=2026-03-02')).toEqual(['tr-2', 'tr-1']);
    expect(await ids('from=2026-03-03&to=2026-03-03')).toEqual(['tr-4', 'tr-3']);
    expect(await ids('from=2026-03-03')).toEqual(['tr-5', 'tr-4', 'tr-3']);
    expect(await ids('to=2026-03-02')).toEqual(['tr-2', 'tr-1']);
    expect(await ids('ticker=aapl')).toEqual(['tr-5', 'tr-3', 'tr-1']);
    expect(await ids('ticker=AAPL&strategy=momentum')).toEqual(['tr-3', 'tr-1']);
    expect(await ids('exit_reason=take_profit')).toEqual(['tr-3', 'tr-2']);
    expect(await ids('from=2026-03-03&ticker=AAPL&exit_reason=take_profit&strategy=momentum')).toEqual(['tr-3']);
    expect(await ids(`strategy=${encodeURIComponent(FORMULA)}`)).toEqual(['tr-4']);
    expect(await ids('ticker=NVDA')).toEqual([]);
    // Empty fields, as a GET form sends them, mean any.
    expect(await ids('from=&to=&ticker=&strategy=&exit_reason=')).toEqual(['tr-5', 'tr-4', 'tr-3', 'tr-2', 'tr-1']);
    // The totals, when asked for, cover every matching trade.
    const withTotals = await apiJson('/api/trades?ticker=AAPL&totals=1&limit=1');
    expect([withTotals.total, withTotals.realized_pnl, withTotals.trades.length]).toEqual([3, '-11.49', 1]);
    const without = await apiJson('/api/trades?ticker=AAPL');
    expect([without.total, without.realized_pnl]).toEqual([null, null]);

    // The page keeps the filters in its form.
    const html = await (await page('/trades?from=2026-03-03&ticker=aapl&exit_reason=take_profit')).text();
    expect(tableRows(html).map((r) => r[1])).toEqual(['AAPL']);
    expect(html).toContain('<input type="date" name="from" value="2026-03-03">');
    expect(html).toContain('<input name="ticker" value="AAPL"');
    expect(html).toContain('<option value="take_profit" selected>take profit</option>');
    expect(html).toContain('<a href="/trades.csv?from=2026-03-03&amp;ticker=AAPL&amp;exit_reason=take_profit" hx-boost="false" download>Download CSV</a>');
  });

  it('answers /api/trades with exact decimal strings', async () => {
    const { apiJson } = await started();
    const body = await apiJson('/api/trades?limit=1&totals=true');
    expect(body).toEqual({
      trades: [
        {
          position_id: 'tr-5',
          signal_id: '@SUM(A1)',
          ticker: 'AAPL',
          side: 'long',
          quantity: '1',
          entry_price: '191',
          exit_price: '191.01',
          realized_pnl: '0.01',
          realized_pnl_ratio: '0.000052',
          exit_reason: 'flatten',
          strategy: XSS,
          entry_order_id: 'ord-1',
          exit_order_id: 'ord-1-sl',
          opened_at: '2026-03-04T14:31:00.000Z',
          closed_at: '2026-03-04T15:00:00.000Z',
        },
      ],
      next_cursor: expect.stringMatching(/^[A-Za-z0-9_-]+$/) as unknown,
      total: 5,
      realized_pnl: '185.96',
    });
  });

  it('pages through every trade once, ties on the closing time included, on the page and in the API', async () => {
    // 230 trades, closed ten to a minute: every page boundary falls inside a tie.
    const many = Array.from({ length: 230 }, (_, i) =>
      closedRecord({
        positionId: `m-${String(i).padStart(3, '0')}`,
        signalId: `m-${String(i).padStart(3, '0')}`,
        ticker: i % 2 === 0 ? 'AAPL' : 'MSFT',
        realizedPnl: dec(i).div(100),
        closedAt: new Date(Date.UTC(2026, 2, 2, 15, Math.floor(i / 10))),
      }),
    );
    const { apiPages, page } = await started(many);
    const expected = [...many].sort((a, b) => b.closedAt.getTime() - a.closedAt.getTime() || (a.positionId < b.positionId ? 1 : -1)).map((x) => x.positionId);

    const pages = await apiPages('limit=7');
    expect(pages.length).toBe(33);
    expect(pages.slice(0, -1).every((p) => p.length === 7)).toBe(true);
    expect(pages.flat()).toEqual(expected);
    expect(new Set(pages.flat()).size).toBe(230);
    expect((await apiPages('limit=200&ticker=MSFT')).flat()).toEqual(expected.filter((id) => Number(id.slice(2)) % 2 === 1));

    // The page's Next link, followed to the end: 50 a page by default.
    const seen: string[] = [];
    let path: string | null = '/trades';
    let pageCount = 0;
    while (path !== null) {
      const html = await (await page(path)).text();
      pageCount++;
      // The signal column holds the trade's id here.
      seen.push(...tableRows(html).map((r) => r[10]!));
      if (pageCount > 1) expect(html).toContain('<a href="/trades">First page</a>');
      path = nextLink(html);
    }
    expect(pageCount).toBe(5);
    expect(seen).toEqual(expected);
  });

  it('exports the filtered trades as CSV: exact, streamed across pages, safe to open in a spreadsheet', async () => {
    const { page } = await started();
    const res = await page('/trades.csv');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="trades.csv"');
    expect(await res.text()).toBe(
      [
        'signal_id,ticker,side,quantity,entry_time,entry_price,exit_time,exit_price,exit_reason,pnl,strategy',
        `'@SUM(A1),AAPL,long,1,2026-03-04T14:31:00.000Z,191,2026-03-04T15:00:00.000Z,191.01,flatten,0.01,${XSS}`,
        `'-1+2,TSLA,long,10,2026-03-03T14:45:00.000Z,250,2026-03-03T15:00:00.000Z,249.995,manual,-0.05,"'=HYPERLINK(""http://x.test"",""y"")"`,
        'sig-3,AAPL,long,50,2026-03-02T15:30:00.000Z,190,2026-03-03T05:30:00.000Z,200.01,take_profit,500.5,momentum',
        'sig-2,MSFT,short,20,2026-03-02T15:00:00.000Z,410,2026-03-03T04:30:00.000Z,400.125,take_profit,197.5,breakout',
        'sig-1,AAPL,long,100,2026-03-02T14:30:00.000Z,190.12,2026-03-02T16:05:00.000Z,185,stop_loss,-512,momentum',
        '',
      ].join('\n'),
    );
    const filtered = await (await page('/trades.csv?ticker=AAPL&strategy=momentum&limit=1')).text();
    expect(filtered.split('\n').map((l) => l.split(',')[0])).toEqual(['signal_id', 'sig-3', 'sig-1', '']);
  });

  it('streams a long export a page at a time, every trade once, in order', async () => {
    const many = Array.from({ length: 450 }, (_, i) =>
      closedRecord({
        positionId: `c-${String(i).padStart(3, '0')}`,
        signalId: `s-${String(i).padStart(3, '0')}`,
        closedAt: new Date(Date.UTC(2026, 2, 2, 15, 0, i)),
      }),
    );
    const { page } = await started(many);
    const lines = (await (await page('/trades.csv')).text()).split('\n');
    expect(lines.length).toBe(452);
    expect(lines.at(-1)).toBe('');
    expect(lines.slice(1, -1).map((l) => l.split(',')[0])).toEqual(many.map((x) => x.signalId).reverse());
  });

  it('refuses a bad filter with a 400 that names the field, on the page, the CSV and the API', async () => {
    const { page, api, get } = await started();
    for (const [query, problem] of [
      ['exit_reason=panic', 'exit_reason: one of stop_loss, take_profit, manual, flatten, external'],
      ['from=03%2F02%2F2026', 'from: a date as YYYY-MM-DD'],
      ['from=2026-02-30', 'from must be a date as YYYY-MM-DD, not "2026-02-30"'],
      ['to=2026-13-01', 'to must be a date as YYYY-MM-DD, not "2026-13-01"'],
      ['from=2026-03-05&to=2026-03-01', 'from (2026-03-05) is after to (2026-03-01): no trade can match'],
      ['limit=500', 'limit: at most 200'],
      ['limit=2.5', 'limit: a whole number'],
      ['ticker=A%20B', 'ticker: a ticker: letters, digits, dot or dash, at most 16'],
      ['strategy=' + 'x'.repeat(65), 'strategy: at most 64 characters'],
      ['cursor=not%20a%20cursor', 'cursor: not a page cursor'],
      ['cursor=abc', 'cursor is not one this dashboard gave: start again from the first page'],
      ['totals=yes', 'totals: 1 or true'],
    ] as const) {
      const escaped = problem.replace(/"/g, '&quot;');
      // The export takes every page: it reads a cursor's form, not its value.
      const paths = query === 'cursor=abc' ? [`/trades?${query}`] : [`/trades?${query}`, `/trades.csv?${query}`];
      for (const path of paths) {
        const res = await page(path);
        expect([path, res.status]).toEqual([path, 400]);
        expect(await res.text()).toContain(`<p>${escaped}. Change the filter and try again.</p>`);
      }
      const json = await api(`/api/trades?${query}`);
      expect([query, json.status, await json.json()]).toEqual([query, 400, { error: problem }]);
    }

    // Sent by htmx (the boosted form), the refusal also tells it to load the address itself, so the browser shows the page.
    const boosted = await page('/trades?limit=500&ticker=AAPL', { 'hx-request': 'true', 'hx-boosted': 'true' });
    expect([boosted.status, boosted.headers.get('hx-redirect')]).toEqual([400, '/trades?limit=500&ticker=AAPL']);

    // Without a token or a session.
    const unauthorized = await get('/api/trades');
    expect([unauthorized.status, await unauthorized.json()]).toEqual([401, { error: 'unauthorized: send Authorization: Bearer <token>, or log in at /login' }]);
    for (const path of ['/trades', '/trades.csv', '/trades/totals']) {
      const res = await get(path);
      expect([path, res.status, res.headers.get('location')]).toEqual([path, 303, '/login']);
    }
  });
});
