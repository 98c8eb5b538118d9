/**
 * The backtests pages over HTTP: the runs in REPORTS_DIR/backtests newest
 * first with their summary, a run's page with its whole summary and its
 * equity chart (the option the PNG builder makes from equity.csv), its
 * equity.png served as is; an unreadable summary reported, not trusted; no
 * path outside the backtests folder reachable; no runs said so.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { equityChartData } from '../../src/chart/equityChart.js';
import { dec } from '../../src/domain/money.js';
import { BACKTEST_EQUITY_CSV as EQUITY_CSV, BACKTEST_SUMMARY as SUMMARY, chartOptionIn, useDashboardPages, viaJson } from '../helpers/dashboardPages.js';
import { useTempDir, useTempStore } from '../helpers/tempDb.js';
import { operatorHarness } from '../operator/appHarness.js';

/** A GET whose path is sent exactly as written, with the session cookie. */
function rawGet(base: string, path: string, cookie: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(base, { path, headers: { cookie } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);

describe('the backtests pages', () => {
  const newStore = useTempStore();
  const newDir = useTempDir();
  const started = useDashboardPages();

  /** A reports folder with two good runs, one with a broken summary, and a stray file. */
  function reports(): string {
    const dir = newDir();
    const run = (name: string, files: Record<string, string | Buffer>) => {
      mkdirSync(join(dir, 'backtests', name), { recursive: true });
      for (const [file, content] of Object.entries(files)) writeFileSync(join(dir, 'backtests', name, file), content);
    };
    run('2026-12-01T10-00-00Z', { 'summary.json': JSON.stringify({ ...SUMMARY, trades: 2, ending_equity: '99000' }) });
    run('2026-12-02T09-30-00Z', { 'summary.json': JSON.stringify(SUMMARY), 'equity.csv': EQUITY_CSV, 'equity.png': PNG });
    run('2026-12-03T08-00-00Z', { 'summary.json': JSON.stringify({ ...SUMMARY, ending_equity: 101250.5 }) });
    writeFileSync(join(dir, 'backtests', 'notes.txt'), 'not a run');
    // A file beside the backtests folder that no URL may reach.
    writeFileSync(join(dir, 'secret.json'), '{"secret": true}');
    return dir;
  }

  it('lists the runs newest first with their summary, and reports an unreadable one', async () => {
    const client = await started(await operatorHarness(await newStore()), { reportsDir: reports() });
    const res = await client.page('/backtests');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<h1>Backtests (3)</h1>');
    expect(html).toContain('<a href="/backtests" aria-current="page">Backtests</a>');
    const order = ['2026-12-03T08-00-00Z', '2026-12-02T09-30-00Z', '2026-12-01T10-00-00Z'].map((n) => html.indexOf(`<a href="/backtests/${n}">`));
    expect(order.every((i, k) => i > 0 && (k === 0 || i > (order[k - 1] ?? 0)))).toBe(true);
    expect(html).toContain(
      '<tr><td><a href="/backtests/2026-12-02T09-30-00Z">2026-12-02T09-30-00Z</a></td><td>2026-03-02 → 2026-03-06</td><td class="num">$101250.5</td><td class="num">1.2505%</td><td class="num">0.99%</td><td class="num">4</td><td class="num">0.75</td></tr>',
    );
    expect(html).toContain('<td class="num">$99000</td>');
    expect(html).toContain('<td colspan="6" class="muted">summary.json: ending_equity: Invalid input: expected string, received number</td>');
    expect(html).not.toContain('notes.txt');
  });

  it("shows a run's summary and its equity chart from the PNG builder, and serves its equity.png", async () => {
    const client = await started(await operatorHarness(await newStore()), { reportsDir: reports() });
    const res = await client.page('/backtests/2026-12-02T09-30-00Z');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<h1>Backtest 2026-12-02T09-30-00Z</h1>');
    for (const [name, value] of [
      ['Ending equity', '$101250.5'],
      ['Total return', '1.2505%'],
      ['Max drawdown', '$1000 (0.99%)'],
      ['Trades', '4'],
      ['Win rate', '0.75'],
      ['Exposure', '42.5%'],
      ['Signals', '5 (1 refused)'],
    ]) {
      expect(html).toContain(`<dt>${name}</dt><dd>${value}</dd>`);
    }
    // Daily rows keep their date; an intraday one takes its New York trading day.
    const points = [
      { day: '2026-03-02', equity: dec(100_000) },
      { day: '2026-03-03', equity: dec(101_000) },
      { day: '2026-03-04', equity: dec(100_000) },
      { day: '2026-03-05', equity: dec('101250.5') },
    ];
    expect(chartOptionIn(html, 'backtest-equity')).toEqual(viaJson(equityChartData(points, 'Backtest equity', { markMaxDrawdown: true })));
    expect(html).toContain('<a href="/backtests/2026-12-02T09-30-00Z/equity.png">equity.png</a>');

    const png = await client.page('/backtests/2026-12-02T09-30-00Z/equity.png');
    expect([png.status, png.headers.get('content-type')]).toEqual([200, 'image/png']);
    expect(Buffer.from(await png.arrayBuffer()).equals(PNG)).toBe(true);

    // A run without equity.csv or a picture says so.
    const bare = await (await client.page('/backtests/2026-12-01T10-00-00Z')).text();
    expect(bare).toContain('No equity curve: equity.csv is missing or unreadable.');
    expect(bare).not.toContain('equity.png');
    expect((await client.page('/backtests/2026-12-01T10-00-00Z/equity.png')).status).toBe(404);
  });

  it('refuses every path outside the backtests folder', async () => {
    const client = await started(await operatorHarness(await newStore()), { reportsDir: reports() });
    for (const path of [
      '/backtests/..%2Fsecret.json',
      '/backtests/..%2F..%2Fetc%2Fpasswd',
      '/backtests/.hidden',
      '/backtests/notes.txt',
      '/backtests/no-such-run',
      '/backtests/..%2F2026-12-02T09-30-00Z/equity.png',
      '/backtests/a%5Cb',
    ]) {
      // node:http sends the path as written (fetch would resolve `..` itself, and never send it).
      const res = await rawGet(client.url, path, client.cookie);
      expect([path, res.status]).toEqual([path, 404]);
      expect(res.body).not.toContain('"secret": true');
    }
    // Dot segments, even encoded, are resolved by the URL parser before any route sees them: no file is read.
    for (const path of ['/backtests/%2E%2E/secret.json', '/backtests/%2e%2e/%2e%2e/secret.json']) {
      const res = await rawGet(client.url, path, client.cookie);
      expect([path, res.status]).toEqual([path, 404]);
      expect(res.body).not.toContain('"secret": true');
    }
  });

  it('says so when there are no runs, and when it has no reports folder', async () => {
    const t = await operatorHarness(await newStore());
    const empty = newDir();
    const none = await (await (await started(t, { reportsDir: empty })).page('/backtests')).text();
    expect(none).toContain(`No backtest runs yet in <code>${empty}/backtests</code>.`);
    const unset = await (await (await started(t)).page('/backtests')).text();
    expect(unset).toContain('This dashboard was started without a reports folder (REPORTS_DIR), so it has no runs to show.');
  });

  it('sends a browser without a session to the login', async () => {
    const client = await started(await operatorHarness(await newStore()), { reportsDir: reports() });
    for (const path of ['/backtests', '/backtests/2026-12-02T09-30-00Z', '/backtests/2026-12-02T09-30-00Z/equity.png']) {
      const res = await client.get(path);
      expect([path, res.status, res.headers.get('location')]).toEqual([path, 303, '/login']);
    }
  });
});
