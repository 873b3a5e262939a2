// File uploads from each input kind (multipart), and the other file methods.
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fakeClient, json } from "../../test/fake-fetch";
import { JPEG, PNG } from "../../test/fixtures";

const file = { id: "file-1", object: "file", purpose: "vision", filename: "cat.png" };

async function uploaded(request: Request) {
  const form = await request.formData();
  const part = form.get("file") as File;
  return {
    purpose: form.get("purpose"),
    name: part.name,
    type: part.type,
    bytes: new Uint8Array(await part.arrayBuffer()),
  };
}

describe("files.create", () => {
  it("uploads a File as multipart/form-data with its name", async () => {
    const { client, requests } = fakeClient([json(file)]);
    const result = await client.files.create({
      file: new File([PNG], "cat.png", { type: "image/png" }),
      purpose: "vision",
    });
    expect(result.id).toBe("file-1");
    const request = requests[0]!;
    expect(`${request.method} ${request.url}`).toBe("POST https://api.test/v1/files");
    expect(request.headers.get("content-type")).toMatch(/^multipart\/form-data; boundary=/);
    expect(request.headers.get("idempotency-key")).toBeTruthy();
    expect(await uploaded(request)).toEqual({ purpose: "vision", name: "cat.png", type: "image/png", bytes: PNG });
  });

  it("uploads bytes (a Buffer) with a sniffed type and the given filename", async () => {
    const { client, requests } = fakeClient([json(file)]);
    await client.files.create({ file: Buffer.from(JPEG), purpose: "vision", filename: "photo.jpg" });
    expect(await uploaded(requests[0]!)).toMatchObject({ name: "photo.jpg", type: "image/jpeg", bytes: JPEG });
  });

  it("uploads a Blob and batch JSONL", async () => {
    const { client, requests } = fakeClient([json(file)]);
    const jsonl = new TextEncoder().encode('{"custom_id":"a"}\n');
    await client.files.create({ file: new Blob([PNG]), purpose: "vision" });
    await client.files.create({ file: jsonl, purpose: "batch", filename: "in.jsonl" });
    expect(await uploaded(requests[0]!)).toMatchObject({ name: "upload", bytes: PNG });
    expect(await uploaded(requests[1]!)).toMatchObject({
      purpose: "batch",
      type: "application/jsonl",
      name: "in.jsonl",
    });
  });

  it("reads a path in Node", async () => {
    const dir = await mkdtemp(join(tmpdir(), "mmgpt-sdk-"));
    const path = join(dir, "kitten.png");
    await writeFile(path, PNG);
    const { client, requests } = fakeClient([json(file)]);
    await client.files.create({ file: path, purpose: "vision" });
    expect(await uploaded(requests[0]!)).toEqual({
      purpose: "vision",
      name: "kitten.png",
      type: "image/png",
      bytes: PNG,
    });
  });

  it("resends the same form on a retry", async () => {
    const down = new Response("{}", { status: 503 });
    const { client, requests } = fakeClient([down, json(file)]);
    await client.files.create({ file: PNG, purpose: "vision" });
    expect(requests).toHaveLength(2);
    expect((await uploaded(requests[1]!)).bytes).toEqual(PNG);
    expect(requests[1]!.headers.get("idempotency-key")).toBe(requests[0]!.headers.get("idempotency-key"));
  });
});

describe("files", () => {
  it("retrieve, delete and list hit their method and path", async () => {
    const list = { object: "list", data: [file], has_more: false, first_id: "file-1", last_id: "file-1" };
    const { client, requests } = fakeClient([json(file), json({ id: "file-1", deleted: true }), json(list)]);
    await client.files.retrieve("file-1");
    await client.files.delete("file-1");
    const items = [];
    for await (const f of client.files.list({ purpose: "batch", limit: 10 })) items.push(f.id);
    expect(items).toEqual(["file-1"]);
    expect(requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      "GET https://api.test/v1/files/file-1",
      "DELETE https://api.test/v1/files/file-1",
      "GET https://api.test/v1/files?purpose=batch&limit=10",
    ]);
  });

  it("content returns the raw response", async () => {
    const { client, requests } = fakeClient([new Response(PNG, { headers: { "content-type": "image/png" } })]);
    const response = await client.files.content("file-1");
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(PNG);
    expect(requests[0]!.url).toBe("https://api.test/v1/files/file-1/content");
  });
});
