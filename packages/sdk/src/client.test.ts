import { describe, expect, it } from "vitest";
import { createClient } from "./client";
import { MmgptError } from "./error";

type Call = { url: string; init: RequestInit | undefined };

/** A fetch that records calls and answers with `response`. */
function fakeFetch(response: () => Response) {
  const calls: Call[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ url: String(input), init });
    return response();
  };
  return { calls, fetch: fetch as typeof globalThis.fetch };
}

const models = { object: "list", data: [{ id: "mmgpt-tiny", object: "model", created: 1, owned_by: "mmgpt" }] };

describe("createClient().listModels", () => {
  it("GETs /v1/models with the API key and returns the typed list", async () => {
    const { calls, fetch } = fakeFetch(() => Response.json(models));
    const client = createClient({ baseURL: "https://api.example.com/", apiKey: "mmgpt_sk_test", fetch });

    const list = await client.listModels();

    expect(list.data[0]?.id).toBe("mmgpt-tiny");
    expect(calls).toHaveLength(1);
    expect(calls[0]!.url).toBe("https://api.example.com/v1/models");
    expect(calls[0]!.init?.method).toBe("GET");
    expect(new Headers(calls[0]!.init?.headers).get("authorization")).toBe("Bearer mmgpt_sk_test");
  });

  it("throws MmgptError carrying the envelope and request id", async () => {
    const envelope = {
      error: {
        type: "authentication_error",
        code: "authentication_error",
        message: "Invalid API key.",
        param: null,
        request_id: "req_42",
      },
    };
    const { fetch } = fakeFetch(() => Response.json(envelope, { status: 401 }));
    const client = createClient({ baseURL: "https://api.example.com", apiKey: "bad", fetch });

    const error = await client.listModels().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(MmgptError);
    expect(error).toMatchObject({ status: 401, code: "authentication_error", requestId: "req_42" });
  });

  it("still throws a useful error when the body is not JSON", async () => {
    const { fetch } = fakeFetch(
      () => new Response("bad gateway", { status: 502, headers: { "x-request-id": "req_7" } }),
    );
    const client = createClient({ baseURL: "https://api.example.com", apiKey: "k", fetch });

    await expect(client.listModels()).rejects.toMatchObject({ status: 502, code: "unknown", requestId: "req_7" });
  });
});
