/**
 * Who is told of a value, and a state that tells when it changes: the
 * plumbing every stream and event source shares. A listener that throws
 * stops neither the others nor whoever told them (a failing alert sink must
 * not stop a stream).
 */
export class Listeners<T> {
  private readonly set = new Set<(value: T) => void>();

  /** Adds a listener; returns what removes it. */
  add(listener: (value: T) => void): () => void {
    this.set.add(listener);
    return () => {
      this.set.delete(listener);
    };
  }

  emit(value: T): void {
    for (const listener of this.set) {
      try {
        listener(value);
      } catch {
        // See the module comment: one failing listener is its own problem.
      }
    }
  }

  get size(): number {
    return this.set.size;
  }
}

/** A value whose listeners are told each time it changes to another value (never on a repeat). */
export class StateCell<S> {
  private readonly listeners = new Listeners<S>();

  constructor(private value: S) {}

  get(): S {
    return this.value;
  }

  set(value: S): void {
    if (value === this.value) return;
    this.value = value;
    this.listeners.emit(value);
  }

  onChange(listener: (value: S) => void): () => void {
    return this.listeners.add(listener);
  }
}
