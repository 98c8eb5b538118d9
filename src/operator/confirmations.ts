/**
 * Actions that wait for a Confirm click (/flatten, live /buy and /sell):
 * held in memory for 60 seconds, for the person who asked. A restart forgets
 * them, which is the safe direction: the action is asked for again.
 */
import { randomUUID } from 'node:crypto';
import type { View } from '../views/view.js';

export const CONFIRM_TTL_MS = 60_000;

interface Pending {
  actorId: string;
  description: string;
  expiresAt: number;
  run: () => Promise<View>;
}

export type ConfirmOutcome = { kind: 'run'; view: View } | { kind: 'expired' | 'unknown' } | { kind: 'not_yours'; description: string };

export class Confirmations {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  /** Registers an action; returns the token its Confirm button carries. */
  request(actorId: string, description: string, run: () => Promise<View>): string {
    this.sweep();
    const token = randomUUID().slice(0, 18);
    this.pending.set(token, { actorId, description, run, expiresAt: this.now().getTime() + CONFIRM_TTL_MS });
    return token;
  }

  /** The newest unexpired token of an actor (the console's bare `confirm`). */
  newestFor(actorId: string): string | null {
    this.sweep();
    const mine = [...this.pending.entries()].filter(([, p]) => p.actorId === actorId);
    return mine.at(-1)?.[0] ?? null;
  }

  /** Runs the action once: a token is used up by its first confirmation. */
  async confirm(token: string, actorId: string): Promise<ConfirmOutcome> {
    const pending = this.pending.get(token);
    if (!pending) return { kind: 'unknown' };
    if (pending.expiresAt <= this.now().getTime()) {
      this.pending.delete(token);
      return { kind: 'expired' };
    }
    if (pending.actorId !== actorId) return { kind: 'not_yours', description: pending.description };
    this.pending.delete(token);
    return { kind: 'run', view: await pending.run() };
  }

  private sweep(): void {
    const now = this.now().getTime();
    for (const [token, p] of this.pending) if (p.expiresAt <= now) this.pending.delete(token);
  }
}
