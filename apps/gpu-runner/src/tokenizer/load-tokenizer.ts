// Chooses the tokenizer: the user's own `tokenizer.model` when the checkpoint dir has one,
// else the built-in LLaMA vocab. Both become the same SentencePieceTokenizer.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { llamaModel } from "./llama-vocab.js";
import { parseModelProto } from "./model-proto.js";
import { SentencePieceTokenizer } from "./sentencepiece-tokenizer.js";

export async function loadTokenizer(dir?: string): Promise<SentencePieceTokenizer> {
  if (dir !== undefined) {
    const path = join(dir, "tokenizer.model");
    let bytes: Uint8Array | undefined;
    try {
      bytes = await readFile(path);
    } catch (err) {
      // Only a missing file falls back to the built-in vocab; an unreadable one is an error.
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
    if (bytes) {
      try {
        return new SentencePieceTokenizer(parseModelProto(bytes));
      } catch (err) {
        throw new Error(`${path}: ${(err as Error).message}`, { cause: err });
      }
    }
  }
  return new SentencePieceTokenizer(await llamaModel());
}
