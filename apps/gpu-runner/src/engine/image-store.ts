// Images on this runner: preprocessed pixels (224x224 RGB, as the edge sends them) and their
// media features (each gated layer's K/V), both keyed by tenant and the pixels' SHA-256 and
// kept LRU in byte budgets. A feature hit skips the vision graph; a pixel hit recomputes
// features. Tenants never share an entry: whether a hash is here (a 409 or not, a vision run
// or not) must not tell one account what another one sent.
import { PREPROCESSED_IMAGE_BYTES } from "@mmgpt/schema/internal";
import type { ImageKv, ModelRuntime } from "../model/runtime.js";
import { EngineError } from "./errors.js";
import { LruCache } from "./lru-cache.js";
import type { EngineStats } from "./stats.js";

/** open_clip's normalization (MODEL.md), applied on the runner so the edge ships bytes. */
const MEAN = [0.48145466, 0.4578275, 0.40821073];
const STD = [0.26862954, 0.26130258, 0.27577711];

const kvBytes = (kv: ImageKv) => [...kv.keys.values(), ...kv.values.values()].reduce((n, a) => n + a.byteLength, 0);

/** The cache key of one tenant's image (a tenant key has no "/"). */
const keyOf = (tenant: string, hash: string) => `${tenant}/${hash}`;

export class ImageStore {
  readonly pixels: LruCache<string, Uint8Array>;
  readonly featureCache: LruCache<string, ImageKv>;

  constructor(
    private readonly rt: ModelRuntime,
    pixelBytes: number,
    featureBytes: number,
    private readonly stats: EngineStats,
  ) {
    this.pixels = new LruCache(pixelBytes, (p) => p.byteLength);
    this.featureCache = new LruCache(featureBytes, kvBytes);
  }

  has(tenant: string, hash: string): boolean {
    const key = keyOf(tenant, hash);
    return this.featureCache.has(key) || this.pixels.has(key);
  }

  put(tenant: string, hash: string, rgb: Uint8Array): void {
    if (rgb.byteLength !== PREPROCESSED_IMAGE_BYTES)
      throw new EngineError("image_invalid", `expected ${PREPROCESSED_IMAGE_BYTES} bytes, got ${rgb.byteLength}`);
    this.pixels.set(keyOf(tenant, hash), rgb);
  }

  /** Media K/V for each of a tenant's hashes (in order), running the vision graphs once for all misses. */
  async features(tenant: string, hashes: string[]): Promise<ImageKv[]> {
    const keys = hashes.map((h) => keyOf(tenant, h));
    const missing = [...new Set(keys.filter((k) => !this.featureCache.has(k)))];
    if (missing.length) {
      const size = this.rt.config.vision.imageSize;
      const plane = size * size;
      const pixels = new Float32Array(missing.length * 3 * plane);
      missing.forEach((k, n) => {
        const rgb = this.pixels.get(k);
        if (!rgb)
          throw new EngineError("image_missing", "an image was evicted before use; send it again", {
            missing: [hashes[keys.indexOf(k)]],
          });
        if (size * size * 3 !== rgb.byteLength)
          throw new EngineError("image_invalid", `model expects ${size}x${size} images`);
        for (let i = 0; i < plane; i++) {
          for (let c = 0; c < 3; c++) pixels[(n * 3 + c) * plane + i] = (rgb[i * 3 + c] / 255 - MEAN[c]) / STD[c];
        }
      });
      const latents = await this.rt.imageLatents(pixels, missing.length);
      const kvs = await this.rt.imageKv(latents, missing.length);
      this.stats.visionRuns += missing.length;
      for (const [n, k] of missing.entries()) this.featureCache.set(k, kvs[n]);
      // The features just computed are served as computed (not read back through the cache, which
      // would count a hit for a miss; a budget smaller than them still serves this request).
      return keys.map((k) => {
        const n = missing.indexOf(k);
        return n >= 0 ? kvs[n] : this.featureCache.get(k)!;
      });
    }
    return keys.map((k) => this.featureCache.get(k)!);
  }
}
