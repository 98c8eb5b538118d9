/** Channel alerts as views: each engine event (its kind, once-only event key and text), and the monitor's own notices. */
import { formatUsd } from '../domain/money.js';
import type { AlertKind } from '../domain/records.js';
import type { TradingEvent } from '../domain/events.js';
import { describeReconciliation, type ReconciliationSummary } from '../portfolio/Reconciler.js';
import type { View } from './view.js';
import { signed, signedPct } from './format.js';
import { levelsText, STATE_ALLOWS } from './trading.js';

export interface AlertSpec {
  kind: AlertKind;
  /** Unique per event: the same event reported twice (stream replay, restart) is posted once. */
  eventKey: string;
  view: View;
}

export function holdText(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 24 * 60) return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
  return `${Math.floor(minutes / 1440)} d ${Math.floor((minutes % 1440) / 60)} h`;
}

const CLOSE_TITLES = {
  stop_loss: 'Stop-loss hit',
  take_profit: 'Take-profit hit',
  manual: 'Position closed',
  flatten: 'Position closed (flatten)',
  external: 'Position closed outside the bot',
} as const;

/** The alert for an event, or null when it is not worth a message (e.g. a bracket leg canceled by its sibling's fill). */
export function alertFor(event: TradingEvent): AlertSpec | null {
  switch (event.kind) {
    case 'order_filled':
    case 'order_partially_filled': {
      const o = event.order;
      // Exits are reported by the position_closed alert, with their P&L.
      if (o.exitReason !== null || o.leg === 'stop_loss' || o.leg === 'take_profit') return null;
      const partial = event.kind === 'order_partially_filled';
      return {
        kind: partial ? 'partial_fill' : 'fill',
        eventKey: `fill:${o.orderId}:${o.filledQty.toFixed()}`,
        view: {
          title: `${partial ? 'Partial fill' : 'Entry filled'}: ${o.side} ${o.ticker}`,
          description: `${o.side} ${event.fillQty.toFixed()} ${o.ticker} @ ${formatUsd(event.fillPrice)}${partial ? ` (${o.filledQty.toFixed()} of ${o.quantity.toFixed()} so far, average ${formatUsd(o.filledAvgPrice ?? event.fillPrice)})` : ''}`,
          fields: [
            ...(o.plannedStopLoss ? [{ name: 'Stop', value: formatUsd(o.plannedStopLoss), inline: true }] : []),
            ...(o.plannedTakeProfit ? [{ name: 'Target', value: formatUsd(o.plannedTakeProfit), inline: true }] : []),
          ],
          tone: 'success',
          footer: `order ${o.orderId}${o.signalId ? ` · signal ${o.signalId}` : ''}`,
        },
      };
    }
    case 'position_modified': {
      const where = [
        ...(event.replacedLegs > 0 ? [`${event.replacedLegs} bracket leg(s) replaced at the broker`] : []),
        ...(event.monitored.length > 0 ? [`${event.monitored.map((l) => l.replace('_', '-')).join(' and ')} watched by the bot`] : []),
      ];
      return {
        kind: 'position_modified',
        // Two moves in the same instant are two alerts unless they set the same levels.
        eventKey: `modified:${event.ticker}:${event.at.toISOString()}:${event.stopLoss.current?.toFixed() ?? '-'}:${event.takeProfit.current?.toFixed() ?? '-'}`,
        view: {
          title: `Levels moved: ${event.ticker} (${event.side})`,
          description: `${levelsText(event.stopLoss, event.takeProfit)}, by ${event.by}.`,
          fields: where.length > 0 ? [{ name: 'Where', value: where.join('; '), inline: false }] : [],
          tone: 'info',
        },
      };
    }
    case 'exit_refused': {
      const p = event.position;
      const level =
        event.reason === 'stop_loss' ? `stop ${formatUsd(p.stopLossPrice ?? p.currentPrice)}` : `target ${formatUsd(p.takeProfitPrice ?? p.currentPrice)}`;
      return {
        // Said once per position and level: the check tries again every cycle, and a repeated refusal is no news.
        kind: 'order_rejected',
        eventKey: `exit_refused:${p.positionId}:${event.reason}`,
        view: {
          title: `Exit refused: ${p.side} ${p.quantity.toFixed()} ${p.ticker}`,
          description: `The ${level} was crossed (last ${formatUsd(p.currentPrice)}), but the broker refused the exit: ${event.error}. The position is still open.`,
          fields: [
            {
              name: 'What to do',
              value: `Close it at the broker yourself, or clear what the broker names and /close ${p.ticker}. The bot tries the exit again at every check until one goes through.`,
              inline: false,
            },
          ],
          tone: 'danger',
        },
      };
    }
    case 'position_closed': {
      const c = event.closed;
      const kind: AlertKind = c.exitReason === 'stop_loss' || c.exitReason === 'take_profit' ? c.exitReason : 'position_closed';
      return {
        kind,
        eventKey: `closed:${c.positionId}`,
        view: {
          title: `${CLOSE_TITLES[c.exitReason]}: ${c.ticker}`,
          description: `${c.side} ${c.quantity.toFixed()} ${c.ticker}: ${formatUsd(c.entryPrice)} → ${formatUsd(c.exitPrice)}`,
          fields: [
            { name: 'Realized P&L', value: `${signed(c.realizedPnl)} (${signedPct(c.realizedPnlPct)})`, inline: true },
            { name: 'Held', value: holdText(c.closedAt.getTime() - c.openedAt.getTime()), inline: true },
          ],
          tone: c.realizedPnl.isNegative() ? 'danger' : 'success',
          footer: c.exitOrderId ? `exit order ${c.exitOrderId}` : undefined,
        },
      };
    }
    case 'order_rejected':
    case 'order_canceled':
    case 'order_expired': {
      const o = event.order;
      if (o.parentOrderId !== null) return null;
      const what = event.kind.slice('order_'.length);
      return {
        kind: event.kind,
        eventKey: `${event.kind}:${o.orderId}`,
        view: {
          title: `Order ${what}: ${o.side} ${o.quantity.toFixed()} ${o.ticker}`,
          description: o.statusReason ?? (what === 'expired' ? 'Its time in force ran out.' : 'No reason given by the broker.'),
          fields: o.filledQty.gt(0) ? [{ name: 'Filled before that', value: o.filledQty.toFixed(), inline: true }] : [],
          tone: event.kind === 'order_rejected' ? 'danger' : 'neutral',
          footer: `order ${o.orderId}`,
        },
      };
    }
    case 'halted':
      return {
        kind: 'halted',
        // A step to REDUCING and a halt can come at the same instant: each is its own alert.
        eventKey: `${event.state === 'HALTED' ? 'halted' : 'reducing'}:${event.at.toISOString()}`,
        view: {
          title: event.state === 'HALTED' ? 'Trading halted' : 'Trading reducing',
          description: `${event.limit ? 'Risk limit' : `By ${event.by}`}: ${event.reason}. ${STATE_ALLOWS[event.state]}`,
          fields: [],
          tone: event.state === 'HALTED' ? 'danger' : 'warning',
        },
      };
    case 'resumed':
      return {
        kind: 'resumed',
        eventKey: `resumed:${event.at.toISOString()}`,
        view: { title: 'Trading resumed', description: `By ${event.by}.`, fields: [], tone: 'success' },
      };
    default:
      return null;
  }
}

