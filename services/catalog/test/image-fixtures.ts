import { deflateSync } from "node:zlib";
import { PNG } from "pngjs";
import sharp from "sharp";

/** The bytes a hostile client sends as images; built here so that every run sends the same ones. */

function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const typed = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

export const pngSignature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * A valid PNG of `side` x `side` black pixels at 1 bit per pixel: a few kilobytes that decode to
 * `side`² bytes. At 20000, 400 megapixels from about 50 KB.
 */
export function pngBomb(side: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(side, 0);
  header.writeUInt32BE(side, 4);
  header.writeUInt8(1, 8); // bit depth
  header.writeUInt8(0, 9); // greyscale
  const rowBytes = 1 + Math.ceil(side / 8); // a filter byte, then the row's bits
  const pixels = deflateSync(Buffer.alloc(rowBytes * side), { level: 9 });
  return Buffer.concat([
    pngSignature,
    chunk("IHDR", header),
    chunk("IDAT", pixels),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** The probe: a PNG signature, then an HTML page, then noise. */
export function signatureThenHtml(): Buffer {
  const noise = Buffer.from(Array.from({ length: 256 }, (_, i) => (i * 73 + 41) % 256));
  return Buffer.concat([
    pngSignature,
    Buffer.from("<html><script>alert(document.cookie)</script></html>"),
    noise,
  ]);
}

export const marker = "<script>alert(1)</script>";

/** A real image with a script appended after its end: decoders stop before it, browsers may not. */
export function withTrailer(image: Buffer): Buffer {
  return Buffer.concat([image, Buffer.from(marker)]);
}

/** A small real image of each accepted type; the JPEG carries EXIF naming its owner. */
export async function sampleImages(): Promise<Record<"png" | "jpeg" | "webp", Buffer>> {
  const base = () => sharp({ create: { width: 64, height: 48, channels: 3, background: "#3a7" } });
  return {
    png: await base().png().toBuffer(),
    jpeg: await base()
      .jpeg()
      .withExif({ IFD0: { Artist: "Ada Lovelace, 12 St James's Square" } })
      .toBuffer(),
    webp: await base().webp().toBuffer(),
  };
}

/**
 * A 256x256 RGB PNG of a product, its pattern chosen by sku and category, as an admin would
 * upload (the CLI's demo images are seed data in apps/cli, not the catalog's).
 */
export function productPng(product: { sku: string; category: string }): Buffer {
  let seed = 2166136261;
  for (const char of `${product.category}/${product.sku}`)
    seed = Math.imul(seed ^ char.charCodeAt(0), 16777619);
  const png = new PNG({ width: 256, height: 256, colorType: 2 });
  for (let y = 0; y < 256; y++) {
    for (let x = 0; x < 256; x++) {
      const at = (y * 256 + x) * 4;
      const stripe = ((x + y + (seed & 31)) >> 4) % 2;
      png.data[at] = (seed >>> 8) & 255;
      png.data[at + 1] = stripe ? x : 255 - y;
      png.data[at + 2] = (x * y + (seed >>> 16)) & 255;
      png.data[at + 3] = 255;
    }
  }
  return PNG.sync.write(png, { colorType: 2 });
}
