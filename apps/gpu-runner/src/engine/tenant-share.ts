// Which queued request joins the decode batch next, as a pure function (the engine's loop calls
// it): no account may occupy the runner. Each tenant holds at most `tenantRows` rows (sampling
// choices and beam rows alike), so the rest of the batch stays open to others however much one
// tenant queues; among the tenants under their share, the one holding the fewest rows goes
// first (ties: the oldest request), so a newcomer is not served after everyone else's backlog.
// The choice waits, rather than passing to a smaller request, when its rows are not free yet:
// a wide request (beam search, n choices) is delayed by the rows in use, never starved.

export interface QueuedWork {
  tenant: string;
  /** Decode rows the request takes once admitted (its choices, or its beams). */
  rows: number;
}

export interface ShareLimits {
  /** Rows of the batch no request holds now. */
  freeRows: number;
  /** Rows one tenant may hold at once. */
  tenantRows: number;
}

/** Index in `queue` of the request to admit now, or -1 to wait for rows to free. */
export function nextAdmission(
  queue: readonly QueuedWork[],
  rowsInUse: ReadonlyMap<string, number>,
  limits: ShareLimits,
): number {
  let pick = -1;
  let pickUse = Number.POSITIVE_INFINITY;
  for (let i = 0; i < queue.length; i++) {
    const { tenant, rows } = queue[i];
    const use = rowsInUse.get(tenant) ?? 0;
    if (use + rows > limits.tenantRows) continue; // at its share: this tenant's requests wait
    if (use < pickUse) {
      pick = i;
      pickUse = use;
    }
  }
  return pick >= 0 && queue[pick].rows <= limits.freeRows ? pick : -1;
}
