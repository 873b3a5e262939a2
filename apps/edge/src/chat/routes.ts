// POST /v1/chat/completions: stateless, OpenAI-compatible. The request goes through the shared
// chat path (complete.ts) to the least loaded runner → chat.completion or SSE chunks.
import { createChatCompletionRoute, ID_PREFIXES } from "@mmgpt/schema";
import type { Deps } from "../env";
import { newId, unixSeconds } from "../http/ids";
import { newRouter } from "../http/router";
import { sseResponse } from "../http/sse";
import { generationContext, statelessOrder } from "../runner/context";
import { startGeneration } from "../runner/generate";
import { relayEvents, relayOptions } from "../runner/relay";
import { RequestImages } from "../vision/request-images";
import { ChunkWriter, choiceOptions } from "./chunks";
import { completeChat, toGenerateRequest } from "./complete";

export function chatRoutes(deps: Deps) {
  return newRouter().openapi(createChatCompletionRoute, async (c) => {
    const body = c.req.valid("json");
    const images = new RequestImages(c.env, deps, c.get("principal").accountId);
    const ctx = await generationContext(c, deps);
    if (body.stream !== true) return c.json(await completeChat(ctx, statelessOrder(c), body, images), 200);

    const request = await toGenerateRequest(body, images, ctx);
    const answer = await startGeneration(ctx, statelessOrder(c), request, images.source);
    const head = { id: newId(ID_PREFIXES.chatCompletion), model: body.model, created: unixSeconds() };
    const chunks = new ChunkWriter(head, body.stream_options?.include_usage === true, choiceOptions(body));
    const relay = relayEvents(
      answer,
      {
        onEvent: (event) => (event.type === "start" ? chunks.role() : chunks.delta(event)),
        onDone: async (done) => chunks.finish(done),
        onFailure: async () => {},
      },
      relayOptions(ctx),
    );
    return sseResponse(c, relay.body, relay.pumped) as never;
  });
}
