import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import type { BlobStore, StoredBlob } from "./blob.ts";
import { checkContentType, fallbackContentType } from "./blob-content-type.ts";
import { blobKeySegments } from "./blob-key.ts";
import type { S3Location } from "./s3-blob-url.ts";

/** An S3 call that failed for another reason than a missing object; names the call and the object. */
export class S3BlobStoreError extends Error {
  override name = "S3BlobStoreError";
}

/**
 * The client for S3 as the SDK's standard environment describes it: region, credentials and
 * endpoint come from AWS_REGION, AWS_ACCESS_KEY_ID, a profile, a role, AWS_ENDPOINT_URL_S3...
 * An endpoint set there is an emulator or another S3 (s3rver, MinIO) that serves buckets as paths,
 * not as host names.
 */
export function s3ClientFromEnvironment(): S3Client {
  const env = process.env;
  const ignored = env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.toLowerCase() === "true";
  const endpoint = ignored ? undefined : env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL;
  // A bucket in another region than the client's answers with a redirect the client then follows.
  return new S3Client({ forcePathStyle: endpoint !== undefined, followRegionRedirects: true });
}

/**
 * Each blob is the object `<prefix>/<key>` in the bucket, its content type the object's
 * Content-Type. Keys follow the file store's rules, so that blobs move between the two unchanged.
 */
export class S3BlobStore implements BlobStore {
  constructor(
    private readonly client: S3Client,
    private readonly location: S3Location,
  ) {}

  /**
   * PutObject answers once S3 stored the object durably, and later reads see it (S3 is strongly
   * consistent); the SDK sends a CRC32 of the bytes, which S3 checks before it answers.
   */
  async put(key: string, bytes: Uint8Array, contentType: string): Promise<void> {
    checkContentType(contentType);
    const objectKey = this.objectKey(key);
    await this.call("PutObject", objectKey, () =>
      this.client.send(
        new PutObjectCommand({
          Bucket: this.location.bucket,
          Key: objectKey,
          Body: bytes,
          ContentType: contentType,
        }),
      ),
    );
  }

  async get(key: string): Promise<StoredBlob | undefined> {
    const objectKey = this.objectKey(key);
    const object = await this.call("GetObject", objectKey, async () => {
      try {
        return await this.client.send(new GetObjectCommand({ Bucket: this.location.bucket, Key: objectKey }));
      } catch (error) {
        if ((error as Error).name === "NoSuchKey") return undefined;
        throw error;
      }
    });
    if (!object) return undefined;
    const bytes = await this.call("GetObject", objectKey, async () =>
      Buffer.from((await object.Body?.transformToByteArray()) ?? []),
    );
    return { bytes, contentType: object.ContentType ?? fallbackContentType };
  }

  /** DeleteObject of a missing object succeeds in S3, as a delete of a missing blob must. */
  async delete(key: string): Promise<void> {
    const objectKey = this.objectKey(key);
    await this.call("DeleteObject", objectKey, () =>
      this.client.send(new DeleteObjectCommand({ Bucket: this.location.bucket, Key: objectKey })),
    );
  }

  private objectKey(key: string): string {
    const segments = blobKeySegments(key);
    return this.location.prefix === "" ? segments.join("/") : `${this.location.prefix}/${segments.join("/")}`;
  }

  private async call<T>(operation: string, objectKey: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      const cause = error as Error;
      throw new S3BlobStoreError(
        `S3 ${operation} of s3://${this.location.bucket}/${objectKey} failed: ${cause.name}: ${cause.message}`,
        { cause },
      );
    }
  }
}
