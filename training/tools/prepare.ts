// `prepare`: OpenAI chat fine-tuning JSONL → the token/pixel arrays PyTorch trains on.
// Prompts are rendered by the runner's renderer and tokenizer, images preprocessed by the
// edge's own pipeline (decode → EXIF → Pillow-exact CLIP resize/crop), so training sees
// exactly the ids and pixels that serving will.
//
//   node --import tsx --import ./training/tools/wasm-hooks.mjs training/tools/prepare.ts \
//     --data data/train/data.jsonl --mode instruct --out data/train/prepared [--max-tokens 512]
//
// --mode instruct: every answer (and its EOS) of every exchange is a target, nothing else.
// --mode base: each line is one image and its caption (user: the image; assistant: the caption),
//   rendered as a captioned-image sequence (renderCaption): --text-first SHARE of the lines (every
//   k-th, deterministically) caption before the image, the rest image first; caption,
//   <|endofchunk|>, EOS are targets.
// --mode text: plain text for the language side of the base stage, one {"text": …} per line,
//   rendered BOS + text + EOS, every token after BOS a target (as a LLaMA pre-trains).
// Image URLs may be data: URLs or paths relative to the JSONL file.
import { closeSync, createReadStream, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { PromptError, renderCaption, renderPrompt } from "../../apps/gpu-runner/src/prompt/index.js";
import { loadTokenizer } from "../../apps/gpu-runner/src/tokenizer/index.js";
import { type DatasetInfo, FILES, IMAGE_BYTES } from "./dataset-format.js";
import { loadEdge } from "./edge.js";
import { DataError, toConversation } from "./openai-jsonl.js";

interface Options {
  data: string;
  mode: "base" | "instruct" | "text";
  out: string;
  maxTokens: number;
  tokenizerDir?: string;
  /** base mode: the share of captions laid out text-first (0–1). */
  textFirst?: number;
}

/** Appends typed arrays to a file without holding the whole dataset in memory. */
class Sink {
  private fd: number;
  bytes = 0;
  constructor(path: string) {
    this.fd = openSync(path, "w");
  }
  write(a: ArrayBufferView) {
    writeSync(this.fd, new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    this.bytes += a.byteLength;
  }
  close() {
    closeSync(this.fd);
  }
}

export async function prepare(o: Options, log: (s: string) => void = (s) => process.stderr.write(`${s}\n`)) {
  const tok = await loadTokenizer(o.tokenizerDir);
  const { preprocessImage, parseDataUrl, toTurns } = await loadEdge();
  mkdirSync(o.out, { recursive: true });
  const sinks = {
    tokens: new Sink(join(o.out, FILES.tokens)),
    targets: new Sink(join(o.out, FILES.targets)),
    samples: new Sink(join(o.out, FILES.samples)),
    imageRefs: new Sink(join(o.out, FILES.imageRefs)),
    pixels: new Sink(join(o.out, FILES.pixels)),
  };
  const imageIndex = new Map<string, number>(); // url → index, then sha256 → index
  const bySha = new Map<string, number>();
  const base = dirname(resolve(o.data));
  const info: DatasetInfo = {
    format: "mmgpt-train-data/1",
    mode: o.mode,
    source: o.data,
    samples: 0,
    tokens: 0,
    targetTokens: 0,
    images: 0,
    imageRefs: 0,
    skipped: {},
    maxSampleTokens: 0,
  };
  const skip = (why: string) => {
    info.skipped[why] = (info.skipped[why] ?? 0) + 1;
  };

  async function imageOf(url: string): Promise<number> {
    const known = imageIndex.get(url);
    if (known !== undefined) return known;
    let bytes: Uint8Array;
    if (url.startsWith("data:")) bytes = parseDataUrl(url).bytes;
    else if (/^[a-z]+:/i.test(url))
      throw new DataError(`image URL ${url.slice(0, 40)}…: only data: URLs and file paths are read here`);
    else bytes = readFileSync(isAbsolute(url) ? url : join(base, url));
    const img = await preprocessImage(bytes);
    let index = bySha.get(img.sha256);
    if (index === undefined) {
      index = info.images++;
      bySha.set(img.sha256, index);
      sinks.pixels.write(img.rgb);
    }
    imageIndex.set(url, index);
    return index;
  }

  const t0 = performance.now();
  const lines = createInterface({ input: createReadStream(o.data), crlfDelay: Number.POSITIVE_INFINITY });
  let lineNo = 0;
  for await (const raw of lines) {
    lineNo++;
    if (raw.trim() === "") continue;
    let ids: number[];
    let targets: Uint8Array;
    let refs: number[];
    try {
      const line = JSON.parse(raw);
      if (o.mode === "text") {
        if (typeof line?.text !== "string" || line.text.trim() === "")
          throw new DataError('a text line is {"text": …}');
        ids = [tok.special.bos, ...tok.encode(line.text.trim()), tok.special.eos];
        targets = new Uint8Array(ids.length).fill(1, 1);
        refs = [];
      } else if (o.mode === "base") {
        const conv = toConversation(line, toTurns);
        const [user, answer] = conv.turns;
        if (conv.turns.length !== 2 || user.images?.length !== 1) {
          throw new DataError("a base-stage line is one user message with one image and the caption");
        }
        // Spread the layouts evenly over the file: line n is text-first when the running share
        // crosses an integer there.
        const share = o.textFirst ?? 0;
        const textFirst = Math.floor(lineNo * share) > Math.floor((lineNo - 1) * share);
        const r = renderCaption(tok, answer.text, textFirst ? "text-first" : "image-first");
        ids = r.ids;
        targets = r.targets;
        refs = [await imageOf(user.images[0] as string)];
      } else {
        const r = renderPrompt(tok, toConversation(line, toTurns), { complete: true });
        ids = r.ids;
        targets = new Uint8Array(ids.length);
        let at = 0;
        for (const turn of r.turns) {
          targets.fill(1, at + turn.promptLength, at + turn.ids.length);
          at += turn.ids.length;
        }
        refs = [];
        for (const p of r.images) refs.push(await imageOf(p.image as string));
      }
    } catch (e) {
      if (
        e instanceof DataError ||
        e instanceof PromptError ||
        e instanceof SyntaxError ||
        (e as Error).name === "ImageError"
      ) {
        // The first few reasons in full; the rest are counted in info.json.
        if (Object.values(info.skipped).reduce((a, b) => a + b, 0) < 10)
          log(`line ${lineNo}: skipped: ${(e as Error).message}`);
        skip((e as Error).name === "ImageError" ? "bad image" : "invalid example");
        continue;
      }
      throw e;
    }
    if (ids.length > o.maxTokens) {
      skip(`longer than ${o.maxTokens} tokens`);
      continue;
    }
    sinks.samples.write(Int32Array.of(info.tokens, ids.length, info.imageRefs, refs.length));
    sinks.tokens.write(Int32Array.from(ids));
    sinks.targets.write(targets);
    sinks.imageRefs.write(Int32Array.from(refs));
    info.samples++;
    info.tokens += ids.length;
    info.targetTokens += targets.reduce((a, b) => a + b, 0);
    info.imageRefs += refs.length;
    info.maxSampleTokens = Math.max(info.maxSampleTokens, ids.length);
    if (info.samples % 2000 === 0) {
      const s = (performance.now() - t0) / 1000;
      log(`prepare: ${info.samples} samples, ${info.images} images, ${info.tokens} tokens (${s.toFixed(0)} s)`);
    }
  }
  for (const s of Object.values(sinks)) s.close();
  if (sinks.pixels.bytes !== info.images * IMAGE_BYTES) throw new Error("internal: pixel file size");
  writeFileSync(join(o.out, FILES.info), `${JSON.stringify(info, null, 2)}\n`);
  log(
    `prepare: done: ${info.samples} samples, ${info.tokens} tokens (${info.targetTokens} targets), ${info.images} images in ${((performance.now() - t0) / 1000).toFixed(1)} s; skipped ${JSON.stringify(info.skipped)}`,
  );
  return info;
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith("prepare.ts")) {
  const { values } = parseArgs({
    options: {
      data: { type: "string" },
      mode: { type: "string", default: "instruct" },
      out: { type: "string" },
      "max-tokens": { type: "string", default: "512" },
      "tokenizer-dir": { type: "string" },
      "text-first": { type: "string", default: "0" },
    },
  });
  const share = Number(values["text-first"]);
  if (
    !values.data ||
    !values.out ||
    !["base", "instruct", "text"].includes(values.mode ?? "") ||
    !(share >= 0 && share <= 1)
  ) {
    process.stderr.write(
      "usage: prepare.ts --data FILE.jsonl --out DIR [--mode instruct|base|text] [--max-tokens N] [--text-first 0..1]\n",
    );
    process.exit(2);
  }
  await prepare({
    data: values.data,
    out: values.out,
    mode: values.mode as Options["mode"],
    maxTokens: Number(values["max-tokens"]),
    tokenizerDir: values["tokenizer-dir"],
    textFirst: Number(values["text-first"]),
  });
}
