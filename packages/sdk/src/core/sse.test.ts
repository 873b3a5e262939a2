// SSE and line decoding when the network cuts the bytes anywhere: inside UTF-8 characters,
// between CR and LF, around comments and multi-line data.
import { describe, expect, it } from "vitest";
import { bodyOf, splitBytes } from "../../test/fake-fetch";
import { readLines } from "./lines";
import { readEvents } from "./sse";

async function events(chunks: Array<string | Uint8Array>) {
  const out = [];
  for await (const event of readEvents(bodyOf(chunks))) out.push(event);
  return out;
}

async function lines(chunks: Array<string | Uint8Array>) {
  const out = [];
  for await (const line of readLines(bodyOf(chunks))) out.push(line);
  return out;
}

const STREAM = [
  ": keep-alive",
  'data: {"text":"héllo 👋 wörld"}',
  "",
  "event: update",
  "id: 7",
  "data: line one",
  "data:line two",
  "",
  "",
  ": ping",
  "data: [DONE]",
  "",
  "",
].join("\n");

const EXPECTED = [
  { event: null, data: '{"text":"héllo 👋 wörld"}', id: null },
  { event: "update", data: "line one\nline two", id: "7" },
  { event: null, data: "[DONE]", id: "7" },
];

describe("readLines", () => {
  it("splits on LF, CRLF and CR, even when a CRLF is cut between chunks", async () => {
    expect(await lines(["a\r", "\nb\rc\n", "d\r\n", "\r\ne"])).toEqual(["a", "b", "c", "d", "", "e"]);
  });

  it("keeps multi-byte characters cut between chunks", async () => {
    expect(await lines(splitBytes("€uro\n😀!\n", 1))).toEqual(["€uro", "😀!"]);
  });
});

describe("readEvents", () => {
  it("parses data, event and id fields and skips comments", async () => {
    expect(await events([STREAM])).toEqual(EXPECTED);
  });

  it.each([1, 2, 3, 5, 7, 13])("gives the same events for chunks of %i bytes", async (size) => {
    expect(await events(splitBytes(STREAM, size))).toEqual(EXPECTED);
  });

  it("gives the same events with CRLF line endings split anywhere", async () => {
    const crlf = STREAM.replaceAll("\n", "\r\n");
    for (const size of [1, 2, 4]) expect(await events(splitBytes(crlf, size))).toEqual(EXPECTED);
  });

  it("yields an event left open when the body ends", async () => {
    expect(await events(["data: last"])).toEqual([{ event: null, data: "last", id: null }]);
  });
});
