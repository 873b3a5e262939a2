// In-flight generations per runner, counted in this isolate only: a cheap, local view of
// load that is good enough to spread stateless requests (no coordination between isolates).
const inFlight = new Map<string, number>();

export function loadOf(runner: string): number {
  return inFlight.get(runner) ?? 0;
}

/** Counts one request on `runner`; the returned function ends it (idempotent). */
export function acquire(runner: string): () => void {
  inFlight.set(runner, loadOf(runner) + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const n = loadOf(runner) - 1;
    if (n > 0) inFlight.set(runner, n);
    else inFlight.delete(runner);
  };
}

/** Runners by ascending load; ties in random order so equal runners share the work. */
export function leastLoadedOrder(runners: readonly string[]): string[] {
  return runners
    .map((runner) => ({ runner, load: loadOf(runner), tie: Math.random() }))
    .sort((a, b) => a.load - b.load || a.tie - b.tie)
    .map((s) => s.runner);
}
