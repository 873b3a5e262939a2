// A one-consumer async queue: the scheduler pushes a request's events, the HTTP handler (or the
// engine thread forwarding them) iterates them. Closing ends the iteration; failing makes the
// iterator throw.

export class Channel<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private waiting: ((r: IteratorResult<T>) => void) | null = null;
  private rejectWaiting: ((e: unknown) => void) | null = null;
  private closed = false;
  private error: unknown = null;

  push(item: T): void {
    if (this.closed) return;
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = this.rejectWaiting = null;
      w({ value: item, done: false });
    } else this.items.push(item);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
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
    if (this.rejectWaiting) {
      const r = this.rejectWaiting;
      this.waiting = this.rejectWaiting = null;
      r(e);
    }
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
