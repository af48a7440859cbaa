// A typed event emitter whose subscriptions are Disposables, so every listener has an owner.
import { Disposable, toDisposable } from './disposable';

export type Listener<T> = (value: T) => void;

export class Emitter<T> {
  private readonly listeners = new Set<Listener<T>>();

  /** Subscribe; dispose the result to unsubscribe. */
  readonly event = (listener: Listener<T>): Disposable => this.subscribe(listener);

  protected subscribe(listener: Listener<T>): Disposable {
    this.listeners.add(listener);
    return toDisposable(() => this.listeners.delete(listener));
  }

  fire(value: T): void {
    for (const listener of [...this.listeners]) {
      listener(value);
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}

/**
 * An emitter that keeps what it fires before anyone has subscribed, and gives it to the first
 * subscriber: for what a producer may tell before its consumer could subscribe.
 */
export class HeldEmitter<T> extends Emitter<T> {
  private heard = false;
  private readonly held: T[] = [];

  override readonly event = (listener: Listener<T>): Disposable => {
    const subscription = this.subscribe(listener);
    this.heard = true;
    for (const value of this.held.splice(0)) {
      listener(value);
    }
    return subscription;
  };

  override fire(value: T): void {
    if (this.heard) {
      super.fire(value);
    } else {
      this.held.push(value);
    }
  }
}

/**
 * Resolves true once `event` fires with a value `accept` takes, or false after `milliseconds`;
 * the listener goes either way.
 */
export function firedWithin<T>(event: (listener: Listener<T>) => Disposable, milliseconds: number, accept: (value: T) => boolean = () => true): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (fired: boolean): void => {
      clearTimeout(timer);
      subscription.dispose();
      resolve(fired);
    };
    const timer = setTimeout(() => done(false), milliseconds);
    const subscription = event((value) => accept(value) && done(true));
  });
}
