/** The signal embed with its Approve / Reject buttons, and how it reads once decided. */
import { formatNumber, formatPct, formatPctShort, formatUsd } from '../domain/money.js';
import type { SizingResult } from '../execution/sizing.js';
import type { CalibrationEstimate } from '../execution/calibration/model.js';
import type { ExecutedOrderRecord, StoredSignal } from '../domain/records.js';
import type { ApprovalOutcome, SignalPreview } from '../signals/SignalApprovals.js';
import type { View, ViewButton } from './view.js';

export const BUTTON = { approve: 'Approve', reject: 'Reject', confirm: 'Confirm' } as const;

/** customIds carry the action and its target, so a click works after a restart. */
export const customId = {
  approve: (signalId: string) => `approve:${signalId}`,
  reject: (signalId: string) => `reject:${signalId}`,
  confirm: (token: string) => `confirm:${token}`,
  parse(id: string): { action: 'approve' | 'reject' | 'confirm'; target: string } | null {
    const [, action, target] = /^(approve|reject|confirm):(.+)$/.exec(id) ?? [];
    return action !== undefined && target !== undefined ? { action: action as 'approve' | 'reject' | 'confirm', target } : null;
  },
};

function buttons(signalId: string, disabled: boolean): ViewButton[] {
  return [
    { label: BUTTON.approve, customId: customId.approve(signalId), style: 'success', disabled },
    { label: BUTTON.reject, customId: customId.reject(signalId), style: 'danger', disabled },
  ];
}

/**
 * Which rule set the proposed size, and what the method alone gave when a cap
 * bound it: ` (capped by max position 10% = $10,000.00; the 2% risk rule alone gives 400)`.
 */
export function sizedBy(sizing: SizingResult): string {
  if (!sizing.ok) return '';
  switch (sizing.boundBy) {
    case 'method':
      return ` (set by ${sizing.rule})`;
    case 'max_position_size':
      return ` (capped by max position ${formatPctShort(sizing.maxPositionPct)} = ${formatUsd(sizing.maxPositionDollars)}; ${sizing.rule} alone gives ${sizing.methodQuantity.toFixed()})`;
    case 'buying_power':
      return ` (capped by buying power ${formatUsd(sizing.buyingPower)}; ${sizing.rule} alone gives ${sizing.methodQuantity.toFixed()})`;
  }
}

/** `0.80 stated → 0.58 calibrated over 64 trades · reward:risk 2.00 stated → 1.45`: what calibrated_kelly sized on. */
export function calibrationLine(c: CalibrationEstimate): string {
  const over = c.trades === 0 ? '(no closed trades yet)' : `over ${c.trades} trade${c.trades === 1 ? '' : 's'}`;
  return `${c.statedConfidence.toFixed(2)} stated → ${c.probability.toFixed(2)} calibrated ${over} · reward:risk ${c.statedRewardRisk.toFixed(2)} stated → ${c.rewardRisk.toFixed(2)}`;
}

function signalFields(s: StoredSignal, preview: SignalPreview | null) {
  const risk = s.entryPrice.minus(s.stopLossPrice).abs();
  const rr = s.takeProfitPrice.minus(s.entryPrice).abs().div(risk);
  return [
    { name: 'Entry', value: formatUsd(s.entryPrice), inline: true },
    { name: 'Stop', value: formatUsd(s.stopLossPrice), inline: true },
    { name: 'Target', value: formatUsd(s.takeProfitPrice), inline: true },
    { name: 'Reward:risk', value: formatNumber(rr, 2), inline: true },
    { name: 'Confidence', value: formatPct(s.confidence, 0), inline: true },
    ...(preview === null
      ? []
      : [
          {
            name: 'Proposed',
            value: preview.quantity
              ? `${preview.quantity.toFixed()} shares, ${preview.dollarsAtRisk ? formatUsd(preview.dollarsAtRisk) : '—'} at risk${sizedBy(preview.sizing)}`
              : `not sizable: ${preview.sizing.ok === false ? preview.sizing.reason : 'no preview'}`,
            inline: false,
          },
          ...(preview.sizing.calibration ? [{ name: 'Calibrated', value: calibrationLine(preview.sizing.calibration), inline: false }] : []),
        ]),
    { name: 'Strategy', value: s.strategy ?? '—', inline: true },
    { name: 'Expires', value: s.expiresAt.toISOString().replace('.000Z', 'Z'), inline: true },
  ];
}

