// The page of the cross-origin browser test, bundled for Chromium by cross-origin.test.ts: it
// calls the API from another origin with the unchanged `openai` client and with our SDK.
import { MMGPT } from "@mmgpt/sdk";
import OpenAI from "openai";

export interface Streamed {
  text: string;
  chunks: number;
  requestId: string | null;
}

const messages = [{ role: "user" as const, content: "Say hello." }];

type Chunk = { choices: Array<{ delta?: { content?: string | null } }> };

async function collect(stream: AsyncIterable<Chunk>, requestId: string | null): Promise<Streamed> {
  let text = "";
  let chunks = 0;
  for await (const chunk of stream) {
    chunks++;
    text += chunk.choices[0]?.delta?.content ?? "";
  }
  return { text, chunks, requestId };
}

async function withOpenAI(baseURL: string, apiKey: string): Promise<Streamed> {
  const client = new OpenAI({ baseURL, apiKey, dangerouslyAllowBrowser: true, maxRetries: 0 });
  const { data: stream, request_id } = await client.chat.completions
    .create({ model: "mmgpt-tiny", messages, max_tokens: 8, stream: true })
    .withResponse();
  return collect(stream, request_id);
}

async function withSdk(baseURL: string, apiKey: string): Promise<Streamed> {
  const client = new MMGPT({ baseURL, apiKey, maxRetries: 0 });
  const stream = await client.chat.completions.create({ model: "mmgpt-tiny", messages, max_tokens: 8, stream: true });
  return collect(stream, stream.requestId);
}

/** What the page can read of an error answer (needs the CORS headers on errors too). */
async function openAIError(baseURL: string): Promise<Record<string, unknown>> {
  const client = new OpenAI({ baseURL, apiKey: "mmgpt_sk_wrong", dangerouslyAllowBrowser: true, maxRetries: 0 });
  try {
    await client.models.list();
    return { thrown: false };
  } catch (error) {
    const e = error as InstanceType<typeof OpenAI.APIError>;
    return { name: e.constructor.name, status: e.status, code: e.code, requestId: e.requestID };
  }
}

/** Response headers a page may read only when the edge exposes them. */
async function exposedHeaders(baseURL: string, apiKey: string): Promise<Record<string, string | null>> {
  const res = await fetch(`${baseURL}/models`, { headers: { authorization: `Bearer ${apiKey}` } });
  const names = [
    "x-request-id",
    "x-ratelimit-remaining",
    "x-ratelimit-remaining-requests",
    "x-ratelimit-reset-requests",
  ];
  return Object.fromEntries(names.map((name) => [name, res.headers.get(name)]));
}

Object.assign(globalThis, { mmgptTest: { withOpenAI, withSdk, openAIError, exposedHeaders } });
