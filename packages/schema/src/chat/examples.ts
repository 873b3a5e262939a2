// Examples shown in the OpenAPI document for chat completions.

import type { ChatCompletionRequestInput } from "./request";
import type { ChatCompletion, ChatCompletionChunk } from "./response";

export const chatRequestExamples: Record<string, { summary: string; value: ChatCompletionRequestInput }> = {
  image: {
    summary: "Ask about an image",
    value: {
      model: "mmgpt-tiny",
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "What is in this image?" },
            { type: "image_url", image_url: { url: "https://upload.wikimedia.org/wikipedia/commons/3/3a/Cat03.jpg" } },
          ],
        },
      ],
      max_tokens: 128,
      temperature: 0.7,
    },
  },
  images: {
    summary: "Compare two images in one message",
    value: {
      model: "mmgpt-tiny",
      messages: [
        {
          role: "user",
          content: [
            { type: "image_url", image_url: { url: "file-8a41c2f07d" } },
            { type: "image_url", image_url: { url: "https://upload.wikimedia.org/wikipedia/commons/3/3a/Cat03.jpg" } },
            { type: "text", text: "Which of the two images shows more cats?" },
          ],
        },
      ],
      max_tokens: 64,
    },
  },
  text: {
    summary: "Text only, streamed",
    value: {
      model: "mmgpt-tiny",
      messages: [
        { role: "system", content: "Answer briefly." },
        { role: "user", content: "Name three animals that live in trees." },
      ],
      stream: true,
      stream_options: { include_usage: true },
    },
  },
};

export const chatCompletionExample: ChatCompletion = {
  id: "chatcmpl-9d2f1e7c3b",
  object: "chat.completion",
  created: 1795772400,
  model: "mmgpt-tiny",
  system_fingerprint: null,
  choices: [
    {
      index: 0,
      message: { role: "assistant", content: "A ginger cat sitting on a wooden floor.", refusal: null },
      logprobs: null,
      finish_reason: "stop",
    },
  ],
  usage: { prompt_tokens: 93, completion_tokens: 12, total_tokens: 105, prompt_tokens_details: { cached_tokens: 0 } },
};

export const chatChunkExample: ChatCompletionChunk = {
  id: "chatcmpl-9d2f1e7c3b",
  object: "chat.completion.chunk",
  created: 1795772400,
  model: "mmgpt-tiny",
  system_fingerprint: null,
  choices: [{ index: 0, delta: { content: "A ginger" }, logprobs: null, finish_reason: null }],
};
