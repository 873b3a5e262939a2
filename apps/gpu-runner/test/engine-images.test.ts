// Several images in one user turn, through the engine on the tiny model (fp32 KV cache): every
// logits row a token is chosen from equals the float64 reference over the rendered prompt
// (MODEL.md's v1 media masking: text between two images attends to the next one), and a second
// turn reuses the cache as the cache-reuse rule allows and matches a cold run.
import type { GenerateRequest } from "@mmgpt/schema/internal";
import { beforeAll, describe, expect, it } from "vitest";
import { Engine } from "../src/engine/engine.js";
import type { EngineEvent } from "../src/engine/job.js";
import { referenceForward, referenceMediaLatents } from "../src/model/reference/index.js";
import type { ModelRuntime } from "../src/model/runtime.js";
import { renderPrompt } from "../src/prompt/index.js";
import { servingBuild } from "../src/server/load-model.js";
import { loadTokenizer } from "../src/tokenizer/index.js";
import type { Tokenizer } from "../src/tokenizer/types.js";
import { greedyParams, maxAbsDiff, rgbImage, TEST_TENANT, tinyModel } from "./tiny-model.js";

const TOL = 1e-4;
const model = tinyModel();
const { config } = model;
const V = config.language.vocabSize;
const IMAGES = [1, 2, 3].map(rgbImage);
const [A, B, C] = IMAGES;
let rt: ModelRuntime;
let tokenizer: Tokenizer;

beforeAll(async () => {
  rt = await model.load(servingBuild({ precision: "fp32", kvDtype: "fp32" }));
  tokenizer = await loadTokenizer();
});

type Turns = GenerateRequest["turns"];
/** Each engine's logits rows by request id, in the order tokens were chosen. */
type LogitsLog = Map<string, Float32Array[]>;

function engine(log: LogitsLog): Engine {
  const e = new Engine(rt, tokenizer, {
    maxBatch: 2,
    slots: 2,
    maxQueue: 4,
    maxContext: 512,
    prefillChunk: 16,
    imageFeatureBytes: 16 << 20,
    imagePixelBytes: 16 << 20,
    onLogits: (id, l) => log.set(id, [...(log.get(id) ?? []), Float32Array.from(l)]),
  });
  for (const img of IMAGES) e.images.put(TEST_TENANT, img.hash, img.bytes);
  return e;
}

async function generate(e: Engine, id: string, turns: Turns) {
  const req: GenerateRequest = {
    request_id: id,
    model: "mmgpt-tiny",
    tenant: TEST_TENANT,
    turns,
    params: greedyParams(),
    stream: true,
  };
  const events: EngineEvent[] = [];
  for await (const ev of e.events(e.submit(req))) events.push(ev);
  const [start, done] = [events[0], events.at(-1)];
  if (start?.type !== "start" || done?.type !== "done") throw new Error("no start or done event");
  return { start, done };
}

/** open_clip's normalization as MODEL.md states it, for the reference's own vision tower. */
function normalized(rgb: Uint8Array): Float32Array {
  const [mean, std] = [
    [0.48145466, 0.4578275, 0.40821073],
    [0.26862954, 0.26130258, 0.27577711],
  ];
  const plane = rgb.length / 3;
  const out = new Float32Array(rgb.length);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) out[c * plane + i] = (rgb[i * 3 + c] / 255 - mean[c]) / std[c];
  }
  return out;
}

const latents = new Map<string, Float64Array>();
function referenceLatents(hash: string): Float64Array {
  const img = IMAGES.find((i) => i.hash === hash)!;
  if (!latents.has(hash)) latents.set(hash, referenceMediaLatents(config, model.refWeights(), normalized(img.bytes)));
  return latents.get(hash)!;
}

/** The greedy choice from a logits row: `<image>` and `<PAD>` are never generated. */
function chosen(row: Float32Array): number {
  let best = -1;
  for (let id = 0; id < row.length; id++) {
    if (id === config.tokens.image || id === config.tokens.pad) continue;
    if (best < 0 || row[id] > row[best]) best = id;
  }
  return best;
}

/** Every observed row against the reference over prompt + the tokens chosen before it. */
function expectReference(turns: Turns, rows: Float32Array[]): void {
  const prompt = renderPrompt(tokenizer, { turns });
  const ids = [...prompt.ids, ...rows.slice(0, -1).map(chosen)];
  const images = prompt.images.map((p) => referenceLatents(p.image as string));
  const want = referenceForward(config, model.refWeights(), ids, images, { lora: true });
  rows.forEach((row, k) => {
    const t = prompt.ids.length - 1 + k;
    expect(maxAbsDiff(row, want.subarray(t * V, (t + 1) * V)), `row ${k}`).toBeLessThan(TOL);
  });
}

describe("several images in one user turn", () => {
  const turn1: Turns = [{ role: "user", text: "Which of the two has more red?", images: [A.hash, B.hash] }];

  it("gives the float64 reference's logits at every generated token", async () => {
    const log: LogitsLog = new Map();
    const { start } = await generate(engine(log), "two", turn1);
    expect(renderPrompt(tokenizer, { turns: turn1 }).images.map((p) => p.image)).toEqual([A.hash, B.hash]);
    expect(start.prompt_tokens).toBe(renderPrompt(tokenizer, { turns: turn1 }).ids.length);
    expect(log.get("two")).toHaveLength(greedyParams().max_tokens);
    expectReference(turn1, log.get("two")!);
  });

  it("the images' order matters (the text between them attends to the second)", async () => {
    const log: LogitsLog = new Map();
    const e = engine(log);
    await generate(e, "ab", turn1);
    await generate(e, "ba", [{ ...turn1[0], images: [B.hash, A.hash] }]);
    expect(maxAbsDiff(log.get("ab")![0], log.get("ba")![0])).toBeGreaterThan(1e-3);
  });

  it.each([
    ["a text-only second turn reuses at least the first prompt", undefined],
    ["a second turn with two new images reuses up to the last old image", [C.hash, A.hash]],
  ])("%s, and matches a cold run and the reference", async (_name, images) => {
    const log: LogitsLog = new Map();
    const warm = engine(log);
    const r1 = await generate(warm, "t1", turn1);
    const turns: Turns = [
      ...turn1,
      { role: "assistant", text: r1.done.text },
      { role: "user", text: "And now?", ...(images ? { images } : {}) },
    ];
    const r2 = await generate(warm, "t2", turns);
    const prompt = renderPrompt(tokenizer, { turns });
    // v1 masking: a new image changes what the text after the previous image attends to, so the
    // cache is valid only up to and including that image (MODEL.md, "Adding an image later").
    // Without one, all of turn 1's prompt is reused (its reply too, where it re-tokenizes alike).
    const lastOldImage = prompt.images.filter((p) => p.turn === 0).at(-1)!.index;
    if (images) expect(r2.start.cached_tokens).toBe(lastOldImage + 1);
    else expect(r2.start.cached_tokens).toBeGreaterThanOrEqual(prompt.turns[0].promptLength);
    expect(r2.start.prompt_tokens).toBe(prompt.ids.length);

    const cold = await generate(engine(log), "cold", turns);
    expect(cold.start.cached_tokens).toBe(0);
    expect(r2.done.text).toBe(cold.done.text);
    log.get("t2")!.forEach((row, k) => {
      expect(maxAbsDiff(row, log.get("cold")![k])).toBeLessThan(TOL);
    });
    expectReference(turns, log.get("t2")!);
  });
});
