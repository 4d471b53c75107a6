/** A key that would leave the blob directory or name something other than a blob. */
export class InvalidBlobKeyError extends Error {
  override name = "InvalidBlobKeyError";
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`Blob key ${JSON.stringify(key.slice(0, 100))} is invalid: ${reason}`);
  }
}

const maxKeyLength = 512;
/**
 * Letters, digits, `_`, `-` and `.`, never first: so no `.` or `..` segment can climb out of the
 * directory, and the store's own hidden files (sidecars, temporary files) cannot collide with a key.
 */
const segmentPattern = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;
const segmentRule =
  "each /-separated part must be 1-128 letters, digits, '_', '-' or '.', not starting with '.'";

/** Whether `segment` may be one part of a key (or of an S3 store's key prefix). */
export function isBlobKeySegment(segment: string): boolean {
  return segmentPattern.test(segment);
}

/** The key's path segments, after checking it is `segment/segment/...` of safe characters. */
export function blobKeySegments(key: string): string[] {
  if (typeof key !== "string" || key.length === 0) throw new InvalidBlobKeyError(String(key), "it is empty");
  if (key.length > maxKeyLength) {
    throw new InvalidBlobKeyError(key, `it is longer than ${maxKeyLength} characters`);
  }
  const segments = key.split("/");
  for (const segment of segments) {
    if (!isBlobKeySegment(segment)) throw new InvalidBlobKeyError(key, segmentRule);
  }
  return segments;
}
