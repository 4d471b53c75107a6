import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { GetObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type S3Emulator, setEnvironment, startS3Emulator } from "../testing/s3-emulator.ts";
import {
  type BlobStore,
  createBlobStore,
  InvalidBlobKeyError,
  InvalidBlobUrlError,
  InvalidContentTypeError,
} from "./index.ts";
import { S3BlobStoreError, s3ClientFromEnvironment } from "./s3-blob-store.ts";

const bucket = "mercato-blobs";
let dataDir: string;
let s3: S3Emulator;
let restoreEnvironment: () => void;

beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "mercato-blobs-"));
  s3 = await startS3Emulator([bucket]);
  restoreEnvironment = setEnvironment(s3.env);
});
afterAll(async () => {
  restoreEnvironment?.();
  await s3?.close();
  await fs.rm(dataDir, { recursive: true, force: true });
});

const stores: [string, () => Promise<BlobStore>][] = [
  ["file", () => createBlobStore({ dataDir })],
  ["S3 under a prefix", () => createBlobStore({ dataDir, blobUrl: `s3://${bucket}/shop/eu` })],
  ["S3 at the bucket's root", () => createBlobStore({ dataDir, blobUrl: `s3://${bucket}` })],
];

describe.each(stores)("%s blob store", (_name, open) => {
  let store: BlobStore;
  beforeAll(async () => {
    store = await open();
  });

  it("keeps bytes and content type, and replaces on put", async () => {
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255]);
    await store.put("products/p1/image-1", bytes, "image/png");
    expect(await store.get("products/p1/image-1")).toEqual({ bytes, contentType: "image/png" });

    await store.put("products/p1/image-1", Buffer.from("new"), "text/plain; charset=utf-8");
    expect(await store.get("products/p1/image-1")).toEqual({
      bytes: Buffer.from("new"),
      contentType: "text/plain; charset=utf-8",
    });
  });

  it("keeps an empty blob and one of every byte value, as they were", async () => {
    await store.put("empty", new Uint8Array(0), "application/octet-stream");
    expect(await store.get("empty")).toEqual({
      bytes: Buffer.alloc(0),
      contentType: "application/octet-stream",
    });
    const every = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7 + 3) % 256));
    await store.put("every-byte", new Uint8Array(every), "application/x-test");
    expect((await store.get("every-byte"))?.bytes).toEqual(every);
  });

  it("answers undefined for a missing key, also below an existing blob", async () => {
    expect(await store.get("nothing/here")).toBeUndefined();
    await store.put("leaf", Buffer.from("x"), "text/plain");
    expect(await store.get("leaf/below")).toBeUndefined();
  });

  it("deletes, and deleting a missing blob is not an error", async () => {
    await store.put("to-delete.bin", Buffer.from("bye"), "application/octet-stream");
    await store.delete("to-delete.bin");
    expect(await store.get("to-delete.bin")).toBeUndefined();
    await store.delete("to-delete.bin");
    await store.delete("never/was/here");
  });

  it.each([
    "",
    "../escape",
    "a/../../escape",
    "/absolute",
    "a//b",
    "a/",
    ".hidden",
    "a/.b.meta.json",
    "back\\slash",
    "nul\0byte",
    "spaces are not allowed",
    "percent%2Fslash",
    "x".repeat(513),
  ])("refuses the key %j", async (key) => {
    await expect(store.put(key, Buffer.from("x"), "text/plain")).rejects.toBeInstanceOf(InvalidBlobKeyError);
    await expect(store.get(key)).rejects.toBeInstanceOf(InvalidBlobKeyError);
    await expect(store.delete(key)).rejects.toBeInstanceOf(InvalidBlobKeyError);
  });

  it.each([
    "not a type",
    "",
    "image",
    "image/",
    "/png",
    "image/png\r\nx-injected: yes",
    "text/plain; charset=\u00e9",
    "text/plain; \0",
    `text/plain; ${"x".repeat(201)}`,
  ])("refuses the content type %j, and stores nothing", async (contentType) => {
    const put = store.put("typed", Buffer.from("x"), contentType);
    await expect(put).rejects.toBeInstanceOf(InvalidContentTypeError);
    await expect(put).rejects.toThrow(/is not a media type/);
    expect(await store.get("typed")).toBeUndefined();
  });
});

