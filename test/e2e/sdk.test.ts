// The SDK against the real stack (npm start): chat with an image, streamed and plain; a
// three-turn visual conversation; a file upload used as an image.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { imagePart, MMGPT, textPart } from "@mmgpt/sdk";
import { describe, expect, inject, it } from "vitest";

const image = new Uint8Array(
  readFileSync(join(import.meta.dirname, "../../apps/edge/test/vectors/images/jpeg-exif6.jpg")),
);
const client = new MMGPT({ baseURL: inject("baseURL"), apiKey: inject("apiKey") });

describe("SDK against mmgpt", () => {
  it("chat with an image, plain and streamed", async () => {
    const content = [textPart("Describe this image."), await imagePart(image)];
    const plain = await client.chat.completions.create({
      model: "mmgpt-tiny",
      max_tokens: 10,
      messages: [{ role: "user", content }],
    });
    expect(plain.choices[0].message.content!.length).toBeGreaterThan(0);
    const stream = await client.chat.completions.create({
      model: "mmgpt-tiny",
      max_tokens: 10,
      stream: true,
      messages: [{ role: "user", content }],
    });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
    expect(text.length).toBeGreaterThan(0);
  });

  it("a three-turn visual conversation keeps its history and reuses the runner's cache", async () => {
    const conv = await client.conversations.create({ metadata: { test: "e2e" } });
    const turns = ["What is in this image?", "How many objects are there?", "Describe the colors."];
    const replies = [];
    for (const [i, text] of turns.entries()) {
      const content = i === 0 ? [textPart(text), await imagePart(image)] : text;
      replies.push(await client.conversations.messages.create(conv.id, { content, max_tokens: 8 }));
    }
    // The exact prompt of the turn comes back with the reply: template, image slot, history.
    expect(replies[0].prompt).toMatch(
      /^Below is an instruction[\s\S]*### Image:\n<image>\n\n### Instruction:\nWhat is in this image\?/,
    );
    expect(replies[2].prompt).toContain("### Instruction:\nDescribe the colors.\n\n### Response:\n");
    const listed = [];
    for await (const m of client.conversations.messages.list(conv.id)) listed.push(m);
    expect(listed.length).toBe(6);
    // The third turn reuses this conversation's own cache: all of the second turn's prompt (its
    // history, which holds the first reply, is in no other cache), not only the shared template.
    const usage = replies.map(
      (r) => r.usage as { prompt_tokens: number; prompt_tokens_details?: { cached_tokens?: number } },
    );
    expect(usage[2].prompt_tokens).toBeGreaterThan(usage[1].prompt_tokens);
    expect(usage[2].prompt_tokens_details?.cached_tokens ?? 0).toBeGreaterThanOrEqual(usage[1].prompt_tokens);
    await client.conversations.delete(conv.id);
  });

  it("an uploaded image file works as an image part", async () => {
    const file = await client.files.create({ file: new Blob([image], { type: "image/jpeg" }), purpose: "vision" });
    expect(file.width).toBeGreaterThan(0);
    const r = await client.chat.completions.create({
      model: "mmgpt-tiny",
      max_tokens: 6,
      messages: [{ role: "user", content: [textPart("What is this?"), await imagePart(file.id)] }],
    });
    expect(r.choices[0].message.content!.length).toBeGreaterThan(0);
    await client.files.delete(file.id);
  });
});
