import { describe, expect, it } from "vitest";
import { byteLines, scanJsonl } from "./input";

function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const c of chunks) controller.enqueue(c);
      controller.close();
    },
  });
}

/** Splits bytes into chunks of `size`, cutting through lines and multi-byte characters. */
function chunked(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.slice(i, i + size));
  return out;
}

const request = (id: string, text: string) =>
  JSON.stringify({
    custom_id: id,
    method: "POST",
    url: "/v1/chat/completions",
    body: { model: "mmgpt-tiny", messages: [{ role: "user", content: text }] },
  });

describe("batch input", () => {
  it("byte ranges locate each line whatever the chunking (multi-byte text, CRLF, no final newline)", async () => {
    const text = `${request("a", "héllo ✓")}\r\n\n${request("b", "日本語")}\n${request("c", "end")}`;
    const bytes = new TextEncoder().encode(text);
    for (const size of [1, 3, 7, 64, bytes.length]) {
      const refs = await scanJsonl(streamOf(chunked(bytes, size)));
      expect(refs.map((r) => [r.line, r.custom_id])).toEqual([
        [1, "a"],
        [3, "b"],
        [4, "c"],
      ]);
      for (const r of refs) {
        const line = new TextDecoder().decode(bytes.subarray(r.offset, r.offset + r.length));
        expect(JSON.parse(line).custom_id).toBe(r.custom_id);
      }
    }
  });

  it("yields every line with its offset, including a last line without newline", async () => {
    const bytes = new TextEncoder().encode("ab\n\ncd");
    const seen = [];
    for await (const l of byteLines(streamOf(chunked(bytes, 2))))
      seen.push([new TextDecoder().decode(l.bytes), l.offset]);
    expect(seen).toEqual([
      ["ab", 0],
      ["", 3],
      ["cd", 4],
    ]);
  });

  it("refuses more requests than a batch may hold, naming the first extra line", async () => {
    const text = Array.from({ length: 1001 }, (_, i) => request(`r${i}`, "x")).join("\n");
    await expect(scanJsonl(streamOf([new TextEncoder().encode(text)]))).rejects.toMatchObject({
      param: "line 1001",
      message: expect.stringContaining("more than 1000 requests"),
    });
  });

  it("applies chat's image limits to each line: a merged user turn of five images is refused, naming it", async () => {
    const image = (n: number) => ({ type: "image_url", image_url: { url: `file-img${n}` } });
    const line = JSON.stringify({
      custom_id: "five",
      method: "POST",
      url: "/v1/chat/completions",
      body: {
        model: "mmgpt-tiny",
        messages: [
          { role: "user", content: [1, 2, 3].map(image) },
          { role: "user", content: [{ type: "text", text: "and" }, image(4), image(5)] },
        ],
      },
    });
    const text = `${request("ok", "x")}\n${line}`;
    await expect(scanJsonl(streamOf([new TextEncoder().encode(text)]))).rejects.toMatchObject({
      param: "line 2",
      message: expect.stringContaining(
        "line 2: body.messages.1.content.2.image_url.url: at most 4 images per user turn",
      ),
    });
  });
});
