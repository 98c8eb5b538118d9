/**
 * Keeps a running simulator in step with the wall clock: at start it catches
 * up the time the bot was down (orders expire, the feed walks), then advances
 * one simulated minute per real minute. `/sim advance` moves ahead of that.
 */
import type { SimBroker } from './SimBroker.js';

const MINUTE = 60_000;
/** Longer downtimes are not replayed minute by minute. */
const MAX_CATCH_UP_MINUTES = 30 * 24 * 60;

export class RealtimeSimDriver {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly broker: SimBroker,
    private readonly wallClock: () => Date = () => new Date(),
  ) {}

  /** Whole minutes the simulated clock is behind the wall clock. */
  lagMinutes(): number {
    const behind = this.wallClock().getTime() - this.broker.engine.clockSource.now().getTime();
    return Math.max(0, Math.floor(behind / MINUTE));
  }

  async catchUp(): Promise<number> {
    const minutes = Math.min(this.lagMinutes(), MAX_CATCH_UP_MINUTES);
    if (minutes > 0) await this.broker.advance(minutes);
    return minutes;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      // Ticks never overlap: each waits for the previous one.
      this.running = this.running.then(() => this.catchUp()).catch(() => undefined);
    }, MINUTE);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
