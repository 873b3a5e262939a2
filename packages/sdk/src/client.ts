// A minimal typed client over the generated `paths`: one request helper, thin methods.
// Runtime-neutral (fetch only); `fetch` is injectable for tests and custom transports.
import { MmgptError } from "./error";
import type { paths } from "./generated/openapi";

export interface ClientOptions {
  /** e.g. `https://api.example.com` (no trailing `/v1`). */
  baseURL: string;
  apiKey: string;
  /** Defaults to the global fetch. */
  fetch?: typeof fetch;
}

/** The JSON body of a path's 200 response for a method. */
export type JsonResponse<P extends keyof paths, M extends "get" | "post" | "delete"> = paths[P][M] extends {
  responses: { 200: { content: { "application/json": infer T } } };
}
  ? T
  : never;

export type ModelList = JsonResponse<"/v1/models", "get">;

export interface MmgptClient {
  /** GET /v1/models */
  listModels(): Promise<ModelList>;
}

export function createClient(options: ClientOptions): MmgptClient {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  if (typeof fetchImpl !== "function") throw new TypeError("no fetch available: pass options.fetch");
  const baseURL = options.baseURL.replace(/\/+$/, "");

  async function getJson<P extends keyof paths>(path: P): Promise<JsonResponse<P, "get">> {
    const response = await fetchImpl(`${baseURL}${path}`, {
      method: "GET",
      headers: { authorization: `Bearer ${options.apiKey}`, accept: "application/json" },
    });
    if (!response.ok) throw await MmgptError.fromResponse(response);
    return (await response.json()) as JsonResponse<P, "get">;
  }

  return {
    listModels: () => getJson("/v1/models"),
  };
}
