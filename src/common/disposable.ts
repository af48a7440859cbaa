// Ownership of cleanups: everything that registers a listener or starts something hands back a
// Disposable, and a DisposableStore owns many and releases them together.

export interface Disposable {
  dispose(): void;
}

export function toDisposable(dispose: () => void): Disposable {
  let done = false;
  return {
    dispose() {
      if (!done) {
        done = true;
        dispose();
      }
    },
  };
}

export class DisposableStore implements Disposable {
  private readonly items = new Set<Disposable>();
  private disposed = false;

  add<T extends Disposable>(item: T): T {
    if (this.disposed) {
      item.dispose();
    } else {
      this.items.add(item);
    }
    return item;
  }

  delete(item: Disposable): void {
    this.items.delete(item);
  }

  /** Disposes every item, the newest first; one failing cleanup does not stop the others. */
  dispose(): void {
    this.disposed = true;
    const items = [...this.items].reverse();
    this.items.clear();
    const failures: unknown[] = [];
    for (const item of items) {
      try {
        item.dispose();
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length > 0) {
      throw new AggregateError(failures, 'Some cleanups failed');
    }
  }
}
