/**
 * Alpaca's trade_updates stream through the SDK's TradingStream: reconnects
 * by itself; after a reconnect, what happened while it was down is recovered
 * by listing the orders changed since the last event. Every update is
 * delivered once, whichever way it arrived.
 */
import { streaming } from '@alpacahq/alpaca-trade-api';
import { BrokerAuthenticationError, BrokerConnectionError } from '../../domain/errors.js';
import type { StreamState, TradeUpdate, TradeUpdateListener } from '../../domain/ports/broker.js';
import { Listeners, StateCell } from '../../domain/listeners.js';
import type { Order } from '../../domain/order.js';
import type { TradeEvent } from '../../domain/enums.js';
import { amount, toOrder } from './mapping.js';

type SdkStream = InstanceType<typeof streaming.TradingStream>;
type SdkUpdate = Parameters<Parameters<SdkStream['onTradeUpdate']>[0]>[0];

export interface TradeStreamOptions {
  keyId: string;
  secret: string;
  url: string;
  /** An SDK order as a domain order (the adapter fills in a leg's parent and role). */
  toOrder?: (o: SdkUpdate['order']) => Order;
  /** Orders changed after an instant: how missed updates are found. */
  recover: (since: Date) => Promise<Order[]>;
  /** How long to wait for the first login and subscription. Default 10 s. */
  connectTimeoutMs?: number;
}

/** The event an order's current state stands for, when it was not seen live. */
const EVENT_OF_STATUS: Partial<Record<Order['status'], TradeEvent>> = {
  new: 'new',
  accepted: 'accepted',
  partially_filled: 'partial_fill',
  filled: 'fill',
  canceled: 'canceled',
  expired: 'expired',
  rejected: 'rejected',
  replaced: 'replaced',
};

/** An update is the same update when it is the same event at the same filled quantity. */
const keyOf = (u: TradeUpdate) => `${u.order.id}:${u.event}:${u.order.filledQty.toFixed()}`;

export class AlpacaTradeStream {
  private stream: SdkStream | null = null;
  private readonly listeners = new Listeners<TradeUpdate>();
  private readonly seen = new Set<string>();
  private lastEventAt: Date | null = null;
  private startedAt = new Date();
  private readonly status = new StateCell<StreamState>('stopped');
  private recovering: Promise<void> = Promise.resolve();

  constructor(private readonly options: TradeStreamOptions) {}

  state(): StreamState {
    return this.status.get();
  }

  /** Told of every change of state as it happens: a drop shorter than any polling interval is seen too. */
  onState(listener: (state: StreamState) => void): () => void {
    return this.status.onChange(listener);
  }

  onUpdate(listener: TradeUpdateListener): () => void {
    return this.listeners.add(listener);
  }

  async start(): Promise<void> {
    if (this.stream) return;
    this.startedAt = new Date();
    const stream = new streaming.TradingStream({
      credentials: { keyId: this.options.keyId, secret: this.options.secret },
      url: this.options.url,
      reconnect: true,
      maxReconnectAttempts: -1,
      initialReconnectMs: 250,
      maxReconnectMs: 30_000,
    });
    this.stream = stream;
    stream.onTradeUpdate((u) => this.deliver(fromSdk(u, this.options.toOrder ?? ((o) => toOrder(o)))));
    stream.onDisconnect(() => {
      if (this.status.get() !== 'stopped') this.status.set('reconnecting');
    });
    stream.onReconnected(() => {
      this.status.set('connected');
      this.recovering = this.recovering.then(() => this.recoverMissed()).catch(() => undefined);
    });
    const subscribed = new Promise<void>((resolve) => stream.once('subscription', () => resolve()));
    stream.subscribeTradeUpdates();
    stream.connect();
    const timeout = this.options.connectTimeoutMs ?? 10_000;
    const auth = await stream.waitForAuthenticationResult(timeout);
    if (!auth.authenticated) {
      this.stop();
      if (auth.status === 'server_rejected') throw new BrokerAuthenticationError(`the trade-update stream refused the credentials: ${auth.message}`);
      throw new BrokerConnectionError(`the trade-update stream did not connect: ${auth.message}`);
    }
    await Promise.race([subscribed, new Promise((resolve) => setTimeout(resolve, timeout).unref())]);
    this.status.set('connected');
  }

  stop(): void {
    this.status.set('stopped');
    this.stream?.disconnect();
    this.stream = null;
  }

  /** Settles once the last recovery after a reconnect has run (tests, shutdown). */
  settled(): Promise<void> {
    return this.recovering;
  }

  private deliver(update: TradeUpdate): void {
    const key = keyOf(update);
    if (this.seen.has(key)) return;
    this.seen.add(key);
    if (!this.lastEventAt || update.timestamp > this.lastEventAt) this.lastEventAt = update.timestamp;
    this.listeners.emit(update);
  }

  /** Replays, as updates, the order states reached while the stream was down. */
  private async recoverMissed(): Promise<void> {
    const since = this.lastEventAt ?? this.startedAt;
    for (const order of await this.options.recover(since)) {
      const event = EVENT_OF_STATUS[order.status];
      if (!event) continue;
      const filled = event === 'fill' || event === 'partial_fill';
      this.deliver({
        event,
        order,
        timestamp: order.updatedAt,
        price: filled ? order.filledAvgPrice : null,
        qty: filled ? order.filledQty : null,
        positionQty: null,
        executionId: null,
      });
    }
  }
}

function fromSdk(u: SdkUpdate, mapOrder: (o: SdkUpdate['order']) => Order): TradeUpdate {
  return {
    event: u.event as TradeEvent,
    order: mapOrder(u.order),
    timestamp: u.timestamp ?? new Date(),
    price: amount(u.price),
    qty: amount(u.qty),
    positionQty: amount(u.positionQty),
    executionId: u.executionId ? String(u.executionId) : null,
  };
}