/** The start-up reconciliation summary: a warning when the broker's view had to be taken over. */
export function reconciliationView(summary: ReconciliationSummary): View {
  return {
    title: 'Started: reconciliation',
    description: describeReconciliation(summary),
    fields: [],
    tone: summary.closedExternally.length + summary.adopted.length + summary.resynced.length > 0 ? 'warning' : 'info',
  };
}

export function monitorFailedView(reason: string): View {
  return { title: 'Monitor cycle failed', description: `${reason}. The next cycle runs on schedule.`, fields: [], tone: 'danger' };
}

/** The broker's trade stream dropped (`state`) or came back (`connected`). */
export function streamView(state: 'connected' | 'reconnecting', intervalSeconds: number): View {
  return state === 'connected'
    ? { title: 'Broker stream reconnected', description: 'Trade updates stream again; anything missed was replayed.', fields: [], tone: 'success' }
    : {
        title: 'Broker stream disconnected',
        description: `The trade-update stream is ${state}; fills are picked up by the monitor every ${intervalSeconds} s until it is back.`,
        fields: [],
        tone: 'danger',
      };
}

/** A report posted after its time says so, and why its figures are as of now. */
export function lateReportView(view: View, dueAt: Date): View {
  return { ...view, footer: `Posted late (due ${dueAt.toISOString()}): the bot was not running at report time; equity and open positions are as of now.` };
}
