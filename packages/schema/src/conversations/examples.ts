// Examples shown in the OpenAPI document for conversations.
import type { Conversation, ConversationMessage } from "./schemas";

export const conversationExample: Conversation = {
  id: "conv_6f1d0c2a9b",
  object: "conversation",
  created_at: 1795772400,
  model: "mmgpt-tiny",
  system: "You are a helpful assistant.",
  metadata: { project: "demo" },
  message_count: 2,
  last_message_at: 1795772460,
};

export const userMessageExample: ConversationMessage = {
  id: "msg_1a2b3c4d5e",
  object: "conversation.message",
  conversation_id: "conv_6f1d0c2a9b",
  created_at: 1795772455,
  role: "user",
  content: [
    { type: "text", text: "What is in this image?" },
    {
      type: "image",
      image: { sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", file_id: "file-8a41c2f07d" },
    },
  ],
  model: null,
  finish_reason: null,
  usage: null,
};

export const assistantMessageExample: ConversationMessage = {
  id: "msg_3b7e91d4aa",
  object: "conversation.message",
  conversation_id: "conv_6f1d0c2a9b",
  created_at: 1795772460,
  role: "assistant",
  content: [{ type: "text", text: "A ginger cat sitting on a wooden floor." }],
  model: "mmgpt-tiny",
  finish_reason: "stop",
  usage: { prompt_tokens: 93, completion_tokens: 12, total_tokens: 105, prompt_tokens_details: { cached_tokens: 0 } },
};
