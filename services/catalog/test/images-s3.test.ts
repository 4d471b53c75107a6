import fs from "node:fs/promises";
import path from "node:path";
import { GetObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import {
  type S3Emulator,
  setEnvironment,
  startS3Emulator,
  startTestHost,
  type TestHost,
} from "@mercato/platform/testing";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { catalogService } from "../src/index.ts";
import { productPng } from "./image-fixtures.ts";

const bucket = "mercato-media";
const prefix = "shop/images";
let s3: S3Emulator;
let restoreEnvironment: () => void;
let catalog: TestHost;
let adminToken: string;

beforeAll(async () => {
  s3 = await startS3Emulator([bucket]);
  // The SDK reads its endpoint, region and credentials from the environment, as in a deployment.
  restoreEnvironment = setEnvironment(s3.env);
  catalog = await startTestHost({
    services: [catalogService],
    env: { BLOB_URL: `s3://${bucket}/${prefix}` },
  });
  if (!catalog.authority) throw new Error("the catalog host signs its own tokens");
  adminToken = await catalog.authority.token({ roles: ["admin"] });
});
afterAll(async () => {
  await catalog?.close();
  restoreEnvironment?.();
  await s3?.close();
});

async function objectBytes(key: string): Promise<{ bytes: Buffer; contentType: string | undefined }> {
  const object = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return {
    bytes: Buffer.from((await object.Body?.transformToByteArray()) ?? []),
    contentType: object.ContentType,
  };
}

async function keysUnder(keyPrefix: string): Promise<string[]> {
  const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: keyPrefix }));
  return (listed.Contents ?? []).map((entry) => entry.Key ?? "");
}

describe("product images with BLOB_URL=s3://bucket/prefix", () => {
  it("keeps an uploaded image in S3 and serves it back byte for byte through the API", async () => {
    const created = await catalog.call("POST", "/api/products", {
      token: adminToken,
      body: {
        sku: "S3-IMG-1",
        name: "Bucket hat",
        category: "Hats",
        price: { amount: 2500, currency: "EUR" },
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const product = created.body;
    const png = productPng(product);

    const uploaded = await fetch(`${catalog.url}/api/products/${product.id}/images`, {
      method: "POST",
      headers: { authorization: `Bearer ${adminToken}`, "content-type": "image/png" },
      body: png,
    });
    const { url } = (await uploaded.json()) as { url: string };
    expect(uploaded.status).toBe(201);
    const imageId = url.slice(url.lastIndexOf("/") + 1);
    const key = `${prefix}/products/${product.id}/${imageId}`;

    // Catalog stores the image re-encoded: S3 holds those bytes, and the API serves exactly them.
    expect(await keysUnder(`${prefix}/products/${product.id}/`)).toEqual([key]);
    const stored = await objectBytes(key);
    expect(stored.contentType).toBe("image/png");
    const served = await fetch(`${catalog.url}${url}`);
    expect(served.status).toBe(200);
    expect(served.headers.get("content-type")).toBe("image/png");
    expect(served.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    const servedBytes = Buffer.from(await served.arrayBuffer());
    expect(servedBytes.equals(stored.bytes)).toBe(true);
    expect(await sharp(servedBytes).raw().toBuffer()).toEqual(await sharp(png).raw().toBuffer());
    expect((await catalog.call("GET", `/api/products/${product.id}`)).body.images).toEqual([url]);
    await expect(fs.access(path.join(catalog.dataDir, "blobs"))).rejects.toThrow(/ENOENT/);

    const missing = await fetch(
      `${catalog.url}/api/products/${product.id}/images/01890000-0000-7000-8000-000000000000`,
    );
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { detail: string }).detail).toMatch(/has no image/);

    // Deleting the product deletes its images from the bucket before it answers.
    const deleted = await catalog.call("DELETE", `/api/products/${product.id}`, { token: adminToken });
    expect(deleted.status).toBe(204);
    expect(await keysUnder(`${prefix}/products/${product.id}/`)).toEqual([]);
    expect((await fetch(`${catalog.url}${url}`)).status).toBe(404);
  });

  it("answers 500 and lists no image when S3 refuses the upload", async () => {
    const bucketless = await startTestHost({
      services: [catalogService],
      env: { BLOB_URL: "s3://no-such-bucket/images" },
    });
    try {
      if (!bucketless.authority) throw new Error("the catalog host signs its own tokens");
      const token = await bucketless.authority.token({ roles: ["admin"] });
      const created = await bucketless.call("POST", "/api/products", {
        token,
        body: {
          sku: "S3-IMG-2",
          name: "Lost hat",
          category: "Hats",
          price: { amount: 900, currency: "EUR" },
        },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const uploaded = await fetch(`${bucketless.url}/api/products/${created.body.id}/images`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "image/png" },
        body: productPng(created.body),
      });
      expect(uploaded.status).toBe(500);
      // The generic problem: the bucket and the key stay in the log.
      expect(await uploaded.text()).not.toContain("no-such-bucket");
      expect((await bucketless.call("GET", `/api/products/${created.body.id}`)).body.images).toEqual([]);
    } finally {
      await bucketless.close();
    }
  });
});
