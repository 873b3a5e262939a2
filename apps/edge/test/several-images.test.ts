// Several images in one user message, through chat completions and conversations against a
// fake runner: every image reaches the runner in message order (hashes in the turn, pixels
// uploaded on image_missing), a URL named twice is fetched once, and the limits (per message,
// per merged turn, per request) are 400s naming the image before anything is fetched.
import { describe, expect, it } from "vitest";
import { Edge, type Loose } from "./helpers/edge";
import { dataUrl, forgedPng, png } from "./helpers/images";

const COLORS: Record<string, number[]> = { red: [255, 0, 0], blue: [0, 0, 255], green: [0, 160, 0] };
const url = (name: string) => `https://images.test/${name}.png`;
const image = (name: string) => ({ type: "image_url", image_url: { url: url(name) } });
const text = (t: string) => ({ type: "text", text: t });

async function setup() {
  const fetched: string[] = [];
  const edge = new Edge({
    imageFetch: async (input) => {
      const name = new URL(String(input)).pathname.slice(1, -4);
      fetched.push(name);
      const color = COLORS[name] ?? [name.length * 9, 7, 7];
      return new Response(await png(40, 30, () => color));
    },
  });
  const { key } = await edge.newKey();
  const post = (path: string, json: unknown) => edge.fetch(path, { method: "POST", key, json });
  const chat = (messages: unknown[]) => post("/v1/chat/completions", { model: "mmgpt-tiny", messages });
  const get = async (path: string) => (await (await edge.fetch(path, { key })).json()) as Record<string, Loose>;
  return { edge, post, chat, get, fetched, runner: edge.runners.get() };
}

describe("several images in one chat message", () => {
  it("reach the runner in message order; a repeated URL is fetched and uploaded once", async () => {
    const { chat, fetched, runner } = await setup();
    const res = await chat([
      { role: "user", content: [image("red"), text("Compare"), image("blue")] },
      { role: "user", content: [text("with this"), image("red")] },
    ]);
    expect(res.status).toBe(200);
    const [sent] = runner.generateCalls;
    expect(sent.turns).toHaveLength(1);
    expect(sent.turns[0].text).toBe("Compare\nwith this");
    const [red, blue, again] = sent.turns[0].images!;
    expect(again).toBe(red);
    expect(blue).not.toBe(red);
    // The hashes name the right pixels, in order.
    expect([...runner.images.get(red)!.slice(0, 3)]).toEqual(COLORS.red);
    expect([...runner.images.get(blue)!.slice(0, 3)]).toEqual(COLORS.blue);
    expect(fetched).toEqual(["red", "blue"]);
    expect(runner.calls.map((c) => `${c.method} ${c.path.replace(/[0-9a-f]{64}/, "<sha>")}`)).toEqual([
      "POST /internal/v1/generate",
      "PUT /internal/v1/images/<sha>",
      "PUT /internal/v1/images/<sha>",
      "POST /internal/v1/generate",
    ]);
  });

  it("name the failing image among several", async () => {
    const { chat, runner } = await setup();
    const bomb = { type: "image_url", image_url: { url: dataUrl(forgedPng(9e4, 9e4)) } };
    const res = await chat([{ role: "user", content: [image("red"), text("and"), bomb] }]);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      error: { code: "invalid_image", param: "messages.0.content.2.image_url.url" },
    });
    expect(runner.calls).toHaveLength(0);
  });

  const sixteen = Array.from({ length: 4 }, (_, t) => [0, 1, 2, 3].map((k) => `img${t * 4 + k}`));
  it.each([
    [
      "a fifth image in a message",
      [{ role: "user", content: [text("?"), ...["a", "b", "c", "d", "e"].map(image)] }],
      "messages.0.content.5.image_url.url",
      "at most 4 images per message",
    ],
    [
      "a fifth image in a merged user turn",
      [
        { role: "user", content: ["a", "b", "c"].map(image) },
        { role: "user", content: [text("and"), image("d"), image("e")] },
      ],
      "messages.1.content.2.image_url.url",
      "at most 4 images per user turn",
    ],
    [
      "a 17th distinct image in a request",
      [...sixteen, ["img0", "img16"]].flatMap((names, t) => [
        ...(t > 0 ? [{ role: "assistant", content: "ok" }] : []),
        { role: "user", content: names.map(image) },
      ]),
      "messages.8.content.1.image_url.url",
      "at most 16 distinct images per request",
    ],
  ])("refuse %s with a 400 naming it, before fetching anything", async (_name, messages, param, message) => {
    const { chat, fetched, runner } = await setup();
    const res = await chat(messages);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: Record<string, string> };
    expect(body.error).toMatchObject({ code: "invalid_request_error", param });
    expect(body.error.message).toContain(message);
    expect(fetched).toEqual([]);
    expect(runner.calls).toHaveLength(0);
  });
});

describe("several images in one conversation message", () => {
  it("are stored in order before the text and sent again with the history", async () => {
    const { post, get, runner } = await setup();
    const conv = (await (await post("/v1/conversations", {})).json()) as { id: string };
    const send = (content: unknown) => post(`/v1/conversations/${conv.id}/messages`, { content });
    expect((await send([text("Which is bigger?"), image("green"), image("blue")])).status).toBe(200);
    expect((await send("And the colors?")).status).toBe(200);

    const [green, blue] = runner.generateCalls[0].turns[0].images!;
    expect([...runner.images.get(green)!.slice(0, 3)]).toEqual(COLORS.green);
    expect(runner.generateCalls.at(-1)!.turns).toMatchObject([
      { role: "user", text: "Which is bigger?", images: [green, blue] },
      { role: "assistant" },
      { role: "user", text: "And the colors?" },
    ]);
    expect(runner.generateCalls.at(-1)!.turns[2].images).toBeUndefined();
    const messages = await get(`/v1/conversations/${conv.id}/messages`);
    expect(messages.data[0].content).toEqual([
      { type: "image", image: { sha256: green, file_id: null } },
      { type: "image", image: { sha256: blue, file_id: null } },
      { type: "text", text: "Which is bigger?" },
    ]);

    const five = await send(["a", "b", "c", "d", "e"].map(image));
    expect(five.status).toBe(400);
    expect(await five.json()).toMatchObject({
      error: { code: "invalid_request_error", param: "content.4.image_url.url" },
    });
  });
});
