// Conversations: server-side chat state. The edge keeps the turns (one Durable Object per
// conversation, one generation at a time) and commits a turn only when its reply completes.
import { z } from "@hono/zod-openapi";
import { TextPart, UserContent } from "../chat/content";
import { FinishReason, Usage } from "../chat/response";
import { beamsNotStreamed, checkBeamless, samplingShape } from "../chat/sampling";
import { LIMITS, listOf, Metadata, Sha256Hex, UnixTime } from "../common";

export const Conversation = z
  .object({
    id: z.string().openapi({ example: "conv_6f1d0c2a9b" }),
    object: z.literal("conversation"),
    created_at: UnixTime,
    model: z.string().openapi({ example: "mmgpt-tiny" }),
    system: z.string().nullable().openapi({ description: "The system prompt, if any." }),
    metadata: Metadata,
    message_count: z.number().int().nonnegative(),
    last_message_at: UnixTime.nullable(),
  })
  .openapi("Conversation");
export type Conversation = z.infer<typeof Conversation>;

export const CreateConversationRequest = z
  .strictObject({
    model: z
      .string()
      .min(1)
      .optional()
      .openapi({ description: "Model for every reply; defaults to the first of `GET /v1/models`." }),
    system: z.string().max(LIMITS.maxTextLength).optional().openapi({ example: "You are a helpful assistant." }),
    metadata: Metadata.optional(),
  })
  .openapi("CreateConversationRequest");
export type CreateConversationRequest = z.infer<typeof CreateConversationRequest>;

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
    role: z.enum(["user", "assistant"]),
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
  })
  .openapi("ConversationMessage");
export type ConversationMessage = z.infer<typeof ConversationMessage>;

export const CreateMessageRequest = z
  .strictObject({
    content: UserContent,
    stream: z.boolean().nullish().openapi({ description: "Stream the reply as server-sent events.", default: false }),
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