const title = (s: StoredSignal) => `Signal: ${s.action.toUpperCase()} ${s.ticker}`;

/** A pending signal, waiting for a trader. */
export function signalView(s: StoredSignal, preview: SignalPreview | null, autoApproved = false): View {
  return {
    title: title(s),
    description: autoApproved ? `Auto-approved (${s.source}): executing now.` : `From ${s.source} · id ${s.signalId}`,
    fields: signalFields(s, preview),
    tone: 'info',
    footer: `signal ${s.signalId}`,
    buttons: buttons(s.signalId, autoApproved || s.status !== 'pending'),
  };
}

/** The signal message after its decision: outcome shown, buttons disabled. */
export function decidedSignalView(outcome: Exclude<ApprovalOutcome, { kind: 'unknown' }>, preview: SignalPreview | null = null): View {
  const s = outcome.signal;
  const when = s.decidedAt ? ` at ${s.decidedAt.toISOString().replace('.000Z', 'Z')}` : '';
  let status: string;
  let tone: View['tone'];
  switch (outcome.kind) {
    case 'executed': {
      const o = outcome.result.order;
      status = `Approved by ${s.decidedBy ?? '?'}${when}: ${o?.status === 'filled' ? 'filled' : 'working'}, ${o?.side} ${outcome.result.quantity?.toFixed()} ${s.ticker}${o?.filledAvgPrice ? ` @ ${formatUsd(o.filledAvgPrice)}` : ''} (order ${o?.orderId})`;
      tone = 'success';
      break;
    }
    case 'failed':
      status = `Approved by ${s.decidedBy ?? '?'}${when}, but ${outcome.result.pending ? 'the broker did not confirm' : 'refused'}: ${outcome.result.errorMessage}`;
      tone = 'danger';
      break;
    case 'rejected':
      status = `Rejected by ${s.decidedBy ?? '?'}${when}`;
      tone = 'neutral';
      break;
    case 'expired':
      status = `Expired${when}: not approved within the time allowed`;
      tone = 'neutral';
      break;
    case 'refused':
      status = `Not approved: ${outcome.reason}`;
      tone = 'warning';
      break;
    case 'already':
      status = alreadyText(s);
      tone = 'neutral';
      break;
  }
  const pending = outcome.kind === 'refused';
  return {
    title: title(s),
    description: status,
    fields: signalFields(s, preview),
    tone,
    footer: `signal ${s.signalId}`,
    buttons: buttons(s.signalId, !pending),
  };
}

/** What a late click is told. */
export function alreadyText(s: StoredSignal): string {
  const when = s.decidedAt ? ` at ${s.decidedAt.toISOString().replace('.000Z', 'Z')}` : '';
  const who = s.decidedBy ? ` by ${s.decidedBy}` : '';
  return `Signal ${s.signalId} was already ${s.status}${who}${when}; nothing was done.`;
}

/** The signal message rebuilt from what is stored (a click after a restart, a late second click). */
export function settledSignalView(s: StoredSignal, order: ExecutedOrderRecord | null = null): View {
  const when = s.decidedAt ? ` at ${s.decidedAt.toISOString().replace('.000Z', 'Z')}` : '';
  const by = s.decidedBy ?? '?';
  const filled = order
    ? `${order.status === 'filled' ? 'filled' : 'working'}, ${order.side} ${order.quantity.toFixed()} ${s.ticker}${order.filledAvgPrice ? ` @ ${formatUsd(order.filledAvgPrice)}` : ''} (order ${order.orderId})`
    : `executed (order ${s.orderId ?? '?'})`;
  const texts: Record<StoredSignal['status'], string> = {
    pending: 'Waiting for approval.',
    approved: `Approved by ${by}${when}: executing.`,
    executed: `Approved by ${by}${when}: ${filled}`,
    failed: `Approved by ${by}${when}, but refused: ${s.decisionNote ?? 'see the logs'}`,
    rejected: `Rejected by ${by}${when}.`,
    expired: `Expired${when}: not approved within the time allowed.`,
  };
  return {
    title: title(s),
    description: texts[s.status],
    fields: signalFields(s, null),
    tone: s.status === 'executed' ? 'success' : s.status === 'failed' ? 'danger' : 'neutral',
    footer: `signal ${s.signalId}`,
    buttons: buttons(s.signalId, s.status !== 'pending'),
  };
}
