/**
 * A one-line progress bar for a terminal: redrawn in place with a carriage
 * return, at most every so often (a replay reports far more often than a
 * person can read), and erased at the end so the output that follows starts
 * on a clean line.
 */

/** `[########------------]  40% 400/1000 bars`, fitted to `width` columns (the bar shrinks first). */
export function progressText(done: number, total: number, width: number, unit: string): string {
  const shown = Math.max(0, Math.min(done, total));
  const ratio = total > 0 ? shown / total : 1;
  const percent = `${Math.floor(ratio * 100)}%`.padStart(4);
  // The count padded to the total's digits: the bar keeps its length as the count grows.
  const tail = ` ${percent} ${String(shown).padStart(String(total).length)}/${total} ${unit}`;
  const room = width - tail.length - 2;
  if (room < 4) return tail.trimStart().slice(0, Math.max(0, width));
  const bar = Math.min(room, 40);
  const filled = Math.floor(ratio * bar);
  return `[${'#'.repeat(filled)}${'-'.repeat(bar - filled)}]${tail}`;
}

/** Where the bar is drawn: a terminal stream (its width read on each draw, since a window may be resized). */
export interface ProgressStream {
  write(text: string): unknown;
  columns?: number;
}

export interface ProgressBar {
  update(done: number, total: number): void;
  /** Erases the line; the bar draws nothing more. */
  end(): void;
}

export const REDRAW_MS = 200;

/** A bar on `stream`, redrawn at most every REDRAW_MS (the last figure, done = total, always drawn). */
export function createProgressBar(stream: ProgressStream, unit: string, now: () => number = Date.now): ProgressBar {
  let last = Number.NEGATIVE_INFINITY;
  let drawn = false;
  let ended = false;
  return {
    update(done, total) {
      if (ended) return;
      const t = now();
      if (t - last < REDRAW_MS && done < total) return;
      last = t;
      drawn = true;
      // A terminal of unknown size (a pseudo-terminal may report 0 columns) is taken as 80 wide.
      const columns = stream.columns !== undefined && stream.columns > 0 ? stream.columns : 80;
      // One column short of the width: a line that fills it wraps on some terminals.
      stream.write(`\r${progressText(done, total, columns - 1, unit)}\x1b[K`);
    },
    end() {
      if (ended) return;
      ended = true;
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}
