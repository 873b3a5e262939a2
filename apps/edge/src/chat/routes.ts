// POST /v1/chat/completions: stateless, OpenAI-compatible. Messages → turns → images resolved
// and stored → GenerateRequest to the least loaded runner → chat.completion or SSE chunks.
import { createChatCompletionRoute, ID_PREFIXES, toGenerationParams } from "@mmgpt/schema";
import type { GenerateRequest, Turn } from "@mmgpt/schema/internal";
import type { Deps } from "../env";
import { newId, unixSeconds } from "../http/ids";
import { newRouter } from "../http/router";
import { sseResponse } from "../http/sse";
import { runnerContext, statelessOrder } from "../runner/context";
import { startGeneration } from "../runner/generate";
import { relayEvents } from "../runner/relay";
import { readResult } from "../runner/result";
import { RequestImages } from "../vision/request-images";
import { ChunkWriter, toChatCompletion } from "./chunks";
import { toTurns } from "./turns";

export function chatRoutes(deps: Deps) {
  return newRouter().openapi(createChatCompletionRoute, async (c) => {
    const body = c.req.valid("json");
    const requestId = c.get("requestId");
    const draft = toTurns(body.messages);
    const images = new RequestImages(c.env, deps, c.get("principal").accountId);
    const turns: Turn[] = [];
    for (const turn of draft.turns) {
      const image = turn.image ? (await images.resolve(turn.image.url, turn.image.param)).sha256 : undefined;
      turns.push({ role: turn.role, text: turn.text, ...(image ? { image } : {}) });
    }
    const stream = body.stream === true;
    const request: GenerateRequest = {
      request_id: requestId,
      model: body.model,
      ...(draft.system !== undefined ? { system: draft.system } : {}),
      turns,
      params: toGenerationParams(body),
      stream,
    };
    const ctx = runnerContext(c, deps);
    const answer = await startGeneration(ctx, statelessOrder(c), request, images.source);
    const head = { id: newId(ID_PREFIXES.chatCompletion), model: body.model, created: unixSeconds() };
    if (!stream) return c.json(toChatCompletion(head, await readResult(answer)), 200);

    const chunks = new ChunkWriter(head, body.stream_options?.include_usage === true);
    const relay = relayEvents(
      answer,
      {
        onEvent: (event) => (event.type === "start" ? chunks.role() : chunks.delta(event.text)),
        onDone: async (done) => chunks.finish(done),
        onFailure: async () => {},
      },
      { requestId, idleTimeoutMs: ctx.timeoutMs, clientSignal: ctx.signal },
    );
    return sseResponse(c, relay.body, relay.pumped) as never;
  });
}
