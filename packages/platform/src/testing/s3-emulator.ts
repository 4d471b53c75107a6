import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";

/** s3rver's only account; it checks the access key id and accepts any SigV4 signature made with it. */
const credentials = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };
const region = "us-east-1";

export interface S3Emulator {
  endpoint: string;
  /** The SDK's standard variables for this emulator: endpoint, region and its credentials. */
  env: Record<string, string>;
  /** A client of its own (given everything, reading nothing from the environment), to look behind a store. */
  client: S3Client;
  /** Stops the server and removes its directory. */
  close(): Promise<void>;
}

/** s3rver on a free port of 127.0.0.1, its objects in a temporary directory, with `buckets` created. */
export async function startS3Emulator(buckets: string[]): Promise<S3Emulator> {
  // Loaded here: every test imports this module's neighbours, few need S3.
  const [{ default: S3rver }, { CreateBucketCommand, S3Client }] = await Promise.all([
    import("s3rver"),
    import("@aws-sdk/client-s3"),
  ]);
  const directory = await fs.mkdtemp(path.join(os.tmpdir(), "mercato-s3rver-"));
  const server = new S3rver({ address: "127.0.0.1", port: 0, directory, silent: true });
  let client: S3Client | undefined;
  try {
    const { port } = await server.run();
    const endpoint = `http://127.0.0.1:${port}`;
    client = new S3Client({ endpoint, region, credentials, forcePathStyle: true });
    for (const bucket of buckets) await client.send(new CreateBucketCommand({ Bucket: bucket }));
    const started = client;
    return {
      endpoint,
      env: {
        AWS_ENDPOINT_URL_S3: endpoint,
        AWS_REGION: region,
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      },
      client: started,
      async close() {
        started.destroy();
        await server.close();
        await fs.rm(directory, { recursive: true, force: true });
      },
    };
  } catch (error) {
    client?.destroy();
    await server.close().catch(() => {});
    await fs.rm(directory, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Sets `variables` in this process's environment (an undefined one is removed), where the SDK reads
 * them, and returns what puts the previous values back. Tests run one file per process (Vitest's
 * forks pool), so no other file sees them.
 */
export function setEnvironment(variables: Record<string, string | undefined>): () => void {
  const previous = Object.fromEntries(Object.keys(variables).map((name) => [name, process.env[name]]));
  const apply = (values: Record<string, string | undefined>) => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  apply(variables);
  return () => apply(previous);
}
