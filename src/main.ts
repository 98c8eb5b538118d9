/**
 * Composition root: the only place that chooses adapters and wires them
 * together. Reads `.env` when present, validates the environment, opens and
 * migrates the database, connects the broker.
 */
import { brokerRegistry } from './broker/registry.js';
import { brokerSettings, type Config, readConfigOrReport, secretValues } from './config.js';
import { openStore, type Store } from './db/index.js';
import { DashboardServer, loginLine } from './dashboard/DashboardServer.js';
import { generateToken } from './dashboard/security.js';
import { createLogger, type Logger } from './logger.js';
import { createApp } from './operator/app.js';
import { ConsoleFrontEnd } from './operator/console/ConsoleFrontEnd.js';
import { Dispatcher } from './operator/dispatch.js';
import { loadCommands } from './operator/registry.js';
import { AlertCenter, type AlertSink } from './monitor/AlertCenter.js';
import { reportsDir } from './monitor/dailyReport.js';
import { Monitor } from './monitor/Monitor.js';
import { describeReconciliation } from './portfolio/Reconciler.js';
import { WebhookServer } from './signals/webhook/WebhookServer.js';

/** The broker as its plug-in built it, with the simulator's controls when it is the simulator. */
type ConnectedBroker = Awaited<ReturnType<typeof brokerRegistry.connect>>;

async function main(): Promise<number> {
  const config = readConfigOrReport();
  if (!config) return 2;
  // The dashboard's login token: the configured one, else a new one for this start (scrubbed from the log like any secret).
  const dashboardToken = config.dashboard.port === null ? null : (config.dashboard.token ?? generateToken());
  const logger = createLogger({ level: config.logLevel, secrets: [...secretValues(config), ...(dashboardToken ? [dashboardToken] : [])] });
  const store = await openStore(config.dbPath);
  try {
    // Whichever broker BROKER names, built by its plug-in (a real broker's SDK loads only then).
    const setup = await brokerRegistry.connect(config.broker, brokerSettings(config), { store, log: logger, now: () => new Date() });
    try {
      await run(config, logger, store, setup, dashboardToken);
    } finally {
      await setup.stop?.();
      await setup.broker.disconnect();
    }
  } finally {
    await store.close();
  }
  return 0;
}

