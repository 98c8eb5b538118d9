/** Autocomplete suggestions shared by commands that act on an open position (/close, /modify). */
import type { Choice, FocusedOption, FrontEndServices } from './command.js';

/** The open positions whose ticker starts with what is typed (Discord shows at most 25). */
export async function openPositionChoices(app: FrontEndServices, focused: FocusedOption): Promise<Choice[]> {
  const typed = focused.value.trim().toUpperCase();
  return (await app.operator.openPositions())
    .filter((p) => p.ticker.startsWith(typed))
    .slice(0, 25)
    .map((p) => ({ name: `${p.ticker} (${p.side} ${p.quantity.toFixed()})`, value: p.ticker }));
}
