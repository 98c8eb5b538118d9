/** Snowflake-like ids: milliseconds since the Discord epoch << 22, then a counter; strictly increasing. */
const DISCORD_EPOCH = 1420070400000n;
let last = 0n;

export function snowflake(now: number = Date.now()): string {
  let id = (BigInt(now) - DISCORD_EPOCH) << 22n;
  if (id <= last) id = last + 1n;
  last = id;
  return id.toString();
}

/** When the snowflake was made, in ms since the Unix epoch. */
export function snowflakeTime(id: string): number {
  return Number((BigInt(id) >> 22n) + DISCORD_EPOCH);
}
