import { describe, expect, it } from "vitest";
import { requestDigest } from "./request-digest";

const encoder = new TextEncoder();

/** A multipart body spelled by hand, as different clients spell it. */
function multipart(boundary: string, parts: Array<{ headers: string[]; body: string }>, preamble = ""): Uint8Array {
  const text =
    preamble +
    parts.map((p) => `--${boundary}\r\n${p.headers.join("\r\n")}\r\n\r\n${p.body}\r\n`).join("") +
    `--${boundary}--\r\n`;
  return encoder.encode(text);
}

const fields = (fileType = "image/png", data = "PNGDATA") => [
  { headers: ['Content-Disposition: form-data; name="purpose"'], body: "vision" },
  {
    headers: ['Content-Disposition: form-data; name="file"; filename="a.png"', `Content-Type: ${fileType}`],
    body: data,
  },
];

describe("requestDigest", () => {
  it("counts a multipart body by its fields: a new boundary or header spelling is the same request", async () => {
    const a = await requestDigest("POST", "/v1/files", "multipart/form-data; boundary=AAA", multipart("AAA", fields()));
    const b = await requestDigest(
      "POST",
      "/v1/files",
      'multipart/form-data; boundary="----WebKitFormBoundaryX"',
      multipart(
        "----WebKitFormBoundaryX",
        [
          { headers: ["content-disposition: form-data; name=purpose", "content-type: text/plain"], body: "vision" },
          {
            headers: ["Content-Type: IMAGE/PNG", 'content-disposition: form-data; filename="a.png"; name="file"'],
            body: "PNGDATA",
          },
        ],
        "preamble\r\n",
      ),
    );
    expect(b).toBe(a);
  });

  it("tells different fields, files, types, paths and orders apart", async () => {
    const digest = (body: Uint8Array, path = "/v1/files") =>
      requestDigest("POST", path, "multipart/form-data; boundary=B", body);
    const base = await digest(multipart("B", fields()));
    expect(await digest(multipart("B", fields("image/png", "OTHER")))).not.toBe(base);
    expect(await digest(multipart("B", fields("image/jpeg")))).not.toBe(base);
    expect(await digest(multipart("B", [...fields()].reverse()))).not.toBe(base);
    expect(await digest(multipart("B", fields()), "/v1/other")).not.toBe(base);
  });

  it("counts any other body, and a malformed multipart one, by its bytes", async () => {
    const json = (text: string) => requestDigest("POST", "/v1/x", "application/json", encoder.encode(text));
    expect(await json('{"a":1}')).toBe(await json('{"a":1}'));
    expect(await json('{"a":1}')).not.toBe(await json('{"a": 1}'));
    const broken = (b: string) =>
      requestDigest("POST", "/v1/files", `multipart/form-data; boundary=${b}`, encoder.encode("--B\r\nno end"));
    expect(await broken("B")).toBe(await broken("B"));
  });
});
