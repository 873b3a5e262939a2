// A misconfigured edge serves nothing: every request, public or not, answers 500 naming the
// bad variables (never their values), and the queue consumers leave their messages for a retry.
import { describe, expect, it } from "vitest";
import { BATCH_QUEUE_NAME } from "../src/batches/messages";
import { ADMIN_TOKEN, Edge } from "./helpers/edge";
import { delivery, runQueue } from "./helpers/queues";

describe("a bad configuration", () => {
  it("answers every request with a 500 naming the variables", async () => {
    const edge = new Edge({ env: { RATE_LIMIT_BURST: "lots", RUNNER_SECRET: "short-secret" } });
    for (const [path, init] of [
      ["/healthz", {}],
      ["/v1/models", { headers: { authorization: "Bearer mmgpt_sk_x" } }],
      ["/v1/admin/api_keys", { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }],
    ] as const) {
      const res = await edge.fetch(path, init);
      expect(res.status, path).toBe(500);
      const { error } = (await res.json()) as { error: { code: string; message: string; request_id: string } };
      expect(error.code).toBe("internal_error");
      expect(error.message).toContain("RUNNER_SECRET, RATE_LIMIT_BURST");
      expect(error.message).not.toContain("short-secret");
      expect(error.request_id).toBe(res.headers.get("x-request-id"));
      expect(res.headers.get("x-should-retry"), "a retry cannot fix the variables").toBe("false");
    }
  });

  it("leaves queue messages for a retry instead of running them", async () => {
    const edge = new Edge({ env: { BATCH_CONCURRENCY: "0" } });
    const message = delivery({ batch_id: "batch_x", line: 1 });
    const result = await runQueue(edge.worker, edge.env, BATCH_QUEUE_NAME, [message]).catch((e: Error) => e);
    expect(result).toBeInstanceOf(Error);
    expect((result as Error).message).toContain("BATCH_CONCURRENCY");
    expect(edge.runners.get().calls).toEqual([]);
  });
});
