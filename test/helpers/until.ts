/** Polls `read` until it gives a value (not null or undefined); fails after `timeoutMs`. */
export async function until<T>(read: () => T | undefined | null, timeoutMs = 3000, everyMs = 10): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined && value !== null) return value;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
