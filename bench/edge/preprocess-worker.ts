// Benchmark-only worker: POST an image, get its preprocessed sha256 (the edge's real pipeline:
// sniff, header limits, decode, EXIF, Pillow-compatible resize + crop, hash). /noop measures
// the request path alone, so the script can subtract it.
import { preprocessImage } from "../../apps/edge/src/images/index";

export default {
  async fetch(request: Request): Promise<Response> {
    if (new URL(request.url).pathname === "/noop") {
      await request.arrayBuffer();
      return new Response("ok");
    }
    const result = await preprocessImage(new Uint8Array(await request.arrayBuffer()));
    return new Response(result.sha256);
  },
};
