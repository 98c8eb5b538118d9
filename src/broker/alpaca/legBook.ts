/**
 * Which bracket each leg belongs to. Alpaca names a leg's parent only by
 * nesting it (in order listings and bracket answers); a leg fetched alone,
 * streamed in a trade update or answered by a PATCH comes without it. The
 * adapter notes every nesting it sees, so those orders still carry their
 * parent and their role.
 */
import type { Order } from '../../domain/order.js';

export interface LegParent {
  id: string;
  orderClass: string;
}

/** Legs remembered; the oldest go first (a leg is looked up while its bracket is open). */
const CAPACITY = 10_000;

export class LegBook {
  private readonly parents = new Map<string, LegParent>();

  parentOf(id: string): LegParent | null {
    return this.parents.get(id) ?? null;
  }

  /** Notes the legs of `order` (and of its legs). */
  learn(order: Order): void {
    for (const leg of order.legs) {
      this.note(leg.id, { id: order.id, orderClass: order.orderClass });
      this.learn(leg);
    }
  }

  /** `replacement` took the place of `replaced`: it has the same parent. */
  replaced(replaced: string, replacement: string): void {
    const parent = this.parents.get(replaced);
    if (parent) this.note(replacement, parent);
  }

  private note(id: string, parent: LegParent): void {
    this.parents.delete(id);
    this.parents.set(id, parent);
    if (this.parents.size > CAPACITY) {
      const oldest = this.parents.keys().next().value;
      if (oldest !== undefined) this.parents.delete(oldest);
    }
  }
}
