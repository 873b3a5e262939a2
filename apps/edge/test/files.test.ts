// /v1/files: upload an image once, reference it by id in chats, read it back, list, delete.
import { describe, expect, it } from "vitest";
import { chatBody, Edge, type Loose } from "./helpers/edge";
import { png } from "./helpers/images";

async function setup() {
  const edge = new Edge();
  const { key, accountId } = await edge.newKey();
  const upload = async (bytes: Uint8Array, purpose = "vision", name = "cat.png") => {
    const form = new FormData();
    form.append("purpose", purpose);
    form.append("file", new File([bytes], name, { type: purpose === "vision" ? "image/png" : "application/jsonl" }));
    return edge.fetch("/v1/files", { method: "POST", key, body: form });
  };
  return { edge, key, accountId, upload, runner: edge.runners.get() };
}

describe("files", () => {
  it("store an image, serve it back and let chats use it by id", async () => {
    const { edge, key, upload, runner } = await setup();
    const bytes = await png(40, 30);
    const file = (await (await upload(bytes)).json()) as Record<string, Loose>;
    expect(file).toMatchObject({ object: "file", bytes: bytes.length, width: 40, height: 30, purpose: "vision" });
    expect(file.id).toMatch(/^file-/);

    const content = await edge.fetch(`/v1/files/${file.id}/content`, { key });
    expect(content.headers.get("content-type")).toBe("image/png");
    expect(new Uint8Array(await content.arrayBuffer())).toEqual(bytes);
    expect(await (await edge.fetch(`/v1/files/${file.id}`, { key })).json()).toEqual(file);

    const chat = await edge.fetch("/v1/chat/completions", {
      method: "POST",
      key,
      json: chatBody([{ type: "image_url", image_url: { url: file.id } }]),
    });
    expect(chat.status).toBe(200);
    const hash = runner.generateCalls[0].turns[0].images![0];
    expect(runner.images.get(hash)).toHaveLength(150_528); // pixels came from R2

    const del = await edge.fetch(`/v1/files/${file.id}`, { method: "DELETE", key });
    expect(await del.json()).toEqual({ id: file.id, object: "file", deleted: true });
    expect((await edge.fetch(`/v1/files/${file.id}`, { key })).status).toBe(404);
    const again = await edge.fetch("/v1/chat/completions", {
      method: "POST",
      key,
      json: chatBody([{ type: "image_url", image_url: { url: file.id } }]),
    });
    expect(again.status).toBe(404);
    expect(await again.json()).toMatchObject({ error: { param: "messages.0.content.0.image_url.url" } });
  });

  it("take an upload's type from its bytes when the client sends application/octet-stream (the openai client's streams and buffers)", async () => {
    const { edge, key } = await setup();
    const bytes = await png(12, 9);
    for (const type of ["application/octet-stream", ""]) {
      const form = new FormData();
      form.append("purpose", "vision");
      form.append("file", new File([bytes], "from-stream", { type }));
      const res = await edge.fetch("/v1/files", { method: "POST", key, body: form });
      expect(res.status, type).toBe(200);
      const file = (await res.json()) as Loose;
      // OpenAI's status fields: the openai client's files.waitForProcessing returns at once.
      expect(file).toMatchObject({ width: 12, height: 9, purpose: "vision", status: "processed", expires_at: null });
      const content = await edge.fetch(`/v1/files/${file.id}/content`, { key });
      expect(content.headers.get("content-type")).toBe("image/png");
    }
  });

  it("refuse batch_output as an upload purpose (the edge writes those files)", async () => {
    const { upload } = await setup();
    const res = await upload(new TextEncoder().encode("{}\n"), "batch_output", "out.jsonl");
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { param: "purpose" } });
  });

  it("list newest first with a purpose filter and cursor", async () => {
    const { edge, key, upload } = await setup();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(((await (await upload(await png(4 + i, 4))).json()) as { id: string }).id);
    const batch = (await (await upload(new TextEncoder().encode("{}\n"), "batch", "in.jsonl")).json()) as {
      id: string;
    };
    const all = (await (await edge.fetch("/v1/files", { key })).json()) as Loose;
    expect(all.data.map((f: Loose) => f.id)).toEqual([batch.id, ...ids.reverse()]);
    const vision = (await (
      await edge.fetch(`/v1/files?purpose=vision&limit=2&after=${ids[0]}`, { key })
    ).json()) as Loose;
    expect(vision.data.map((f: Loose) => f.id)).toEqual([ids[1], ids[2]]);
  });

  it("refuse a body that is not multipart", async () => {
    const { edge, key } = await setup();
    const res = await edge.fetch("/v1/files", { method: "POST", key, json: { purpose: "vision" } });
    expect(res.status).toBe(415);
    expect(await res.json()).toMatchObject({ error: { code: "unsupported_media_type" } });
  });
});
