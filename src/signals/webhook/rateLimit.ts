/** A token bucket per source: `perMinute` requests a minute, in bursts of up to that many. */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** 0 when allowed (and counted), else the milliseconds until one more request is. */
  take(source: string): number {
    const now = this.now();
    const refill = this.perMinute / 60_000;
    if (this.buckets.size > 10_000) this.prune(now);
    const bucket = this.buckets.get(source) ?? { tokens: this.perMinute, at: now };
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + (now - bucket.at) * refill);
    bucket.at = now;
    this.buckets.set(source, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - bucket.tokens) / refill);
  }

  /** Forgets sources idle long enough to be back to a full bucket (memory stays bounded). */
  private prune(now: number): void {
    for (const [source, b] of this.buckets) if (now - b.at >= 60_000) this.buckets.delete(source);
  }
}
