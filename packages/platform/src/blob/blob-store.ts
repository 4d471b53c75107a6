import path from "node:path";
import type { BlobStore } from "./blob.ts";
import { FileBlobStore } from "./file-blob-store.ts";
import { parseBlobUrl } from "./s3-blob-url.ts";

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
