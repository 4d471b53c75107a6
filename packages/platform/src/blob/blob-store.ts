import path from "node:path";
import { FileBlobStore } from "./file-blob-store.ts";
import { parseBlobUrl } from "./s3-blob-url.ts";

export interface StoredBlob {
  bytes: Buffer;
  contentType: string;
}

/** Files by key: local files in the data directory, or objects in S3 (architecture.md, principle 6). */
export interface BlobStore {
  /** Stores (or replaces) the blob; resolves once it is durable. */
  put(key: string, bytes: Uint8Array, contentType: string): Promise<void>;
  get(key: string): Promise<StoredBlob | undefined>;
  /** Removes the blob; a missing one is not an error. */
  delete(key: string): Promise<void>;
}

export interface BlobStoreConfig {
  dataDir: string;
  /** `s3://bucket/optional/prefix`: blobs in S3 rather than in the data directory. */
  blobUrl?: string | undefined;
}

/**
 * The blob store for this configuration: objects under BLOB_URL's bucket and prefix, through one
 * S3 client for the store's life, or files under `<dataDir>/blobs/` when BLOB_URL is unset.
 */
export async function createBlobStore(config: BlobStoreConfig): Promise<BlobStore> {
  if (config.blobUrl) {
    const location = parseBlobUrl(config.blobUrl);
    // Loaded on demand: the S3 client takes a few hundred milliseconds and some 25 MB to load, which
    // a process keeping its blobs in files never needs.
    const { S3BlobStore, s3ClientFromEnvironment } = await import("./s3-blob-store.ts");
    return new S3BlobStore(s3ClientFromEnvironment(), location);
  }
  return new FileBlobStore(path.join(config.dataDir, "blobs"));
}
