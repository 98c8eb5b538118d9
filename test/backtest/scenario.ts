/**
 * The hand-computed backtest scenario shared by the replay and CLI tests:
 * three symbols over five daily bars, five signals.
 *
 * Costs: 10 bps slippage on market and stop fills, $0.01 a share. Sizing:
 * `percent`, each signal asking for 5% of equity.
 *
 * - s1 AAA: signal after the 01-02 close; market entry at the 01-03 open
 *   100 → 100.10; the 01-04 high 111 reaches the 110 target (a limit: no
 *   slippage). 50 × (110 − 100.10) − 0.50 − 0.50 = 494.
 * - s2 BBB: equity after 01-03 is 94,994.50 cash + 50 × 103 = 100,144.50, 5% of
 *   it over 50 is 100 shares; entry at the 01-04 open 50 → 50.05; 01-05 opens
 *   at 47, through the 48 stop: filled at the open less slippage, 46.953 →
 *   46.95. 100 × (46.95 − 50.05) − 1 − 1 = −312.
 * - s3 CCC: 5,007.225 / 20 = 250 shares; entry at the 01-04 open 20 → 20.02;
 *   the same bar's low 18.5 reaches the 19 stop: 19 less slippage is 18.981
 *   → 18.98. 250 × (18.98 − 20.02) − 2.50 − 2.50 = −265.
 * - s4 AAA: equity after 01-05 is 100,000 + 494 − 312 − 265 = 99,917; 5% over
 *   108 is 46 shares; entry at the 01-08 open 109 → 109.109 → 109.11; still
 *   open at the end, marked at the 109.50 close: 46 × 0.39 − 0.46 = 17.48.
 * - s5 CCC: 0.01% of equity is under one share: refused by sizing.
 *
 * Equity at each close: 100,000; 100,144.50; 95,223 + 4,900 = 100,123;
 * 99,917; 94,897.48 + 46 × 109.50 = 99,934.48.
 */
export const SCENARIO_BARS = `symbol,timestamp,open,high,low,close,volume
AAA,2024-01-02,99,101,98,100,1000
BBB,2024-01-02,50,51,49,50,1000
CCC,2024-01-02,20,20.5,19.5,20,1000
AAA,2024-01-03,100,104,99,103,1000
BBB,2024-01-03,50,51,49,50,1000
CCC,2024-01-03,20,20.5,19.5,20,1000
AAA,2024-01-04,103,111,102,108,1000
BBB,2024-01-04,50,51,48.5,49,1000
CCC,2024-01-04,20,20.4,18.5,19.2,1000
AAA,2024-01-05,108,109,107,108,1000
BBB,2024-01-05,47,47.5,46,46.5,1000
CCC,2024-01-05,19,19.5,18.8,19.2,1000
AAA,2024-01-08,109,110,108,109.5,1000
BBB,2024-01-08,46,47,45.5,46.8,1000
CCC,2024-01-08,19,19.5,18.8,19.4,1000
`;

export const SCENARIO_SIGNALS = `signal_id,ticker,timestamp,action,confidence,current_price,stop_loss_price,take_profit_price,position_size_pct
s1,AAA,2024-01-02T21:00:00Z,buy,0.6,100,95,110,0.05
s2,BBB,2024-01-03T21:00:00Z,buy,0.6,50,48,56,0.05
s3,CCC,2024-01-03T21:00:00Z,buy,0.6,20,19,23,0.05
s4,AAA,2024-01-05T21:00:00Z,buy,0.6,108,100,120,0.05
s5,CCC,2024-01-05T21:00:00Z,buy,0.6,19.2,18,22,0.0001
`;
