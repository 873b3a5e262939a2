// Items as OpenAI's Responses and Conversations APIs carry them: messages whose content is
// input_text / input_image / output_text parts. Only message items exist here (no tools), so
// any other item type is refused by name rather than silently ignored.
import { z } from "@hono/zod-openapi";
import { checkTextLength, ImageUrl } from "../chat/content";
import { TokenLogprob } from "../chat/response";
import { LIMITS, MessageId } from "../common";

export const ITEM_ROLES = ["user", "assistant", "system", "developer"] as const;
export const ItemRole = z.enum(ITEM_ROLES);
export type ItemRole = z.infer<typeof ItemRole>;

const Text = z.string().max(LIMITS.maxTextLength);

export const InputTextPart = z
  .object({ type: z.literal("input_text"), text: Text })
  .openapi("InputTextPart", { example: { type: "input_text", text: "What is in this image?" } });

export const InputImagePart = z
  .object({
    type: z.literal("input_image"),
    image_url: ImageUrl.nullish(),
    file_id: z
      .string()
      .regex(/^file-[A-Za-z0-9_-]{1,64}$/, { message: 'must be a file id ("file-…")' })
      .nullish(),
    detail: z
      .enum(["auto", "low", "high"])
      .nullish()
      .openapi({ description: "Accepted and ignored: every image is resized to 224x224 for the vision encoder." }),
  })
  .refine((p) => (p.image_url == null) !== (p.file_id == null), {
    message: "give exactly one of image_url and file_id",
    path: ["image_url"],
  })
  .openapi("InputImagePart", {
    description:
      "An image: `image_url` (a data URL or an https URL) or `file_id` (a file uploaded with purpose `vision`). As stored in a conversation, `image_url` is null (only the preprocessed pixels are kept, by hash) and `file_id` is kept.",
  });

export const OutputTextPart = z
  .object({
    type: z.literal("output_text"),
    text: Text,
    annotations: z.array(z.unknown()).optional().openapi({ description: "Always empty in output." }),
    logprobs: z
      .array(z.unknown())
      .optional()
      .openapi({ description: "Accepted and ignored in input; empty in stored items." }),
  })
  .openapi("OutputTextPart");
export type OutputTextPart = z.infer<typeof OutputTextPart>;

/** The reply's text in a Response: its tokens' logprobs when the request included them. */
export const ResponseOutputText = OutputTextPart.extend({
  annotations: z.array(z.unknown()).max(0).openapi({ description: "Always empty." }),
  logprobs: z.array(TokenLogprob).openapi({
    description:
      "With `include: [\"message.output_text.logprobs\"]`: one entry per generated token (`token`, `logprob`, `bytes`, and `top_logprobs` of them most likely first), in the create call's answer (JSON, or the stream's final events); empty otherwise, and in a stored response.",
  }),
}).openapi("ResponseOutputText");
export type ResponseOutputText = z.infer<typeof ResponseOutputText>;

export const ItemContentPart = z
  .discriminatedUnion("type", [InputTextPart, InputImagePart, OutputTextPart], {
    error: "content parts are input_text, input_image or output_text",
  })
  .openapi("ItemContentPart");
export type ItemContentPart = z.infer<typeof ItemContentPart>;

/**
 * A message item as a request gives it: OpenAI's EasyInputMessage (`type` optional, content a
 * string) or its full form. Images only in user messages, at most LIMITS.maxImagesPerMessage.
 */
export const InputMessageItem = z
  .object({
    type: z
      .literal("message", { error: 'only "message" and "item_reference" items are supported (no tools)' })
      .optional(),
    id: z.string().optional().openapi({ description: "Accepted and ignored: stored items get new ids." }),
    status: z.string().optional().openapi({ description: "Accepted and ignored." }),
    role: ItemRole,
    // The text parts share the message's LIMITS.maxTextLength, as chat content's do.
    content: z.union([Text, z.array(ItemContentPart).min(1).superRefine(checkTextLength)], {
      error: "content must be a string or a non-empty array of content parts",
    }),
  })
  .superRefine((item, ctx) => {
    if (typeof item.content === "string") return;
    let images = 0;
    item.content.forEach((part, i) => {
      if (part.type !== "input_image") return;
      if (item.role !== "user") {
        ctx.addIssue({ code: "custom", path: ["content", i], message: "only user messages carry images" });
      } else if (++images > LIMITS.maxImagesPerMessage) {
        ctx.addIssue({
          code: "custom",
          path: ["content", i],
          message: `at most ${LIMITS.maxImagesPerMessage} images per message`,
        });
      }
    });
  })
  .openapi("InputMessageItem", {
    description:
      "A message. `system` and `developer` messages join the system text; consecutive user messages merge into one turn (texts joined by a newline, images appended).",
  });
export type InputMessageItem = z.infer<typeof InputMessageItem>;

/**
 * OpenAI's ItemReference: a message kept here before (a stored response's input or output
 * item, hence also such a conversation item), by id, in place of its content. The AI SDK sends
 * one for each earlier assistant reply it was given by a stored response.
 */
export const ItemReference = z
  .strictObject({
    type: z.literal("item_reference").nullish().openapi({ description: "May be left out (OpenAI)." }),
    id: MessageId,
  })
  .openapi("ItemReference", {
    description:
      "A message item of a stored response (its input or its output), by id: it stands here as that message. An unknown id, another account's, or one of a response stored with `store: false` or deleted since, is a 404 with `param` naming the item.",
  });
export type ItemReference = z.infer<typeof ItemReference>;

/** An item of a Responses `input`: a message, or a reference to a stored one. */
export const InputItem = z
  .union([InputMessageItem, ItemReference], {
    error: 'input items are messages ({"role", "content"}) or item references ({"type": "item_reference", "id"})',
  })
  .openapi("InputItem");
export type InputItem = z.infer<typeof InputItem>;

export function isItemReference(item: InputItem): item is ItemReference {
  return !("role" in item);
}

/** A stored message item, as lists and retrievals return it (OpenAI's ConversationItem message). */
export const MessageItem = z
  .object({
    type: z.literal("message"),
    id: z.string().openapi({ example: "msg_3b7e91d4aa" }),
    status: z.enum(["completed", "incomplete", "in_progress"]),
    role: ItemRole,
    content: z.array(ItemContentPart),
  })
  .openapi("MessageItem");
export type MessageItem = z.infer<typeof MessageItem>;

/** The assistant's reply (one per choice) in a Response's `output`. */
export const OutputMessage = MessageItem.extend({
  role: z.literal("assistant"),
  content: z.array(ResponseOutputText),
}).openapi("OutputMessage");
export type OutputMessage = z.infer<typeof OutputMessage>;

/** The images of an item's content, in order: each URL (or file id) and its part index. */
export function itemImages(item: InputMessageItem): Array<{ url: string; part: number }> {
  if (typeof item.content === "string") return [];
  return item.content.flatMap((p, part) =>
    p.type === "input_image" ? [{ url: (p.image_url ?? p.file_id) as string, part }] : [],
  );
}

/** An item's text parts joined by a newline (as chat content is). */
export function itemText(item: InputMessageItem): string {
  if (typeof item.content === "string") return item.content;
  return item.content.flatMap((p) => (p.type === "input_image" ? [] : [p.text])).join("\n");
}
