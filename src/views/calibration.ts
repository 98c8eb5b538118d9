/** /calibration: each strategy's stated confidence against its record, and what calibrated sizing would use. */
import type { CalibrationReport, StrategyCalibration } from '../app/OperatorService.js';
import type { View, ViewField } from './view.js';

/** Strategies shown in one answer (each takes two fields and its table); the rest are counted in the footer. */
export const CALIBRATION_VIEW_STRATEGIES = 5;

const p2 = (v: number) => v.toFixed(2);
const p4 = (v: number) => v.toFixed(4);
const pct1 = (v: number) => `${(v * 100).toFixed(1)}%`;

export const strategyName = (s: Pick<StrategyCalibration, 'strategy'>): string => s.strategy ?? '(no strategy)';

/** The reliability table as fixed-width text: one row per confidence bin. */
export function reliabilityText(s: StrategyCalibration): string {
  const rows = s.table.map(
    (b) =>
      `${p2(b.from)}–${p2(b.to)}  ${p2(b.stated).padStart(6)}  ${p2(b.realized).padStart(8)}  ${p2(b.calibrated).padStart(10)}  ${String(b.trades).padStart(6)}`,
  );
  return ['```', 'bin        stated  realized  calibrated  trades', ...rows, '```'].join('\n');
}

function summary(s: StrategyCalibration, minTrades: number): string {
  const basis =
    s.basis === 'isotonic'
      ? `isotonic map (${s.trades} ≥ ${minTrades} trades)`
      : `Beta-binomial rate (${s.trades} < ${minTrades} trades: the map comes at ${minTrades})`;
  const rr =
    s.realizedRewardRisk === null || s.avgWinPct === null || s.avgLossPct === null
      ? 'reward:risk: the signal’s own (no wins or no losses yet)'
      : `realized reward:risk ${p2(s.realizedRewardRisk)} (average win ${pct1(s.avgWinPct)}, average loss ${pct1(s.avgLossPct)})`;
  return [
    `${s.trades} trades, ${s.wins} won (${pct1(s.wins / s.trades)}) · ${basis}`,
    `Brier ${p4(s.stated.brier)} stated → ${p4(s.calibrated.brier)} calibrated · log loss ${p4(s.stated.logLoss)} → ${p4(s.calibrated.logLoss)}`,
    `Sizing would use: ${s.grid.map((g) => `${p2(g.stated)} → ${p2(g.calibrated)}`).join(' · ')}`,
    rr,
  ].join('\n');
}

export function calibrationView(report: CalibrationReport, strategy?: string): View {
  const shown = report.strategies.slice(0, CALIBRATION_VIEW_STRATEGIES);
  const fields: ViewField[] = shown.flatMap((s) => [
    { name: strategyName(s), value: summary(s, report.minTrades), inline: false },
    { name: `${strategyName(s)}: reliability`, value: reliabilityText(s), inline: false },
  ]);
  const hidden = report.strategies.length - shown.length;
  const notes = [
    `Scores are in-sample. The stated value counts as ${report.priorTrades} trades.`,
    `SIZING_METHOD=${report.sizingMethod}${report.sizingMethod === 'calibrated_kelly' ? '' : ' (calibrated_kelly would size on these values)'}.`,
    ...(hidden > 0 ? [`+${hidden} more strateg${hidden === 1 ? 'y' : 'ies'}: name one with strategy.`] : []),
  ];
  return {
    title: strategy === undefined ? 'Calibration' : `Calibration: ${strategy}`,
    description:
      report.strategies.length === 0
        ? `No closed trades linked to signals${strategy === undefined ? '' : ` for strategy ${strategy}`} yet: sizing uses the stated confidence until there are.`
        : 'Stated confidence against the realized win rate of closed trades, and the calibrated values sizing would use.',
    fields,
    tone: 'info',
    footer: notes.join(' '),
  };
}
