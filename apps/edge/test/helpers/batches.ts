// Shortcuts for batch tests: request lines, creating a batch, reading its JSONL files.
import { chatBody, type Edge, type Loose } from "./edge";

export function line(customId: string, content: unknown = `Say hi (${customId})`, extra: Record<string, unknown> = {}) {
  return { custom_id: customId, method: "POST", url: "/v1/chat/completions", body: chatBody(content, extra) };
}

export function lines(n: number, prefix = "req"): ReturnType<typeof line>[] {
  return Array.from({ length: n }, (_, i) => line(`${prefix}-${i + 1}`));
}

export async function createBatch(edge: Edge, key: string, body: Record<string, unknown>): Promise<Response> {
  return edge.fetch("/v1/batches", {
    method: "POST",
    key,
    json: { endpoint: "/v1/chat/completions", completion_window: "24h", ...body },
  });
}

export async function createInline(edge: Edge, key: string, requests: unknown[], metadata?: Record<string, string>) {
  const res = await createBatch(edge, key, { requests, ...(metadata ? { metadata } : {}) });
  if (res.status !== 200) throw new Error(`creating the batch failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as Loose;
}

export async function getBatch(edge: Edge, key: string, id: string): Promise<Loose> {
  return (await edge.fetch(`/v1/batches/${id}`, { key })).json();
}

/** The parsed lines of `/output` or `/errors`. */
export async function jsonl(edge: Edge, key: string, id: string, kind: "output" | "errors"): Promise<Loose[]> {
  const res = await edge.fetch(`/v1/batches/${id}/${kind}`, { key });
  if (res.status !== 200) throw new Error(`${kind}: ${res.status} ${await res.text()}`);
  const text = await res.text();
  return text === ""
    ? []
    : text
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l));
}

/** The text of a runner request's first turn (fake runners decide on it). */
export function firstText(req: { turns: Array<{ text: string }> }): string {
  return req.turns[0]?.text ?? "";
}
