// A scripted gpu-runner speaking the internal protocol, reached through the injected fetch.
// Each test sets `generate` to decide what a generate call answers (stream deltas, wait on a
// gate, fail with 503, hang, ask for images…); the default streams "Hello world".
import {
  type DoneEvent,
  type GenerateEvent,
  GenerateRequest,
  isPreprocessedImageSize,
  ndjsonLine,
  PROTOCOL_HEADER,
  PROTOCOL_VERSION,
  requestImages,
  TENANT_HEADER,
  TenantKey,
} from "@mmgpt/schema/internal";

export const RUNNER_SECRET = "test-runner-secret";

export interface RecordedCall {
  method: string;
  path: string;
  headers: Headers;
  body?: GenerateRequest;
}

export type GenerateHandler = (
  req: GenerateRequest,
  signal: AbortSignal,
  runner: FakeRunner,
) => Response | Promise<Response>;

export function done(text: string, finish: DoneEvent["finish_reason"] = "stop"): DoneEvent {
  return {
    type: "done",
    finish_reason: finish,
    text,
    usage: { prompt_tokens: 10, completion_tokens: 2, cached_tokens: 0 },
    prompt: "…",
  };
}

/** An NDJSON body that writes each event after awaiting its gate (if any). */
export function ndjson(steps: Array<GenerateEvent | Promise<unknown>>, signal?: AbortSignal): Response {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      signal?.addEventListener("abort", () => controller.error(new Error("aborted")));
      for (const step of steps) {
        if (step instanceof Promise) await step;
        else controller.enqueue(encoder.encode(ndjsonLine(step)));
      }
      controller.close();
    },
  });
  return new Response(body, { headers: { "content-type": "application/x-ndjson" } });
}

export function runnerError(status: number, code: string, message = code, headers: HeadersInit = {}): Response {
  return Response.json({ error: { code, message } }, { status, headers });
}

/** The default behaviour: the images handshake, then "Hello world". */
export const helloWorld: GenerateHandler = (req, signal) => {
  const events: GenerateEvent[] = [
    { type: "start", prompt_tokens: 10, cached_tokens: 0 },
    { type: "delta", text: "Hello" },
    { type: "delta", text: " world" },
    done("Hello world"),
  ];
  return req.stream ? ndjson(events, signal) : Response.json(done("Hello world"));
};

export class FakeRunner {
  readonly calls: RecordedCall[] = [];
  /** Uploaded pixels by hash (whichever tenant sent them). */
  readonly images = new Map<string, Uint8Array>();
  /** `tenant/sha256` of every image kept: as a real runner, images are present per tenant. */
  readonly tenantImages = new Set<string>();
  /** When false, the connection is refused (fetch rejects). */
  up = true;
  /** Ask for missing images with 409 image_missing before generating. */
  checkImages = true;
  generate: GenerateHandler = helloWorld;
  /** Answers an image upload; the default keeps it (tests fail uploads or forget them). */
  putImage = (sha256: string, bytes: Uint8Array, tenant: string): Response => {
    this.images.set(sha256, bytes);
    this.tenantImages.add(`${tenant}/${sha256}`);
    return new Response(null, { status: 204 });
  };
  models = ["mmgpt-tiny"];

  constructor(readonly url: string) {}

  get generateCalls(): GenerateRequest[] {
    return this.calls.filter((c) => c.path === "/internal/v1/generate").map((c) => c.body!);
  }

  async handle(request: Request): Promise<Response> {
    if (!this.up) throw new TypeError("connect ECONNREFUSED");
    const path = new URL(request.url).pathname;
    const call: RecordedCall = { method: request.method, path, headers: request.headers };
    this.calls.push(call);
    if (request.headers.get("authorization") !== `Bearer ${RUNNER_SECRET}`) return runnerError(401, "unauthorized");
    if (request.headers.get(PROTOCOL_HEADER) !== String(PROTOCOL_VERSION)) return runnerError(400, "protocol_mismatch");
    if (path === "/internal/v1/models") {
      return Response.json({ models: this.models.map((id) => ({ id, context_length: 2048, vision: true })) });
    }
    const image = /^\/internal\/v1\/images\/([0-9a-f]{64})$/.exec(path);
    if (image && request.method === "PUT") {
      const tenant = TenantKey.safeParse(request.headers.get(TENANT_HEADER));
      if (!tenant.success) return runnerError(400, "invalid_request", `${TENANT_HEADER} missing or malformed`);
      const bytes = new Uint8Array(await request.arrayBuffer());
      if (!isPreprocessedImageSize(bytes)) return runnerError(400, "image_invalid");
      return this.putImage(image[1], bytes, tenant.data);
    }
    if (path === "/internal/v1/generate" && request.method === "POST") {
      const parsed = GenerateRequest.safeParse(await request.json());
      if (!parsed.success) return runnerError(400, "invalid_request", parsed.error.message);
      call.body = parsed.data;
      const missing = requestImages(parsed.data).filter((h) => !this.tenantImages.has(`${parsed.data.tenant}/${h}`));
      if (this.checkImages && missing.length) {
        return Response.json({ error: { code: "image_missing", missing } }, { status: 409 });
      }
      return this.generate(parsed.data, request.signal, this);
    }
    return runnerError(404, "invalid_request", `no route ${path}`);
  }
}

/** Several fake runners behind one fetch, dispatched by origin. */
export class FakeRunners {
  readonly byUrl = new Map<string, FakeRunner>();

  constructor(urls: string[] = ["http://runner-a.test"]) {
    for (const url of urls) this.byUrl.set(url, new FakeRunner(url));
  }

  get(url = "http://runner-a.test"): FakeRunner {
    return this.byUrl.get(url)!;
  }

  get urls(): string {
    return [...this.byUrl.keys()].join(",");
  }

  readonly fetch: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    const runner = this.byUrl.get(new URL(request.url).origin);
    if (!runner) throw new TypeError(`connect ECONNREFUSED ${request.url}`);
    return runner.handle(request);
  };
}

/** A promise with its resolver, to hold a fake runner between two deltas. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}
