// The runner's HTTP service (Hono): the internal protocol of @mmgpt/schema/internal over the
// engine. Health is open; everything else needs the edge's shared secret and protocol
// version. Errors are the protocol's RunnerErrorBody, rendered in one place.
import { createHash } from "node:crypto";
import {
  GenerateRequest,
  ImageParams,
  INTERNAL_PATHS,
  NDJSON_CONTENT_TYPE,
  PREPROCESSED_IMAGE_BYTES,
  PROMETHEUS_CONTENT_TYPE,
  PROTOCOL_HEADER,
  PROTOCOL_VERSION,
  REQUEST_ID_HEADER,
  RUNNER_ERROR_STATUS,
  routingPath,
  TENANT_HEADER,
  TenantKey,
} from "@mmgpt/schema/internal";
import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { EngineError } from "../engine/errors.js";
import type { EngineEvent } from "../engine/job.js";
import type { EngineHost } from "../engine-host/engine-host.js";
import { bearerSecret } from "./auth.js";
import { MAX_GENERATE_BODY_BYTES, readBoundedBody } from "./bounded-body.js";
import type { Logger } from "./logger.js";

export interface AppState {
  /** The engines (base model, then LoRA adapters); null while the model loads. */
  host: EngineHost | null;
  draining: boolean;
  inFlight: number;
}

export interface AppOptions {
  secret: string;
  logger: Logger;
  logPrompts: boolean;
}

const errorBody = (e: EngineError) => ({ error: { code: e.code, message: e.message, ...e.details } });

