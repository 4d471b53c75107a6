import type { Sharp, SharpOptions } from "sharp";
import { type ImageContentType, sniffImageType } from "./image-type.ts";

/**
 * Uploaded images are decoded in full and re-encoded before they are stored, so that what the
 * shop serves is pixels its own encoder wrote: no bytes a client chose survive (no HTML after the
 * signature, nothing appended after the end, no payload in metadata chunks), and no metadata
 * either (a photo's EXIF carries the camera's owner and GPS position).
 */

/** Larger than any product photo needs; a 20000x20000 "bomb" of a few kilobytes stops here. */
export const maxImageSide = 8192;
export const maxImagePixels = 40_000_000;

const formatOf: Record<ImageContentType, string> = {
  "image/png": "png",
  "image/jpeg": "jpeg",
  "image/webp": "webp",
};

export type ImageCheck =
  | { ok: true; bytes: Buffer; width: number; height: number }
  /** `format`: the bytes are not an image of the declared type; `dimensions`: too many pixels. */
  | { ok: false; reason: "format" | "dimensions"; detail: string };

type SharpFactory = (input: Buffer, options?: SharpOptions) => Sharp;
let loading: Promise<SharpFactory> | undefined;

/**
 * sharp and libvips cost tens of megabytes once loaded, so they load with the first upload, not
 * with the server. Only the three loaders the shop accepts stay enabled: no other format's parser
 * (SVG's XML, TIFF, GIF...) can be reached through an upload.
 */
function loadSharp(): Promise<SharpFactory> {
  loading ??= import("sharp").then(({ default: sharp }) => {
    sharp.cache(false);
    sharp.block({ operation: ["VipsForeignLoad"] });
    sharp.unblock({
      operation: ["VipsForeignLoadPngBuffer", "VipsForeignLoadJpegBuffer", "VipsForeignLoadWebpBuffer"],
    });
    return sharp;
  });
  return loading;
}

function describe(type: ImageContentType): string {
  return type === "image/jpeg" ? "a JPEG image" : `a ${type.slice(6).toUpperCase()} image`;
}

function notOfType(declared: ImageContentType, why: string): ImageCheck {
  return { ok: false, reason: "format", detail: `The body is not ${describe(declared)}: ${why}` };
}

/** Checks that `bytes` decode entirely as `declared` within the size limits; answers them re-encoded. */
export async function decodeImage(bytes: Buffer, declared: ImageContentType): Promise<ImageCheck> {
  const signature = sniffImageType(bytes);
  if (signature !== declared) {
    return notOfType(
      declared,
      signature ? `its first bytes are those of ${signature}` : "its first bytes are not an image signature",
    );
  }
  const sharp = await loadSharp();
  // `error` refuses truncated and corrupt data; mere warnings (odd but decodable files) pass.
  const options: SharpOptions = { failOn: "error", limitInputPixels: maxImagePixels };
  // The header alone, without the pixel limit, which would hide the dimensions behind an error.
  const header = await sharp(bytes, { ...options, limitInputPixels: false })
    .metadata()
    .catch(() => undefined);
  if (!header || header.format !== formatOf[declared])
    return notOfType(declared, "its header does not decode");
  const { width, height } = header;
  if (width > maxImageSide || height > maxImageSide || width * height > maxImagePixels) {
    return {
      ok: false,
      reason: "dimensions",
      detail: `The image is ${width}x${height} pixels; at most ${maxImageSide} on a side and ${maxImagePixels} in all are accepted`,
    };
  }
  // rotate(): a photo's EXIF orientation is applied to the pixels, since the metadata goes.
  const image = sharp(bytes, options).rotate();
  const encoded =
    declared === "image/png"
      ? image.png()
      : declared === "image/jpeg"
        ? image.jpeg({ quality: 90 })
        : image.webp({ quality: 90 });
  try {
    const { data, info } = await encoded.toBuffer({ resolveWithObject: true });
    return { ok: true, bytes: data, width: info.width, height: info.height };
  } catch {
    return notOfType(declared, "its data does not decode (truncated or corrupt)");
  }
}
