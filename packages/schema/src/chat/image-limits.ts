// The image limits of a whole chat request, beyond one message's: consecutive user messages
// merge into one turn (assistant messages separate turns; system messages do not), so their
// images add up to at most LIMITS.maxImagesPerMessage; and the request names at most
// LIMITS.maxImagesPerRequest distinct image URLs, each of which the edge fetches and decodes.
import type { z } from "@hono/zod-openapi";
import { LIMITS } from "../common";
import { contentImages } from "./content";
import type { ChatMessage } from "./request";

export function checkChatImages(req: { messages: readonly ChatMessage[] }, ctx: z.RefinementCtx): void {
  let inTurn = 0;
  const distinct = new Set<string>();
  for (const [index, message] of req.messages.entries()) {
    if (message.role === "assistant") inTurn = 0;
    if (message.role !== "user") continue;
    const images = contentImages(message.content);
    if (images.length > LIMITS.maxImagesPerMessage) return; // UserContent reports this message
    for (const { url, part } of images) {
      const path = ["messages", index, "content", part, "image_url", "url"];
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
