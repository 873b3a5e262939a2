// Examples shown in the OpenAPI document for responses.
import type { MessageItem } from "./items";
import type { ResponseObject } from "./schemas";

export const responseExample: ResponseObject = {
  id: "resp_0a1b2c3d4e",
  object: "response",
  created_at: 1795772455,
  completed_at: 1795772460,
  status: "completed",
  error: null,
  incomplete_details: null,
  instructions: null,
  max_output_tokens: 128,
  model: "mmgpt-tiny",
  output: [
    {
      type: "message",
      id: "msg_3b7e91d4aa",
      status: "completed",
      role: "assistant",
      content: [
        { type: "output_text", text: "A ginger cat sitting on a wooden floor.", annotations: [], logprobs: [] },
      ],
    },
  ],
  parallel_tool_calls: true,
  previous_response_id: null,
  conversation: null,
  temperature: 1,
  top_p: 1,
  tool_choice: "auto",
  tools: [],
  truncation: "disabled",
  store: true,
  metadata: {},
  text: { format: { type: "text" } },
  top_logprobs: null,
  reasoning: { effort: null, summary: null },
  background: false,
  usage: {
    input_tokens: 93,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: 12,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: 105,
  },
  dropped_exchanges: 0,
};

export const userItemExample: MessageItem = {
  type: "message",
  id: "msg_1a2b3c4d5e",
  status: "completed",
  role: "user",
  content: [
    { type: "input_image", image_url: null, file_id: "file-8a41c2f07d", detail: "auto" },
    { type: "input_text", text: "What is in this image?" },
  ],
};
