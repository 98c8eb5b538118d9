/**
 * The scheduled monitor. Every MONITOR_INTERVAL_SECONDS while the market is
 * open (per the broker's clock), plus one cycle right after the close, it
 * reconciles, marks positions, closes triggered positions no broker leg
 * protects, evaluates the risk limits, expires signals, records intraday
 * equity and delivers alerts. Cycles never overlap; a failed one is logged
 * and alerted and the next one runs. The daily report is posted once per
 * trading day at DAILY_REPORT_TIME (TIMEZONE), never before that session's
 * close; a report missed while the bot was down is posted at the next start.
 */
import schedule from 'node-schedule';
import { addDays, exchangeDate, zonedTime } from '../domain/marketTime.js';
import { type Config, secretValues } from '../config.js';
import { type EventLog, redactSecrets } from '../logger.js';
import type { CalendarDay, StreamState } from '../domain/ports/broker.js';
import type { OperatorService, StatusInfo } from '../app/OperatorService.js';
import type { ReconciliationSummary } from '../portfolio/Reconciler.js';
import { alertFor, lateReportView, monitorFailedView, reconciliationView, streamView } from '../views/alerts.js';
import type { View } from '../views/view.js';
import type { AlertCenter } from './AlertCenter.js';
import { buildDailyReport } from './dailyReport.js';

/** What the monitor needs of the application: the operator service for data and actions, the configuration for its secrets and report folder. */
export interface MonitorApp {
  operator: OperatorService;
  config: Config;
  now(): Date;
}

export interface MonitorOptions {
  app: MonitorApp;
  alerts: AlertCenter;
  log: EventLog;
  intervalSeconds: number;
  reportTime: { hour: number; minute: number };
  timezone: string;
  /** The trading clock (the simulator's in tests); defaults to the app's. */
  now?: () => Date;
}

export type TickOutcome = 'cycle' | 'closed' | 'busy';

/** A report that arrives this much after its time says it is late. */
const LATE_MS = 60 * 60_000;

export class Monitor {
  private readonly now: () => Date;
  private running = false;
  /** Whether the last cycle ran with the market open: the first closed tick after it runs the after-close cycle. */
  private lastOpen = false;
  private lastStream: StreamState | null = null;
  private lastMarketData: StreamState | null = null;
  private streamChanges = 0;
  private lastCycle: StatusInfo['lastCycle'] = null;
  private readonly jobs: schedule.Job[] = [];
  private readonly unsubscribe: (() => void)[] = [];

  constructor(private readonly options: MonitorOptions) {
    this.now = options.now ?? options.app.now;
  }

  /** Engine events and the broker stream's drops and returns become alerts as they happen (they do not wait for a cycle). */
  attach(): void {
    const { app, alerts, log } = this.options;
    const failed = (error: unknown) => log.error({ err: error }, 'recording an alert failed');
    this.unsubscribe.push(
      app.operator.onTradingEvent((event) => {
        const spec = alertFor(event);
        if (spec) alerts.raise(spec.kind, spec.eventKey, spec.view).catch(failed);
      }),
    );
    const stream = app.operator.onStreamState((state) => {
      this.streamChanged(state)
        .then(() => alerts.flush())
        .catch(failed);
    });
    if (stream) this.unsubscribe.push(stream);
    const marketData = app.operator.onMarketDataState((state) => {
      this.marketDataChanged(state)
        .then(() => alerts.flush())
        .catch(failed);
    });
    if (marketData) this.unsubscribe.push(marketData);
  }

  /** At start-up: the reconciliation summary, then any daily report missed while down. */
  async startUp(summary: ReconciliationSummary): Promise<void> {
    await this.options.alerts.raise('reconciliation', `reconciliation:${summary.at.toISOString()}`, reconciliationView(summary));
    await this.checkReport();
    await this.options.alerts.flush();
  }

