// Maps whose changes can be undone back to a mark: the incremental diagram builder (builder.ts)
// rewinds its state when an event arrives out of time order, without copying maps that grow with
// the number of connections. Pure data.

interface Change {
  map: Map<unknown, unknown>;
  key: unknown;
  had: boolean;
  old: unknown;
}

export class UndoJournal {
  private changes: Change[] = [];
  /** How many changes were dropped from the front (`trim`): marks stay absolute. */
  private dropped = 0;

  /** A point to come back to with `undoTo`. */
  mark(): number {
    return this.dropped + this.changes.length;
  }

  /** Whether `mark` can still be undone to (not trimmed away). */
  reaches(mark: number): boolean {
    return mark >= this.dropped;
  }

  set<K, V>(map: Map<K, V>, key: K, value: V): void {
    this.changes.push({ map: map as Map<unknown, unknown>, key, had: map.has(key), old: map.get(key) });
    map.set(key, value);
  }

  /** Undoes every change made since `mark`, newest first. */
  undoTo(mark: number): void {
    if (!this.reaches(mark)) throw new Error(`E_DIAGRAM_JOURNAL: cannot undo to ${mark}: trimmed up to ${this.dropped}`);
    while (this.dropped + this.changes.length > mark) {
      const change = this.changes.pop() as Change;
      if (change.had) change.map.set(change.key, change.old);
      else change.map.delete(change.key);
    }
  }

  /** Forgets the changes before `mark`: they can no longer be undone. */
  trim(mark: number): void {
    const count = Math.min(this.changes.length, mark - this.dropped);
    if (count <= 0) return;
    this.changes.splice(0, count);
    this.dropped += count;
  }

  clear(): void {
    this.changes = [];
    this.dropped = 0;
  }
}