async function run(config: Config, logger: Logger, store: Store, setup: ConnectedBroker, dashboardToken: string | null): Promise<void> {
  const { broker, simulator: sim, caughtUpMinutes: caughtUp } = setup;
  let monitor: Monitor | null = null;
  const app = createApp({
    config,
    broker,
    store,
    sim,
    status: async () => monitor?.status() ?? {},
    openScratchStore: (path) => openStore(path),
    ...(setup.marketData ? { marketData: setup.marketData } : {}),
  });
  app.approvals.onError((error, signalId) => logger.error({ err: error, signal: signalId }, 'auto-approval failed; it is tried again at the next start'));
  // Signal intake over HTTP, only when configured (config refuses a port without a secret). The port is
  // bound before anything runs, so a port in use or a wrong host ends start-up here with one line;
  // signals are taken once a front end listens for them, so none arrives unannounced.
  const webhook =
    config.webhook.port && config.webhook.secret
      ? new WebhookServer({ operator: app.operator, secret: config.webhook.secret, host: config.webhook.host, port: config.webhook.port, log: logger })
      : null;
  const bound = await webhook?.listen();
  // The dashboard (on unless DASHBOARD_PORT=off) binds its port here too, on the same operator service;
  // a port it cannot bind costs only the dashboard: one warning line, and start-up goes on.
  const dashboard =
    config.dashboard.port !== null && dashboardToken !== null
      ? new DashboardServer({
          operator: app.operator,
          token: dashboardToken,
          host: config.dashboard.host,
          port: config.dashboard.port,
          log: logger,
          reportsDir: reportsDir(config),
        })
      : null;
  const dashboardAt = await dashboard?.listen();
  if (dashboardAt && dashboardToken !== null) process.stdout.write(`${loginLine(dashboardAt, dashboardToken)}\n`);
  const stopFollowing = app.engine.followTradeUpdates((error) => logger.error({ err: error }, 'recording a trade update failed'));
  try {
    // Before anything trades: what happened while the bot was down is recorded once.
    const reconciliation = await app.engine.reconciler.reconcile();
    await app.approvals.resumeApproved();
    await app.approvals.expireDue();
    logger.info(
      { db: store.path, broker: broker.name, mode: app.mode, caughtUpMinutes: caughtUp, reconciliation: describeReconciliation(reconciliation) },
      'catalyst-bot started',
    );
    const dispatcher = new Dispatcher(app, await loadCommands(), logger);
    const monitorFor = (sink: AlertSink) => {
      const alerts = new AlertCenter({ store, sink, log: logger });
      monitor = new Monitor({
        app,
        alerts,
        log: logger,
        intervalSeconds: config.monitor.intervalSeconds,
        reportTime: config.monitor.dailyReportTime,
        timezone: config.monitor.timezone,
      });
      monitor.attach();
      return { alerts, monitor };
    };
    // Once a front end shows signals: auto-approvals a crash interrupted run, then the webhook takes signals.
    const openIntake = async () => {
      await app.approvals.resumeAutoApprovals();
      if (webhook && bound) {
        webhook.open();
        logger.info({ url: bound.url }, 'signal webhook listening');
      }
    };
    // Streamed prices once the monitor listens for the stream's drops: a feed that cannot connect yet retries, and polling carries on meanwhile.
    const live = app.engine.live;
    const startMarketData = () => {
      if (!live) return;
      live.onError((error, what) => logger.warn({ err: error }, `${what} failed`));
      live.start().then(
        () => logger.info({ feed: setup.marketData?.name, state: live.state(), tickers: live.tickers().size }, 'market-data stream started'),
        (error: unknown) => logger.error({ err: error }, 'the market-data stream did not start; prices come from the monitor cycle'),
      );
    };
    // Unapproved signals expire on time, whichever front end is running.
    const sweeper = setInterval(() => {
      app.approvals.expireDue().catch((error: unknown) => logger.error({ err: error }, 'expiring signals failed'));
    }, 30_000);
    sweeper.unref();
    try {
      if (config.discord.token) {
        const { DiscordFrontEnd } = await import('./operator/discord/DiscordFrontEnd.js');
        const discord = new DiscordFrontEnd({ app, dispatcher, log: logger, token: config.discord.token, apiUrl: config.discord.apiUrl });
        await discord.start();
        const channel = config.discord.alertsChannelId;
        const toLog = logSink(logger);
        const toChannel = channel ? discord.alertSink(channel) : null;
        // The channel, and the terminal's log beside it.
        const { monitor: running } = monitorFor(
          toChannel
            ? {
                post: async (views) => {
                  await toChannel.post(views);
                  await toLog.post(views);
                },
              }
            : toLog,
        );
        await running.startUp(reconciliation);
        startMarketData();
        running.start();
        setup.start?.();
        await openIntake();
        process.stdout.write(`catalyst-bot on Discord (${app.mode}, broker ${broker.name}); Ctrl-C to stop.\n`);
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        await webhook?.stop();
        await app.approvals.idle();
        running.stop();
        await discord.stop();
      } else {
        const interactive = Boolean(process.stdin.isTTY);
        let flush: () => Promise<unknown> = async () => undefined;
        const terminal = new ConsoleFrontEnd({ app, dispatcher, input: process.stdin, output: process.stdout, interactive, flushAlerts: () => flush() });
        const { alerts, monitor: running } = monitorFor(terminal.alertSink);
        flush = () => alerts.flush();
        await running.startUp(reconciliation);
        startMarketData();
        // A scripted session runs its lines and ends; a terminal session keeps the schedule.
        if (interactive) {
          running.start();
          setup.start?.();
        }
        const session = terminal.run();
        await openIntake();
        await session;
        await webhook?.stop();
        await app.approvals.idle();
        await alerts.flush();
        running.stop();
      }
    } finally {
      clearInterval(sweeper);
    }
  } finally {
    await webhook?.stop();
    await dashboard?.stop();
    await app.engine.live?.close();
    stopFollowing();
  }
}

/** Alerts as log lines: beside the Discord channel, or alone when no DISCORD_ALERTS_CHANNEL_ID is set. */
function logSink(logger: { info(details: Record<string, unknown>, message: string): void }): AlertSink {
  return {
    post: async (views) => {
      for (const view of views) logger.info({ alert: view.title, text: view.description }, 'alert');
    },
  };
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`catalyst-bot failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
