// Runners seen frozen (a streamed reply stalled, or no headers within the timeout), counted in
// this isolate only like load.ts. Routing tries them last for UNHEALTHY_MS instead of sending
// the next conversation turn into the same hang; a runner that completes a reply is healthy
// again at once. Never removed outright: when every runner is marked, they are still tried.

/** How long a frozen runner goes to the back of every routing order. */
export const UNHEALTHY_MS = 60_000;

const unhealthyUntil = new Map<string, number>();

export function markUnhealthy(runner: string, now = Date.now()): void {
  unhealthyUntil.set(runner, now + UNHEALTHY_MS);
}

export function markHealthy(runner: string): void {
  unhealthyUntil.delete(runner);
}

export function isHealthy(runner: string, now = Date.now()): boolean {
  const until = unhealthyUntil.get(runner);
  if (until === undefined) return true;
  if (until > now) return false;
  unhealthyUntil.delete(runner);
  return true;
}

/** `order` with the unhealthy runners moved to the end, both groups in their given order. */
export function healthyFirst(order: readonly string[], now = Date.now()): string[] {
  const healthy = order.filter((runner) => isHealthy(runner, now));
  return [...healthy, ...order.filter((runner) => !healthy.includes(runner))];
}