  /** Starts the jobs: the cycle every interval, and the report at its time. */
  start(): void {
    const { intervalSeconds, reportTime, timezone, log } = this.options;
    const run = (what: string, fn: () => Promise<unknown>) => () => {
      fn().catch((error: unknown) => log.error({ err: error, what }, 'scheduled job failed'));
    };
    this.jobs.push(
      schedule.scheduleJob(
        'monitor-cycle',
        intervalRule(intervalSeconds),
        run('cycle', () => this.tick()),
      ),
    );
    const report = new schedule.RecurrenceRule();
    report.hour = reportTime.hour;
    report.minute = reportTime.minute;
    report.second = 0;
    report.tz = timezone;
    this.jobs.push(
      schedule.scheduleJob(
        'daily-report',
        report,
        run('report', () => this.checkReport()),
      ),
    );
    this.jobs.push(
      schedule.scheduleJob(
        'alert-retry',
        '*/30 * * * * *',
        run('alerts', () => this.options.alerts.flush()),
      ),
    );
  }

  stop(): void {
    for (const job of this.jobs.splice(0)) job.cancel();
    for (const stop of this.unsubscribe.splice(0)) stop();
    this.options.alerts.stop();
  }

  status(): Partial<StatusInfo> {
    // node-schedule hands back a CronDate (typed as Date): converted to a real Date here.
    const next = (name: string) => {
      const when = this.jobs.find((j) => j.name === name)?.nextInvocation();
      return when ? new Date(when.getTime()) : null;
    };
    const stream = this.options.app.operator.streamState();
    return {
      lastCycle: this.lastCycle,
      nextCycle: next('monitor-cycle'),
      nextReport: next('daily-report'),
      ...(stream ? { stream } : {}),
    };
  }

  /** One scheduled beat: a cycle when the market is open (and once right after it closes), then the report check. */
  async tick(): Promise<TickOutcome> {
    if (this.running) {
      this.options.log.warn({}, 'monitor cycle still running; this beat is skipped');
      return 'busy';
    }
    const clock = await this.options.app.operator.clock();
    let outcome: TickOutcome = 'closed';
    if (clock.isOpen || this.lastOpen) {
      await this.runCycle();
      outcome = 'cycle';
    }
    this.lastOpen = clock.isOpen;
    if (!clock.isOpen) await this.checkReport();
    return outcome;
  }

  /** One monitor cycle; never throws (a failure is logged and alerted). Returns whether it succeeded. */
  async runCycle(): Promise<boolean> {
    if (this.running) return false;
    this.running = true;
    const { app, alerts, log } = this.options;
    const at = this.now();
    const started = performance.now();
    let ok = true;
    try {
      await app.operator.monitorCycle(at);
      await this.checkStream();
    } catch (error) {
      ok = false;
      log.error({ err: error }, 'monitor cycle failed');
      const reason = String(redactSecrets(error instanceof Error ? error.message : String(error), secretValues(app.config)));
      await alerts.raise('monitor_failed', `monitor_failed:${at.toISOString()}`, monitorFailedView(reason)).catch(() => undefined);
    } finally {
      this.lastCycle = { at, durationMs: Math.round(performance.now() - started), ok };
      this.running = false;
    }
    await alerts.flush().catch((error: unknown) => log.error({ err: error }, 'delivering alerts failed'));
    return ok;
  }

  /**
   * Posts the daily report of the latest trading day whose report time has
   * passed, if it has not been posted: on time, or at the next start when the
   * bot was down. Returns the day reported (null when nothing was due).
   */
  async checkReport(): Promise<string | null> {
    const { app, alerts } = this.options;
    const now = this.now();
    const today = exchangeDate(now);
    const sessions = await app.operator.calendar(addDays(today, -10), today);
    const due = [...sessions]
      .reverse()
      .map((s) => ({ day: s.date, at: this.reportInstant(s) }))
      .find((s) => s.at <= now);
    if (!due) return null;
    const key = `daily_report:${due.day}`;
    if (await alerts.has(key)) return null;
    // A database that never recorded equity belongs to a bot that was not running then: nothing was missed.
    if (!(await app.operator.recordingSince(due.day))) return null;
    const late = now.getTime() - due.at.getTime() > LATE_MS;
    await app.operator.closeDay(due.day, { late });
    const view = await buildDailyReport(app, due.day);
    await alerts.raise('daily_report', key, late ? lateReportView(view, due.at) : view);
    await alerts.flush();
    return due.day;
  }

