// Keeps a conversation's generation lock alive while its reply is: renews the lease three times
// per lease period, so one lost renewal does not lose the lock, and a holder that dies (the
// timer dies with it) leaves a lock that lapses within one GENERATION_LEASE_MS.
import type { ConversationDO } from "./conversation-do";

/** Starts renewing; the returned function stops (idempotent). Stops by itself once the lock is lost. */
export function keepLease(stub: DurableObjectStub<ConversationDO>, generationId: string, leaseMs: number): () => void {
  const timer = setInterval(
    () => {
      stub
        .renew(generationId, leaseMs)
        .then((held) => {
          if (!held) clearInterval(timer);
        })
        // A failed renewal is retried at the next tick; two more come before the lease runs out.
        .catch(() => {});
    },
    Math.max(1, Math.floor(leaseMs / 3)),
  );
  return () => clearInterval(timer);
}
