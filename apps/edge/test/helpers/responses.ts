// A fresh edge with one key and POST /v1/responses at hand, for the Responses tests.
import { expect } from "vitest";
import { Edge, type Loose } from "./edge";

export async function responsesSetup() {
  const edge = new Edge();
  const { key } = await edge.newKey();
  const create = (json: unknown, opts: { signal?: AbortSignal; key?: string } = {}) =>
    edge.fetch("/v1/responses", { method: "POST", key: opts.key ?? key, json, signal: opts.signal });
  /** The create call's Response object, after checking it answered 200. */
  const ok = async (json: unknown) => {
    const res = await create(json);
    expect(res.status, await res.clone().text()).toBe(200);
    return (await res.json()) as Loose;
  };
  const get = async (path: string) => (await (await edge.fetch(path, { key })).json()) as Loose;
  return { edge, key, create, ok, get, runner: edge.runners.get() };
}
