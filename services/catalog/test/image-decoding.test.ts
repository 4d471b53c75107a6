import sharp from "sharp";
import { beforeAll, describe, expect, it } from "vitest";
import { decodeImage, maxImagePixels } from "../src/domain/image-decoding.ts";
import {
  marker,
  pngBomb,
  productPng,
  sampleImages,
  signatureThenHtml,
  withTrailer,
} from "./image-fixtures.ts";

let samples: Awaited<ReturnType<typeof sampleImages>>;
beforeAll(async () => {
  samples = await sampleImages();
});

async function pixels(image: Buffer): Promise<Buffer> {
  return sharp(image).raw().toBuffer();
}

describe("decodeImage", () => {
  it("accepts a demo PNG and keeps its pixels exactly", async () => {
    const png = productPng({ sku: "DEMO-1", category: "Audio" });
    const result = await decodeImage(png, "image/png");
    if (!result.ok) throw new Error(result.detail);
    expect(result).toMatchObject({ width: 256, height: 256 });
    expect(await pixels(result.bytes)).toEqual(await pixels(png));
  });

  it("accepts each type as itself, re-encoded without metadata", async () => {
    for (const [format, bytes] of Object.entries(samples)) {
      const result = await decodeImage(bytes, `image/${format}` as "image/png");
      if (!result.ok) throw new Error(result.detail);
      const metadata = await sharp(result.bytes).metadata();
      expect(metadata).toMatchObject({ format, width: 64, height: 48 });
      expect(metadata.exif).toBeUndefined();
    }
    expect((await sharp(samples.jpeg).metadata()).exif).toBeDefined();
  });

  it("refuses a PNG signature followed by anything but a PNG", async () => {
    expect(await decodeImage(signatureThenHtml(), "image/png")).toEqual({
      ok: false,
      reason: "format",
      detail: "The body is not a PNG image: its header does not decode",
    });
  });

  it("refuses bytes of another type than declared, and a truncated image", async () => {
    expect(await decodeImage(samples.png, "image/jpeg")).toEqual({
      ok: false,
      reason: "format",
      detail: "The body is not a JPEG image: its first bytes are those of image/png",
    });
    const webpSignatureOnly = Buffer.concat([Buffer.from("RIFF"), Buffer.alloc(4), Buffer.from("WEBPVP8 ")]);
    expect(await decodeImage(webpSignatureOnly, "image/webp")).toMatchObject({ ok: false, reason: "format" });
    const png = productPng({ sku: "DEMO-2", category: "Books" });
    expect(await decodeImage(png.subarray(0, png.length - 300), "image/png")).toEqual({
      ok: false,
      reason: "format",
      detail: "The body is not a PNG image: its data does not decode (truncated or corrupt)",
    });
  });

  it("drops whatever follows the image's end", async () => {
    const result = await decodeImage(withTrailer(samples.png), "image/png");
    if (!result.ok) throw new Error(result.detail);
    expect(result.bytes.includes(marker)).toBe(false);
  });

  it("refuses a decompression bomb from its header, before decoding it", async () => {
    const bomb = pngBomb(20_000);
    expect(bomb.length).toBeLessThan(100_000);
    expect(await decodeImage(bomb, "image/png")).toEqual({
      ok: false,
      reason: "dimensions",
      detail: `The image is 20000x20000 pixels; at most 8192 on a side and ${maxImagePixels} in all are accepted`,
    });
  });
});
