// A one-consumer async queue: the scheduler pushes a request's events, the HTTP handler
// iterates them. Closing ends the iteration; failing makes the iterator throw. A consumer that
// cannot wait a microtask per item (the engine thread forwarding events) listens instead.

export class Channel<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private waiting: ((r: IteratorResult<T>) => void) | null = null;
  private rejectWaiting: ((e: unknown) => void) | null = null;
  private closed = false;
  private error: unknown = null;
  private listener: { item: (item: T) => void; end: (error: unknown) => void } | null = null;

  push(item: T): void {
    if (this.closed) return;
    if (this.listener) this.listener.item(item);
    else if (this.waiting) {
      const w = this.waiting;
      this.waiting = this.rejectWaiting = null;
      w({ value: item, done: false });
    } else this.items.push(item);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.listener?.end(null);
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = this.rejectWaiting = null;
      w({ value: undefined, done: true });
    }
  }

  fail(e: unknown): void {
    if (this.closed) return;
    this.error = e;
    this.closed = true;
    this.listener?.end(e);
    if (this.rejectWaiting) {
      const r = this.rejectWaiting;
      this.waiting = this.rejectWaiting = null;
      r(e);
    }
  }

  /**
   * Delivers every item synchronously as it is pushed (those already queued at once), then
   * `end` once: with null when closed, the error when failed. Instead of iterating, not both.
   */
  listen(item: (item: T) => void, end: (error: unknown) => void): void {
    for (const queued of this.items.splice(0)) item(queued);
    if (this.closed) end(this.error);
    else this.listener = { item, end };
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => {
        if (this.items.length) return Promise.resolve({ value: this.items.shift()!, done: false });
        if (this.error) return Promise.reject(this.error);
        if (this.closed) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve, reject) => {
          this.waiting = resolve;
          this.rejectWaiting = reject;
        });
      },
    };
  }
}