export function createApp(state: AppState, opts: AppOptions): Hono {
  const app = new Hono();

  app.onError((err, c) => {
    const e = err instanceof EngineError ? err : new EngineError("internal", "internal error");
    if (!(err instanceof EngineError)) opts.logger.error("unhandled error", { error: String(err?.stack ?? err) });
    // Overload and warm-up are transient: tell the edge when to come back.
    if (e.code === "overloaded" || e.code === "not_ready") c.header("retry-after", "1");
    return c.json(errorBody(e), RUNNER_ERROR_STATUS[e.code] as ContentfulStatusCode);
  });
  app.notFound((c) =>
    c.json({ error: { code: "invalid_request", message: `no route ${c.req.method} ${c.req.path}` } }, 404),
  );

  app.get(INTERNAL_PATHS.healthz, (c) => c.json({ status: "ok", protocol: PROTOCOL_VERSION }));
  app.get(INTERNAL_PATHS.readyz, (c) => {
    const ready = state.host !== null && !state.draining;
    return c.json({ status: ready ? "ready" : "loading", models: modelIds() }, ready ? 200 : 503);
  });

  app.use("*", bearerSecret(opts.secret));
  app.use("*", async function protocolVersion(c, next) {
    const v = c.req.header(PROTOCOL_HEADER);
    if (v !== String(PROTOCOL_VERSION)) {
      throw new EngineError("protocol_mismatch", `${PROTOCOL_HEADER} must be ${PROTOCOL_VERSION} (got ${v ?? "none"})`);
    }
    await next();
  });

  // Which model a request names is the host's to check (submit: model_not_found).
  const hostOf = (): EngineHost => {
    const host = state.host;
    if (!host) throw new EngineError("not_ready", "the model is still loading");
    if (state.draining) throw new EngineError("not_ready", "the runner is shutting down");
    return host;
  };
  const modelIds = () => state.host?.models ?? [];

  app.get(INTERNAL_PATHS.metrics, async (c) => {
    const text = state.host ? await state.host.metrics({ mmgpt_in_flight_requests: state.inFlight }) : "";
    return c.body(text, 200, { "content-type": PROMETHEUS_CONTENT_TYPE });
  });

  app.get(INTERNAL_PATHS.models, (c) =>
    c.json({
      models: modelIds().map((id) => ({ id, context_length: state.host?.contextLength ?? 0, vision: true })),
    }),
  );

  const image = routingPath(INTERNAL_PATHS.image);
  const sha = (c: { req: { param(n: string): string } }) => {
    const p = ImageParams.safeParse({ sha256: c.req.param("sha256") });
    if (!p.success) throw new EngineError("image_invalid", "the image path must end in a lowercase hex sha256");
    return p.data.sha256;
  };
  // Images are kept per tenant: a call without the tenant's key is refused.
  const tenantOf = (c: { req: { header(n: string): string | undefined } }) => {
    const t = TenantKey.safeParse(c.req.header(TENANT_HEADER));
    if (!t.success) throw new EngineError("invalid_request", `${TENANT_HEADER}: ${t.error.issues[0].message}`);
    return t.data;
  };
  // Hono answers HEAD through the GET route (without a body).
  app.get(image, async (c) => c.body(null, (await hostOf().hasImage(tenantOf(c), sha(c))) ? 200 : 404));
  app.put(image, async (c) => {
    const tenant = tenantOf(c);
    const hash = sha(c);
    const body = await readBoundedBody(
      c.req.raw,
      PREPROCESSED_IMAGE_BYTES,
      () => new EngineError("image_invalid", `an image body is ${PREPROCESSED_IMAGE_BYTES} bytes`),
    );
    const actual = createHash("sha256").update(body).digest("hex");
    if (actual !== hash) throw new EngineError("image_invalid", `body hashes to ${actual}, not ${hash}`);
    // Every served model may need the pixels (their media K/V differ: to_kv carries LoRA).
    await hostOf().putImage(tenant, hash, body);
    return c.body(null, 204);
  });

  app.post(INTERNAL_PATHS.generate, async (c) => {
    const host = hostOf();
    // Bounded before parsing: a body this large is text that cannot fit any context.
    const bytes = await readBoundedBody(
      c.req.raw,
      MAX_GENERATE_BODY_BYTES,
      () =>
        new EngineError(
          "context_length_exceeded",
          `the request is over ${MAX_GENERATE_BODY_BYTES} bytes: its prompt cannot fit the context`,
        ),
    );
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      throw new EngineError("invalid_request", "the body is not valid JSON");
    }
    const parsed = GenerateRequest.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new EngineError("invalid_request", `${issue.path.join(".") || "body"}: ${issue.message}`);
    }
    const req = parsed.data;
    const requestId = c.req.header(REQUEST_ID_HEADER) ?? req.request_id;
    const job = await host.submit(req.model, req);
    state.inFlight++;
    const t0 = performance.now();
    const log = (e: EngineEvent | null, error?: EngineError) =>
      opts.logger.info("generate", {
        request_id: requestId,
        conversation_id: req.conversation_id,
        ...(e?.type === "done" ? { finish_reason: e.finish_reason, ...e.usage } : {}),
        ...(error ? { error: error.code } : {}),
        ...(opts.logPrompts && e?.type === "done" ? { prompt: e.prompt } : {}),
        ms: Math.round(performance.now() - t0),
        cancelled: job.cancelled,
      });
    // The client going away (edge aborted) cancels the generation and frees its row.
    const onAbort = () => job.cancel();
    c.req.raw.signal.addEventListener("abort", onAbort);
    const release = () => {
      state.inFlight--;
      c.req.raw.signal.removeEventListener("abort", onAbort);
    };
    if (!req.stream) {
      try {
        let done: EngineEvent | null = null;
        for await (const e of job.events()) if (e.type === "done") done = e;
        log(done);
        return c.json(done);
      } finally {
        release();
      }
    }
    const encoder = new TextEncoder();
    const stream = new ReadableStream<Uint8Array>({
      async start(controller) {
        let last: EngineEvent | null = null;
        try {
          for await (const e of job.events()) {
            last = e;
            controller.enqueue(encoder.encode(`${JSON.stringify(e)}\n`));
          }
          log(last);
        } catch (err) {
          const e = err instanceof EngineError ? err : new EngineError("internal", String(err));
          controller.enqueue(
            encoder.encode(`${JSON.stringify({ type: "error", error: { code: e.code, message: e.message } })}\n`),
          );
          log(last, e);
        } finally {
          release();
          controller.close();
        }
      },
      cancel() {
        job.cancel();
      },
    });
    return c.body(stream, 200, {
      "content-type": NDJSON_CONTENT_TYPE,
      "cache-control": "no-store",
      // Said outright, so @hono/node-server sends the headers at once instead of first
      // probing the stream (with a timer) for a short body it could give a content-length.
      "transfer-encoding": "chunked",
      [REQUEST_ID_HEADER]: requestId,
    });
  });

  return app;
}
