// Resolves the images of one request: a data: URL, an https URL (safe fetcher) or a `file-…`
// id of the caller's own upload → preprocessed 224x224 RGB → sha256, stored in R2 once per
// account and hash. Keeps this request's pixels in memory so a runner upload does not re-read R2.
// Bounded whatever route builds the request (issue #15: one request must not hold the edge on
// image fetches): an image named twice (the same URL up to its #fragment) is resolved once, at
// most LIMITS.maxImagesPerRequest distinct ones are resolved, and all its fetches share one
// time budget (FETCH_BUDGET_MS) instead of FETCH_TIMEOUT_MS each.
import { imageUrlKind, LIMITS } from "@mmgpt/schema";
import type { Bindings, Deps } from "../env";
import { ApiError, notFound } from "../errors/api-error";
import { findFile } from "../files/file-store";
import { FETCH_TIMEOUT_MS, fetchImage, ImageError, parseDataUrl, preprocessImage } from "../images";
import type { ImageSource } from "../runner/generate";
import { toImageApiError } from "./image-error";
import { loadPreprocessed, storePreprocessed } from "./preprocessed-store";

export interface ResolvedImage {
  sha256: string;
  fileId: string | null;
}

/** Time all of one request's image URL fetches may take together. */
export const FETCH_BUDGET_MS = 20_000;

/** What makes two references the same image: an https URL without its fragment (never sent). */
function identity(url: string): string {
  if (imageUrlKind(url) !== "https") return url;
  try {
    const parsed = new URL(url);
    parsed.hash = "";
    return parsed.href;
  } catch {
    return url; // the fetcher reports the bad URL
  }
}

export class RequestImages {
  private readonly pixels = new Map<string, Uint8Array>();
  private readonly byUrl = new Map<string, Promise<ResolvedImage>>();
  /** When this request's fetch budget runs out (set by its first fetch). */
  private fetchDeadline = 0;

  constructor(
    private readonly env: Bindings,
    private readonly deps: Deps,
    private readonly accountId: string,
    private readonly fetchBudgetMs = FETCH_BUDGET_MS,
  ) {}

  /** Several images, in order, one at a time: decoding holds the full canvas, and a Worker has 128 MB. */
  async resolveAll(images: ReadonlyArray<{ url: string; param: string }>): Promise<ResolvedImage[]> {
    const out: ResolvedImage[] = [];
    for (const { url, param } of images) out.push(await this.resolve(url, param));
    return out;
  }

  /**
   * `param` names the field in errors (e.g. `messages.2.content.1.image_url.url`); a repeated
   * URL answers with its first resolution (whose failure has already failed the request).
   */
  private resolve(url: string, param: string): Promise<ResolvedImage> {
    const key = identity(url);
    let resolved = this.byUrl.get(key);
    if (!resolved) {
      if (this.byUrl.size >= LIMITS.maxImagesPerRequest) {
        throw new ApiError(
          "invalid_request_error",
          `at most ${LIMITS.maxImagesPerRequest} distinct images per request`,
          { param },
        );
      }
      resolved = this.load(url, param);
      this.byUrl.set(key, resolved);
    }
    return resolved;
  }

  /** Downloads an image URL within what is left of the request's fetch budget. */
  private async download(url: string): Promise<Uint8Array> {
    const now = Date.now();
    if (this.fetchDeadline === 0) this.fetchDeadline = now + this.fetchBudgetMs;
    const left = this.fetchDeadline - now;
    if (left <= 0) {
      throw new ImageError(
        "fetch_failed",
        `The request's image URLs took more than ${this.fetchBudgetMs} ms to fetch.`,
      );
    }
    return (await fetchImage(url, { fetch: this.deps.imageFetch, timeoutMs: Math.min(FETCH_TIMEOUT_MS, left) })).bytes;
  }

  private async load(url: string, param: string): Promise<ResolvedImage> {
    try {
      const kind = imageUrlKind(url);
      if (kind === "file") return await this.fromFile(url, param);
      const bytes = kind === "data" ? parseDataUrl(url).bytes : await this.download(url);
      const image = await preprocessImage(bytes);
      this.pixels.set(image.sha256, image.rgb);
      await storePreprocessed(this.env.BUCKET, this.accountId, image.sha256, image.rgb);
      return { sha256: image.sha256, fileId: null };
    } catch (error) {
      throw toImageApiError(error, param);
    }
  }

  private async fromFile(fileId: string, param: string): Promise<ResolvedImage> {
    const file = await findFile(this.env.DB, this.accountId, fileId);
    if (!file?.preprocessed_sha256) throw notFound("vision file", param);
    return { sha256: file.preprocessed_sha256, fileId };
  }

  /** Pixels for a runner upload: this request's memory first, else R2 (older turns). */
  readonly source: ImageSource = async (sha256) =>
    this.pixels.get(sha256) ?? loadPreprocessed(this.env.BUCKET, this.accountId, sha256);
}