  /** DAILY_REPORT_TIME on the session's date in TIMEZONE, and never before the session's close. */
  private reportInstant(session: CalendarDay): Date {
    const { reportTime, timezone } = this.options;
    const at = zonedTime(session.date, reportTime.hour, reportTime.minute, timezone);
    // A round-the-clock session (the simulator's `always` hours) closes at midnight: the report keeps its time.
    const roundTheClock = session.close.getTime() - session.open.getTime() >= 23 * 3_600_000;
    return roundTheClock || at >= session.close ? at : session.close;
  }

  /** Alerts when the broker's trade stream drops and when it is back (a cycle checks too, should an event be missed). */
  private async checkStream(): Promise<void> {
    const state = this.options.app.operator.streamState();
    if (state) await this.streamChanged(state);
  }

  /** The market-data stream's drop and its return, each alerted once (the broker-stream kinds: prices are the broker's too). */
  private async marketDataChanged(state: StreamState): Promise<void> {
    // Our own close at shutdown is no outage.
    if (state === this.lastMarketData || state === 'stopped') return;
    const previous = this.lastMarketData;
    this.lastMarketData = state;
    const at = `${this.now().toISOString()}:${++this.streamChanges}`;
    if (state !== 'connected') {
      await this.options.alerts.raise('broker_disconnected', `market_data_disconnected:${at}`, marketDataView(state, this.options.intervalSeconds));
    } else if (previous !== null) {
      await this.options.alerts.raise('broker_reconnected', `market_data_reconnected:${at}`, marketDataView(state, this.options.intervalSeconds));
    }
  }

  private async streamChanged(state: StreamState): Promise<void> {
    // Our own disconnect at shutdown is no outage.
    if (state === this.lastStream || state === 'stopped') return;
    const previous = this.lastStream;
    this.lastStream = state;
    // Each change is its own event, even two within one clock tick.
    const at = `${this.now().toISOString()}:${++this.streamChanges}`;
    if (state !== 'connected') {
      await this.options.alerts.raise('broker_disconnected', `broker_disconnected:${at}`, streamView(state, this.options.intervalSeconds));
    } else if (previous !== null) {
      await this.options.alerts.raise('broker_reconnected', `broker_reconnected:${at}`, streamView(state, this.options.intervalSeconds));
    }
  }
}

/** The alert for the market-data stream's drop and return: what the bot does meanwhile. */
export function marketDataView(state: 'connected' | 'reconnecting', intervalSeconds: number): View {
  return state === 'connected'
    ? { title: 'Market data reconnected', description: 'Streamed prices mark positions and guard stops again.', fields: [], tone: 'success' }
    : {
        title: 'Market data disconnected',
        description: `The market-data stream is ${state}; positions are marked and stops without a broker leg are checked by the monitor every ${intervalSeconds} s until it is back.`,
        fields: [],
        tone: 'danger',
      };
}

/** node-schedule rule for "every N seconds": seconds within the minute, or every N/60 minutes. */
export function intervalRule(seconds: number): schedule.RecurrenceRule {
  const rule = new schedule.RecurrenceRule();
  if (seconds < 60) {
    rule.second = Array.from({ length: Math.ceil(60 / seconds) }, (_, i) => i * seconds).filter((s) => s < 60);
  } else {
    const minutes = Math.max(1, Math.round(seconds / 60));
    rule.second = 0;
    rule.minute = Array.from({ length: Math.ceil(60 / minutes) }, (_, i) => i * minutes).filter((m) => m < 60);
  }
  return rule;
}
