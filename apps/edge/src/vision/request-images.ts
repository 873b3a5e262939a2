// Resolves the images of one request: a data: URL, an https URL (safe fetcher) or a `file-…`
// id of the caller's own upload → preprocessed 224x224 RGB → sha256, stored in R2 once per
// account and hash. A URL named twice in a request is resolved once. Keeps this request's pixels in memory
// so a runner upload does not re-read R2.
import { imageUrlKind } from "@mmgpt/schema";
import type { Bindings, Deps } from "../env";
import { notFound } from "../errors/api-error";
import { findFile } from "../files/file-store";
import { fetchImage, parseDataUrl, preprocessImage } from "../images";
import type { ImageSource } from "../runner/generate";
import { toImageApiError } from "./image-error";
import { loadPreprocessed, storePreprocessed } from "./preprocessed-store";

export interface ResolvedImage {
  sha256: string;
  fileId: string | null;
}

export class RequestImages {
  private readonly pixels = new Map<string, Uint8Array>();
  private readonly byUrl = new Map<string, Promise<ResolvedImage>>();

  constructor(
    private readonly env: Bindings,
    private readonly deps: Deps,
    private readonly accountId: string,
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
    let resolved = this.byUrl.get(url);
    if (!resolved) {
      resolved = this.load(url, param);
      this.byUrl.set(url, resolved);
    }
    return resolved;
  }

  private async load(url: string, param: string): Promise<ResolvedImage> {
    try {
      const kind = imageUrlKind(url);
      if (kind === "file") return await this.fromFile(url, param);
      const bytes =
        kind === "data" ? parseDataUrl(url).bytes : (await fetchImage(url, { fetch: this.deps.imageFetch })).bytes;
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
