// Pixel decoding inside workerd: @jsquash codecs for JPEG and WebP (WebAssembly, instantiated
// from the imported `.wasm` modules: Workers cannot fetch or compile wasm at runtime), our own
// PNG decoder on native zlib (png.ts), omggif for GIF.
// Every decoder failure becomes an ImageError; a JPEG/WebP instance is replaced after one
// (cheap insurance: the heap of an interrupted run is in an unknown state).
import jpegWasm from "@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm";
import decodeJpeg, { init as initJpegCodec } from "@jsquash/jpeg/decode.js";
import webpWasm from "@jsquash/webp/codec/dec/webp_dec.wasm";
import decodeWebp, { init as initWebpCodec } from "@jsquash/webp/decode.js";
import type { ImageHeader, PixelMode } from "./dimensions";
import { guardDecoder, ImageError } from "./errors";
import { decodeGifFirstFrame } from "./gif";
import { hasEndOfImage, jpegSegments } from "./jpeg-segments";
import type { RgbaImage } from "./orientation";
import { decodePng } from "./png";
import type { ImageFormat } from "./sniff";

export interface DecodedImage {
  image: RgbaImage; // as stored, before EXIF orientation
  mode: PixelMode;
  /**
   * Bytes the decode itself held at its peak, measured: the wasm instance's heap (it never
   * shrinks, so its size after the run is its peak) plus the RGBA copy handed to JS; for the JS
   * decoders, the buffers they allocate. The caller's input is not included.
   */
  workingBytes: number;
}

interface JsquashImage {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

// jsquash's typings only declare the options argument; at runtime init(module) is the API.
type EmscriptenInit = (module: WebAssembly.Module, overrides: object) => Promise<void>;

interface Codec {
  ready: Promise<void> | undefined;
  memory: WebAssembly.Memory | undefined;
}
const jpeg: Codec = { ready: undefined, memory: undefined };
const webp: Codec = { ready: undefined, memory: undefined };

/**
 * Emscripten overrides: quiet (libjpeg prints "Corrupt JPEG data: ..." on recoverable damage)
 * and instantiating the module ourselves (as jsquash would) to keep its memory for measuring.
 */
function overrides(module: WebAssembly.Module, codec: Codec) {
  return {
    print: () => {},
    printErr: () => {},
    instantiateWasm(imports: WebAssembly.Imports, done: (instance: WebAssembly.Instance) => void) {
      const instance = new WebAssembly.Instance(module, imports);
      const exported = Object.values(instance.exports).find((e) => e instanceof WebAssembly.Memory);
      const imported = Object.values(imports)
        .flatMap((m) => Object.values(m))
        .find((e) => e instanceof WebAssembly.Memory);
      codec.memory = (exported ?? imported) as WebAssembly.Memory | undefined;
      done(instance);
      return instance.exports;
    },
  };
}

// A wasm heap never shrinks: after a large decode the instance would pin its peak (≈ 4–7 bytes
// per pixel) for the isolate's lifetime. Dropping it lets V8 reclaim that memory; instantiating
// the already-compiled module again is cheap (no compilation).
const KEEP_INSTANCE_MAX_PIXELS = 2_000_000;

async function run(
  codec: Codec,
  init: () => Promise<void>,
  decode: (buffer: ArrayBuffer) => Promise<unknown>,
  buffer: ArrayBuffer,
): Promise<{ image: JsquashImage; heapBytes: number }> {
  codec.ready ??= init();
  await codec.ready;
  try {
    const image = (await decode(buffer)) as JsquashImage;
    const heapBytes = codec.memory?.buffer.byteLength ?? 0;
    if (image.width * image.height > KEEP_INSTANCE_MAX_PIXELS) codec.ready = undefined;
    return { image, heapBytes };
  } catch (error) {
    codec.ready = undefined; // wasm has no unwinding cleanup: after a failed run, use a fresh instance
    throw error;
  }
}

const runJpeg = (buffer: ArrayBuffer) =>
  run(
    jpeg,
    () => (initJpegCodec as unknown as EmscriptenInit)(jpegWasm, overrides(jpegWasm, jpeg)),
    (b) => decodeJpeg(b, { preserveOrientation: false }),
    buffer,
  );

const runWebp = (buffer: ArrayBuffer) =>
  run(
    webp,
    () => (initWebpCodec as unknown as EmscriptenInit)(webpWasm, overrides(webpWasm, webp)),
    decodeWebp,
    buffer,
  );

const FORMAT_NAMES: Record<ImageFormat, string> = { jpeg: "JPEG", png: "PNG", webp: "WebP", gif: "GIF" };

/** Decodes to RGBA at the header's size; `header.mode` is refined for GIF. */
export async function decodePixels(bytes: Uint8Array, format: ImageFormat, header: ImageHeader): Promise<DecodedImage> {
  const name = FORMAT_NAMES[format];
  if (format === "gif") {
    const gif = await guardDecoder(name, () => decodeGifFirstFrame(bytes));
    return { image: gif.image, mode: gif.mode, workingBytes: gif.workingBytes };
  }
  if (format === "png") {
    const png = await guardDecoder(name, () => decodePng(bytes, header));
    return { image: png.image, mode: header.mode, workingBytes: png.workingBytes };
  }
  if (format === "jpeg") assertJpegComplete(bytes);
  // The codecs take an ArrayBuffer holding exactly the file. ArrayBuffer#slice copies for any
  // view; Uint8Array#slice would not for a Node Buffer (a view into a shared pool), which then
  // handed the codec the whole pool (the training tools run this pipeline in Node).
  const buffer =
    bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
      ? bytes.buffer
      : bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const runCodec = format === "jpeg" ? runJpeg : runWebp;
  const { image: decoded, heapBytes } = await guardDecoder(name, () => runCodec(buffer as ArrayBuffer));
  if (decoded.width !== header.width || decoded.height !== header.height) {
    throw new ImageError(
      "corrupt",
      `The ${name} image decodes to ${decoded.width}×${decoded.height} but declares ${header.width}×${header.height}.`,
    );
  }
  const data = new Uint8Array(decoded.data.buffer, decoded.data.byteOffset, decoded.data.byteLength);
  const copied = buffer === bytes.buffer ? 0 : buffer.byteLength;
  return {
    image: { data, width: decoded.width, height: decoded.height },
    mode: header.mode,
    workingBytes: heapBytes + data.byteLength + copied,
  };
}

/** libjpeg fills a truncated scan with gray and only warns; refuse it as Pillow does. */
function assertJpegComplete(bytes: Uint8Array): void {
  let scanStart = bytes.length;
  try {
    for (const segment of jpegSegments(bytes)) {
      if (segment.marker === 0xda) scanStart = segment.end;
    }
  } catch (cause) {
    throw new ImageError("corrupt", "The JPEG image is truncated or malformed before its image data.", { cause });
  }
  if (!hasEndOfImage(bytes, scanStart)) {
    throw new ImageError("corrupt", "The JPEG image is truncated: it has no end-of-image marker.");
  }
}
