/**
 * The daily report's equity chart: the shared equity chart (the backtest
 * draws the same one), here for the monitor and the commands, which load it
 * on the first chart, not at start-up.
 */
export * from '../chart/equityChart.js';
export * from '../chart/reliabilityChart.js';
