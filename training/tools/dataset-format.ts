// The prepared dataset PyTorch trains on (training/mmgpt/data.py reads it): token ids, which
// positions are targets, each sample's images, and the CLIP-preprocessed pixels, as flat
// little-endian arrays beside an info.json. Everything model-facing was decided in TypeScript.

export const FILES = {
  /** int32: every sample's token ids, back to back. */
  tokens: "tokens.i32",
  /** uint8 per token: 1 where the token is a training target (predicted from the one before). */
  targets: "targets.u8",
  /** int32 × 4 per sample: first token, token count, first image ref, image count. */
  samples: "samples.i32",
  /** int32: image indices (into pixels.u8) of each sample, in the order of its <image> ids. */
  imageRefs: "image-refs.i32",
  /** uint8: unique images, 224 × 224 × 3 HWC each, exactly what the edge sends the runner. */
  pixels: "pixels.u8",
  info: "info.json",
} as const;

export const IMAGE_BYTES = 224 * 224 * 3;

export interface DatasetInfo {
  format: "mmgpt-train-data/1";
  mode: "base" | "instruct" | "text";
  source: string;
  samples: number;
  tokens: number;
  targetTokens: number;
  images: number;
  imageRefs: number;
  /** Samples dropped, by reason. */
  skipped: Record<string, number>;
  maxSampleTokens: number;
}
