import { describe, expect, it } from "vitest";
import { vectorFile } from "../../test/helpers/vectors";
import { readHeader } from "./dimensions";
import { ImageError } from "./errors";
import { sniffFormat } from "./sniff";

function header(path: string) {
  const bytes = vectorFile(path);
  return readHeader(bytes, sniffFormat(bytes)!);
}

function failure(bytes: Uint8Array, format: Parameters<typeof readHeader>[1]): ImageError {
  try {
    readHeader(bytes, format);
  } catch (error) {
    expect(error).toBeInstanceOf(ImageError);
    return error as ImageError;
  }
  throw new Error("expected readHeader to throw");
}

describe("readHeader", () => {
  it.each([
    ["images/jpeg-large.jpg", 640, 400, "rgb", "jpeg"],
    ["images/png-rgba.png", 300, 260, "rgba", "png"],
    ["images/png-palette.png", 260, 300, "palette", "png"],
    ["images/png-gray1.png", 245, 260, "palette", "png"],
    ["images/png-la.png", 230, 290, "rgba", "png"],
    ["images/webp-lossy.webp", 400, 300, "rgb", "webp-lossy"],
    ["images/webp-lossless-alpha.webp", 256, 320, "rgba", "webp-lossless"],
    ["images/gif-offset-frame.gif", 260, 300, "palette", "gif"],
  ])("%s → %i×%i, %s, %s", (path, width, height, mode, variant) => {
    expect(header(path)).toMatchObject({ width, height, mode, variant });
  });

  it("reports the stored size of EXIF-rotated JPEGs (orientation is applied later)", () => {
    expect(header("images/jpeg-exif6.jpg")).toMatchObject({ width: 320, height: 240 });
  });

  it("refuses CMYK JPEGs as unsupported", () => {
    const cmyk = new Uint8Array([
      0xff, 0xd8, 0xff, 0xc0, 0, 20, 8, 0, 10, 0, 10, 4, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0, 4, 0x11, 0,
    ]);
    expect(failure(cmyk, "jpeg").reason).toBe("unsupported_format");
  });

  it("refuses animated WebP as unsupported", () => {
    const bytes = new Uint8Array(30);
    bytes.set(new TextEncoder().encode("RIFF\x16\0\0\0WEBPVP8X\x0a\0\0\0"));
    bytes[20] = 0x02; // animation flag
    expect(failure(bytes, "webp").reason).toBe("unsupported_format");
  });

  it("refuses malformed headers as corrupt", () => {
    const png = vectorFile("images/png-small.png");
    png[12] = 0x58; // chunk type "XHDR" instead of IHDR
    expect(failure(png, "png").reason).toBe("corrupt");
    expect(failure(new Uint8Array([0xff, 0xd8, 0xff, 0xd9]), "jpeg").reason).toBe("corrupt");
    expect(failure(new TextEncoder().encode("RIFF\0\0\0\0WEBPJUNK\0\0\0\0......"), "webp").reason).toBe("corrupt");
  });
});
