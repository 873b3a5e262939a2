// The image limits of a whole chat request, beyond one message's: consecutive user messages
// merge into one turn (assistant messages separate turns; system messages do not), so their
// images add up to at most LIMITS.maxImagesPerMessage; and the request names at most
// LIMITS.maxImagesPerRequest distinct image URLs, each of which the edge fetches and decodes.
import type { z } from "@hono/zod-openapi";
import { LIMITS } from "../common";
import { contentImages } from "./content";
import type { ChatMessage } from "./request";

export function checkChatImages(req: { messages: readonly ChatMessage[] }, ctx: z.RefinementCtx): void {
  const messages = req.messages.map((message, index) => ({
    role: message.role,
    images:
      message.role === "user"
        ? contentImages(message.content).map(({ url, part }) => ({
            url,
            path: ["messages", index, "content", part, "image_url", "url"],
          }))
        : [],
  }));
  checkTurnImages(messages, ctx);
}

/** The same rules over any message list (chat messages, Responses input items). */
export function checkTurnImages(
  messages: ReadonlyArray<{ role: string; images: ReadonlyArray<{ url: string; path: PropertyKey[] }> }>,
  ctx: z.RefinementCtx,
): void {
  let inTurn = 0;
  const distinct = new Set<string>();
  for (const message of messages) {
    if (message.role === "assistant") inTurn = 0;
    if (message.role !== "user") continue;
    if (message.images.length > LIMITS.maxImagesPerMessage) return; // the message's own check reports it
    for (const { url, path } of message.images) {
      distinct.add(url);
      if (++inTurn > LIMITS.maxImagesPerMessage) {
        ctx.addIssue({
          code: "custom",
          path,
          message: `at most ${LIMITS.maxImagesPerMessage} images per user turn: consecutive user messages are merged into one turn, and this image is its ${inTurn}th. Put an assistant message between the images.`,
        });
        return;
      }
      if (distinct.size > LIMITS.maxImagesPerRequest) {
        ctx.addIssue({
          code: "custom",
          path,
          message: `at most ${LIMITS.maxImagesPerRequest} distinct images per request`,
        });
        return;
      }
    }
  }
}
