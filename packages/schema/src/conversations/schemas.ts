// Conversations: server-side chat state. The edge keeps the turns (one Durable Object per
// conversation, one generation at a time) and commits a turn only when its reply completes.
import { z } from "@hono/zod-openapi";
import { TextPart, UserContent } from "../chat/content";
import { FinishReason, Usage } from "../chat/response";
import { beamsNotStreamed, checkBeamless, samplingShape } from "../chat/sampling";
import { LIMITS, listOf, Metadata, Sha256Hex, UnixTime } from "../common";
import { InputMessageItem, ITEM_ROLES, MessageItem } from "../responses/items";
import { Truncation } from "../responses/schemas";

/** Items one create call may add, as OpenAI. */
export const MAX_ITEMS_PER_CREATE = 20;

export const Conversation = z
  .object({
    id: z.string().openapi({ example: "conv_6f1d0c2a9b" }),
    object: z.literal("conversation"),
    created_at: UnixTime,
    metadata: Metadata,
    model: z.string().openapi({
      example: "mmgpt-tiny",
      description: "Extension: the model of `POST …/messages` replies (a response names its own).",
    }),
    system: z.string().nullable().openapi({ description: "Extension: the system prompt, if any." }),
    message_count: z.number().int().nonnegative().openapi({ description: "Extension: items in the conversation." }),
    last_message_at: UnixTime.nullable().openapi({ description: "Extension: when the last item was added." }),
  })
  .openapi("Conversation", {
    description:
      "OpenAI's Conversation (`id`, `object`, `created_at`, `metadata`) with the extensions below; `GET` also adds `generating` and `last_error`.",
  });
export type Conversation = z.infer<typeof Conversation>;

export const CreateConversationRequest = z
  .strictObject({
    items: z
      .array(InputMessageItem)
      .max(MAX_ITEMS_PER_CREATE)
      .nullish()
      .openapi({ description: `Up to ${MAX_ITEMS_PER_CREATE} initial items.` }),
    metadata: Metadata.nullish(),
    model: z
      .string()
      .min(1)
      .optional()
      .openapi({ description: "Extension: model of `…/messages` replies; defaults to the first of `GET /v1/models`." }),
    system: z
      .string()
      .max(LIMITS.maxTextLength)
      .optional()
      .openapi({ description: "Extension: system text before every turn.", example: "You are a helpful assistant." }),
  })
  .openapi("CreateConversationRequest");
export type CreateConversationRequest = z.infer<typeof CreateConversationRequest>;

export const UpdateConversationRequest = z
  .strictObject({ metadata: Metadata })
  .openapi("UpdateConversationRequest", { description: "Replaces the metadata." });
export type UpdateConversationRequest = z.infer<typeof UpdateConversationRequest>;

export const CreateConversationItemsRequest = z
  .strictObject({ items: z.array(InputMessageItem).min(1).max(MAX_ITEMS_PER_CREATE) })
  .openapi("CreateConversationItemsRequest");
export type CreateConversationItemsRequest = z.infer<typeof CreateConversationItemsRequest>;

export const ConversationItemList = listOf(MessageItem, "ConversationItemList");
export type ConversationItemList = z.infer<typeof ConversationItemList>;

export const ConversationDeleted = z
  .object({ id: z.string(), object: z.literal("conversation.deleted"), deleted: z.literal(true) })
  .openapi("ConversationDeleted");
export type ConversationDeleted = z.infer<typeof ConversationDeleted>;

/** An image as stored in a conversation: by hash of its preprocessed pixels, and its file if uploaded. */
export const StoredImagePart = z
  .object({
    type: z.literal("image"),
    image: z.object({
      sha256: Sha256Hex.openapi({ description: "SHA-256 of the preprocessed 224x224 RGB pixels." }),
      file_id: z.string().nullable().openapi({ description: "Set when the image was given as a file id." }),
    }),
  })
  .openapi("StoredImagePart");

export const MessageContentPart = z
  .discriminatedUnion("type", [TextPart, StoredImagePart])
  .openapi("MessageContentPart");
export type MessageContentPart = z.infer<typeof MessageContentPart>;

export const ConversationMessage = z
  .object({
    id: z.string().openapi({ example: "msg_3b7e91d4aa" }),
    object: z.literal("conversation.message"),
    conversation_id: z.string(),
    created_at: UnixTime,
    role: z.enum(ITEM_ROLES),
    content: z.array(MessageContentPart),
    model: z.string().nullable().openapi({ description: "Assistant messages: the model that wrote it." }),
    finish_reason: FinishReason.nullable().openapi({ description: "Assistant messages only." }),
    usage: Usage.nullable().openapi({ description: "Assistant messages only: the usage of the turn." }),
    prompt: z
      .string()
      .nullable()
      .optional()
      .openapi({
        description:
          "The exact prompt text the model received for this turn (MultiModal-GPT template; `<image>` marks each image). " +
          "Only on the assistant message returned by the send call (response or final stream event); not stored.",
      }),
    dropped_exchanges: z.number().int().nonnegative().optional().openapi({
      description:
        "Oldest exchanges `truncation: auto` left out of this turn's prompt (they stay in the conversation). Only on the assistant message returned by the send call.",
    }),
  })
  .openapi("ConversationMessage");
export type ConversationMessage = z.infer<typeof ConversationMessage>;

export const CreateMessageRequest = z
  .strictObject({
    content: UserContent,
    stream: z.boolean().nullish().openapi({ description: "Stream the reply as server-sent events.", default: false }),
    truncation: Truncation.nullish().openapi({ description: "As in responses; `auto` by default here." }),
    ...samplingShape,
    n: z
      .literal(1, {
        error: "n > 1 is not available here: a conversation stores one reply per turn (use /v1/chat/completions)",
      })
      .nullish()
      .openapi({ description: "Only 1: a conversation stores one reply per turn.", enum: [1, null] }),
  })
  .refine(beamsNotStreamed, { message: "num_beams > 1 cannot be combined with stream", path: ["num_beams"] })
  .superRefine(checkBeamless)
  .openapi("CreateMessageRequest", {
    description: `A user turn: text and/or up to ${LIMITS.maxImagesPerMessage} images, stored in order before the text. The reply is generated with the conversation's model.`,
  });
export type CreateMessageRequest = z.infer<typeof CreateMessageRequest>;
export type CreateMessageRequestInput = z.input<typeof CreateMessageRequest>;

export const ConversationMessageDelta = z
  .object({
    object: z.literal("conversation.message.delta"),
    id: z.string().openapi({ description: "Id the assistant message will have." }),
    conversation_id: z.string(),
    delta: z.object({ content: z.string() }),
  })
  .openapi("ConversationMessageDelta");
export type ConversationMessageDelta = z.infer<typeof ConversationMessageDelta>;

export const ConversationStreamEvent = z
  .discriminatedUnion("object", [ConversationMessageDelta, ConversationMessage])
  .openapi("ConversationStreamEvent", {
    description:
      "One server-sent event: `conversation.message.delta` pieces, then the committed `conversation.message` (with usage), then `data: [DONE]`. A failure is sent as one ErrorEnvelope event; the turn is then not committed.",
  });
export type ConversationStreamEvent = z.infer<typeof ConversationStreamEvent>;

export const ConversationList = listOf(Conversation, "ConversationList");
export type ConversationList = z.infer<typeof ConversationList>;
export const ConversationMessageList = listOf(ConversationMessage, "ConversationMessageList");
export type ConversationMessageList = z.infer<typeof ConversationMessageList>;