describe("file blob store", () => {
  it("keeps each blob as a file under <dataDir>/blobs/, with no temporary file left", async () => {
    const store = await createBlobStore({ dataDir });
    const bytes = Buffer.from("on disk");
    await store.put("files/f1/one", bytes, "text/plain");
    expect(await fs.readFile(path.join(dataDir, "blobs", "files", "f1", "one"))).toEqual(bytes);
    const names = await fs.readdir(path.join(dataDir, "blobs", "files", "f1"));
    expect(names.filter((name) => name.endsWith(".tmp"))).toEqual([]);
  });
});

describe("S3 blob store", () => {
  it("keeps each blob as the object <prefix>/<key>, with its content type, and nothing on local disk", async () => {
    const blobUrl = `s3://${bucket}/layout/check/`;
    const store = await createBlobStore({ dataDir, blobUrl });
    const bytes = Buffer.from([1, 2, 3, 0, 254]);
    await store.put("products/p2/image-9", bytes, "image/webp");

    const object = await s3.client.send(
      new GetObjectCommand({ Bucket: bucket, Key: "layout/check/products/p2/image-9" }),
    );
    expect(object.ContentType).toBe("image/webp");
    expect(Buffer.from((await object.Body?.transformToByteArray()) ?? [])).toEqual(bytes);
    const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "layout/" }));
    expect(listed.Contents?.map((entry) => entry.Key)).toEqual(["layout/check/products/p2/image-9"]);
    await expect(fs.access(path.join(dataDir, "blobs", "products", "p2"))).rejects.toThrow(/ENOENT/);

    await store.delete("products/p2/image-9");
    const after = await s3.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "layout/" }));
    expect(after.Contents ?? []).toEqual([]);
  });

  it("keeps stores under different prefixes of one bucket apart", async () => {
    const eu = await createBlobStore({ dataDir, blobUrl: `s3://${bucket}/tenants/eu` });
    const us = await createBlobStore({ dataDir, blobUrl: `s3://${bucket}/tenants/us` });
    await eu.put("logo", Buffer.from("eu"), "text/plain");
    expect(await us.get("logo")).toBeUndefined();
    await us.delete("logo");
    expect((await eu.get("logo"))?.bytes).toEqual(Buffer.from("eu"));
  });

  it("names the call and the object when S3 refuses, as for a bucket that does not exist", async () => {
    const store = await createBlobStore({ dataDir, blobUrl: "s3://no-such-bucket/images" });
    const failure =
      /^S3 (PutObject|GetObject|DeleteObject) of s3:\/\/no-such-bucket\/images\/a\/b failed: NoSuchBucket: /;
    const put = store.put("a/b", Buffer.from("x"), "text/plain");
    await expect(put).rejects.toBeInstanceOf(S3BlobStoreError);
    await expect(put).rejects.toThrow(failure);
    await expect(store.get("a/b")).rejects.toThrow(failure);
    await expect(store.delete("a/b")).rejects.toThrow(failure);
  });

  it("addresses the bucket as a path when an endpoint is set, and as a host name on AWS", async () => {
    const pathStyle = async (variables: Record<string, string | undefined>) => {
      const restore = setEnvironment(variables);
      const client = s3ClientFromEnvironment();
      try {
        return await client.config.forcePathStyle;
      } finally {
        client.destroy();
        restore();
      }
    };
    const none = { AWS_ENDPOINT_URL_S3: undefined, AWS_ENDPOINT_URL: undefined };
    expect(await pathStyle(none)).toBe(false);
    expect(await pathStyle({ ...none, AWS_ENDPOINT_URL_S3: "http://minio:9000" })).toBe(true);
    expect(await pathStyle({ ...none, AWS_ENDPOINT_URL: "http://localstack:4566" })).toBe(true);
    expect(
      await pathStyle({
        ...none,
        AWS_ENDPOINT_URL_S3: "http://minio:9000",
        AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "true",
      }),
    ).toBe(false);
  });

  it("refuses a BLOB_URL that names no S3 location before making a client", async () => {
    for (const blobUrl of ["https://example.com/bucket", "s3://", "s3://Bad_Bucket", "s3://media/a%2Fb"]) {
      await expect(createBlobStore({ dataDir, blobUrl }), blobUrl).rejects.toThrow(InvalidBlobUrlError);
    }
    await expect(createBlobStore({ dataDir, blobUrl: "s3://media:9000" })).rejects.toThrow(
      "BLOB_URL must be a URL like s3://bucket/optional/prefix: an endpoint goes in AWS_ENDPOINT_URL_S3, not in the URL",
    );
  });
});
