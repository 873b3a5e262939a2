// Examples shown in the OpenAPI document for batches.
import type { Batch, BatchOutputLine, CreateBatchRequestInput } from "./schemas";

export const createBatchExample: CreateBatchRequestInput = {
  endpoint: "/v1/chat/completions",
  completion_window: "24h",
  requests: [
    {
      custom_id: "req-1",
      method: "POST",
      url: "/v1/chat/completions",
      body: {
        model: "mmgpt-tiny",
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "Describe this image." },
              { type: "image_url", image_url: { url: "file-8a41c2f07d" } },
            ],
          },
        ],
        max_tokens: 64,
      },
    },
  ],
  metadata: { job: "nightly-captions" },
};

export const batchExample: Batch = {
  id: "batch_51e0c9ab12",
  object: "batch",
  endpoint: "/v1/chat/completions",
  errors: null,
  input_file_id: "file-0b1c2d3e4f",
  completion_window: "24h",
  status: "completed",
  output_file_id: "file-5f6a7b8c9d",
  error_file_id: null,
  created_at: 1795772400,
  in_progress_at: 1795772401,
  expires_at: 1795858800,
  finalizing_at: 1795772460,
  completed_at: 1795772461,
  failed_at: null,
  expired_at: null,
  cancelling_at: null,
  cancelled_at: null,
  request_counts: { total: 1, completed: 1, failed: 0 },
  metadata: { job: "nightly-captions" },
};

export const batchOutputLineExample: BatchOutputLine = {
  id: "batch_req_2c9e7f01ab",
  custom_id: "req-1",
  response: {
    status_code: 200,
    request_id: "req_01hx3c9v7k",
    body: {
      id: "chatcmpl-9d2f1e7c3b",
      object: "chat.completion",
      created: 1795772459,
      model: "mmgpt-tiny",
      system_fingerprint: null,
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: "A ginger cat on a wooden floor.", refusal: null },
          logprobs: null,
          finish_reason: "stop",
        },
      ],
      usage: {
        prompt_tokens: 93,
        completion_tokens: 10,
        total_tokens: 103,
        prompt_tokens_details: { cached_tokens: 0 },
      },
    },
  },
  error: null,
};
