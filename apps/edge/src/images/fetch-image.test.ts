import { describe, expect, it } from "vitest";
import { ImageError } from "./errors";
import { fetchImage } from "./fetch-image";

type Handler = (url: string, init: RequestInit) => Response | Promise<Response>;

/** A fetch stand-in that records requests; no network is used. */
function fakeFetch(handler: Handler) {
  const calls: { url: string; init: RequestInit }[] = [];
  const impl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    calls.push({ url, init: init ?? {} });
    return handler(url, init ?? {});
  }) as typeof fetch;
  return { impl, calls };
}

const redirect = (location: string, status = 302) => new Response(null, { status, headers: { location } });

async function failure(promise: Promise<unknown>): Promise<ImageError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ImageError);
  return error as ImageError;
}

describe("fetchImage", () => {
  it("downloads an https image with manual redirects and no credentials", async () => {
    const { impl, calls } = fakeFetch(
      () => new Response(new Uint8Array([1, 2, 3]), { headers: { "content-type": "image/png" } }),
    );
    const result = await fetchImage("https://img.example/cat.png", { fetch: impl });
    expect(Array.from(result.bytes)).toEqual([1, 2, 3]);
    expect(result.contentType).toBe("image/png");
    expect(calls[0].init.redirect).toBe("manual");
    const headers = new Headers(calls[0].init.headers);
    expect(headers.has("cookie") || headers.has("authorization")).toBe(false);
  });

  it("refuses http:// without fetching", async () => {
    const { impl, calls } = fakeFetch(() => new Response("x"));
    const error = await failure(fetchImage("http://img.example/cat.png", { fetch: impl }));
    expect(error.reason).toBe("fetch_refused");
    expect(calls).toHaveLength(0);
  });

  it("refuses other schemes and credentials in the URL", async () => {
    const { impl } = fakeFetch(() => new Response("x"));
    for (const url of [
      "file:///etc/passwd",
      "data:image/png;base64,AAAA",
      "https://user:pw@img.example/a.png",
      "nope",
    ]) {
      expect((await failure(fetchImage(url, { fetch: impl }))).reason).toBe("fetch_refused");
    }
  });

  it("refuses internal hosts, directly or through a redirect", async () => {
    const { impl, calls } = fakeFetch(() => redirect("https://169.254.169.254/latest/meta-data"));
    for (const url of [
      "https://localhost/a.png",
      "https://127.0.0.1/a.png",
      "https://[::1]/a.png",
      "https://10.1.2.3/x",
    ]) {
      expect((await failure(fetchImage(url, { fetch: impl }))).reason).toBe("fetch_refused");
    }
    expect(calls).toHaveLength(0);
    expect((await failure(fetchImage("https://img.example/a", { fetch: impl }))).reason).toBe("fetch_refused");
    expect(calls).toHaveLength(1);
  });

  it("refuses a redirect to http", async () => {
    const { impl, calls } = fakeFetch(() => redirect("http://img.example/cat.png"));
    const error = await failure(fetchImage("https://img.example/start", { fetch: impl }));
    expect(error.reason).toBe("fetch_refused");
    expect(calls).toHaveLength(1);
  });

  it("follows up to 3 relative or absolute https redirects", async () => {
    const { impl, calls } = fakeFetch((url) => {
      if (url.endsWith("/a")) return redirect("/b", 301);
      if (url.endsWith("/b")) return redirect("https://cdn.example/c", 307);
      if (url.endsWith("/c")) return redirect("d", 308);
      return new Response(new Uint8Array([9]));
    });
    const result = await fetchImage("https://img.example/a", { fetch: impl });
    expect(result.url).toBe("https://cdn.example/d");
    expect(calls.map((c) => c.url)).toEqual([
      "https://img.example/a",
      "https://img.example/b",
      "https://cdn.example/c",
      "https://cdn.example/d",
    ]);
  });

  it("stops after 3 redirects", async () => {
    let n = 0;
    const { impl } = fakeFetch(() => redirect(`/r${++n}`));
    const error = await failure(fetchImage("https://img.example/r0", { fetch: impl }));
    expect(error.reason).toBe("fetch_refused");
    expect(n).toBe(4);
  });

  it("cuts off a body larger than maxBytes while streaming", async () => {
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(1024));
      },
    });
    const { impl } = fakeFetch(() => new Response(endless));
    const error = await failure(fetchImage("https://img.example/huge", { fetch: impl, maxBytes: 10_000 }));
    expect(error).toMatchObject({ reason: "too_large", limit: "maxEncodedBytes" });
    expect(pulled).toBeLessThan(20);
  });

  it("refuses a declared Content-Length over the cap without reading", async () => {
    const { impl } = fakeFetch(() => new Response("tiny", { headers: { "content-length": "999999999" } }));
    const error = await failure(fetchImage("https://img.example/big", { fetch: impl, maxBytes: 1000 }));
    expect(error.reason).toBe("too_large");
  });

  it("aborts on timeout", async () => {
    const { impl } = fakeFetch(
      (_url, init) =>
        new Promise<Response>((_resolve, reject) => {
          init.signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")));
        }),
    );
    const error = await failure(fetchImage("https://img.example/slow", { fetch: impl, timeoutMs: 20 }));
    expect(error.reason).toBe("fetch_failed");
    expect(error.message).toMatch(/timed out/);
  });

  it("reports non-2xx responses and network errors as fetch_failed", async () => {
    const notFound = fakeFetch(() => new Response("no", { status: 404 }));
    expect((await failure(fetchImage("https://img.example/x", { fetch: notFound.impl }))).message).toMatch(/404/);
    const down = fakeFetch(() => {
      throw new TypeError("network down");
    });
    expect((await failure(fetchImage("https://img.example/x", { fetch: down.impl }))).reason).toBe("fetch_failed");
  });
});
