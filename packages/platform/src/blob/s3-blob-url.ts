import { isBlobKeySegment } from "./blob-key.ts";

/** Where an S3 blob store keeps its blobs: `s3://<bucket>/<prefix>` in BLOB_URL. */
export interface S3Location {
  bucket: string;
  /** Put before every key with a `/`; empty when the blobs sit at the bucket's root. */
  prefix: string;
}

/** A BLOB_URL that names no S3 location; `reason` completes "BLOB_URL ...". */
export class InvalidBlobUrlError extends Error {
  override name = "InvalidBlobUrlError";
  constructor(readonly reason: string) {
    super(`BLOB_URL ${reason}`);
  }
}

const blobUrlExample = "s3://bucket/optional/prefix";
const maxPrefixLength = 256;
/** S3's rules for general purpose bucket names, so that a typo fails at start, not at the first upload. */
const bucketPattern = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const ipAddressPattern = /^\d{1,3}(\.\d{1,3}){3}$/;

/** The bucket and prefix of a BLOB_URL; throws InvalidBlobUrlError saying what is wrong. */
export function parseBlobUrl(blobUrl: string): S3Location {
  const problem = (detail: string) =>
    new InvalidBlobUrlError(`must be a URL like ${blobUrlExample}: ${detail}`);
  const trimmed = blobUrl.trim();
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new InvalidBlobUrlError(`must be a URL like ${blobUrlExample}`);
  }
  if (url.protocol !== "s3:") throw new InvalidBlobUrlError(`must be a URL like ${blobUrlExample}`);
  if (url.username || url.password) {
    throw problem(
      "credentials come from the AWS environment (AWS_ACCESS_KEY_ID, a profile or a role), not the URL",
    );
  }
  if (url.port) throw problem("an endpoint goes in AWS_ENDPOINT_URL_S3, not in the URL");
  if (url.search || url.hash) throw problem("it takes no query or fragment");
  const bucket = url.hostname;
  if (!bucket) throw problem("it names no bucket");
  if (!bucketPattern.test(bucket) || bucket.includes("..") || ipAddressPattern.test(bucket)) {
    throw problem(
      `"${bucket}" is not an S3 bucket name (3-63 lowercase letters, digits, '.' and '-', starting and ending with a letter or digit)`,
    );
  }
  // The path as written: URL would resolve `.` and `..` parts, and the prefix must be what it says.
  const afterBucket = trimmed.slice("s3://".length + bucket.length);
  if (afterBucket === "" || afterBucket === "/") return { bucket, prefix: "" };
  const prefix = afterBucket.slice(1).replace(/\/$/, "");
  if (prefix.length > maxPrefixLength)
    throw problem(`the prefix is longer than ${maxPrefixLength} characters`);
  if (!prefix.split("/").every(isBlobKeySegment)) {
    throw problem(
      `the prefix "${prefix}" must be /-separated parts of 1-128 letters, digits, '_', '-' or '.', not starting with '.'`,
    );
  }
  return { bucket, prefix };
}

/** What is wrong with a BLOB_URL, completing "BLOB_URL ..."; undefined when it names an S3 location. */
export function blobUrlProblem(blobUrl: string): string | undefined {
  try {
    parseBlobUrl(blobUrl);
    return undefined;
  } catch (error) {
    if (error instanceof InvalidBlobUrlError) return error.reason;
    throw error;
  }
}
