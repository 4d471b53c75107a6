export const imageContentTypes = ["image/png", "image/jpeg", "image/webp"] as const;

export type ImageContentType = (typeof imageContentTypes)[number];

export const maxImageBytes = 5 * 1024 * 1024;

export function isImageContentType(value: string): value is ImageContentType {
  return (imageContentTypes as readonly string[]).includes(value);
}

const pngSignature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const jpegSignature = [0xff, 0xd8, 0xff];
const riff = [0x52, 0x49, 0x46, 0x46];
const webp = [0x57, 0x45, 0x42, 0x50];

function startsWith(bytes: Uint8Array, signature: number[], at = 0): boolean {
  return bytes.length >= at + signature.length && signature.every((byte, i) => bytes[at + i] === byte);
}

/** The image type the bytes' signature shows, whatever the client declared. */
export function sniffImageType(bytes: Uint8Array): ImageContentType | undefined {
  if (startsWith(bytes, pngSignature)) return "image/png";
  if (startsWith(bytes, jpegSignature)) return "image/jpeg";
  if (startsWith(bytes, riff) && startsWith(bytes, webp, 8)) return "image/webp";
  return undefined;
}
