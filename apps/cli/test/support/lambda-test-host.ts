import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import { httpHandlerOf } from "../../src/lambda/http-handler.ts";
import { type LambdaHost, openLambdaHost } from "../../src/lambda/lambda-host.ts";
import { httpApiEvent, lambdaContext } from "./lambda-events.ts";

export const admin = { email: "lambda-admin@example.com", password: "lambda admin password" };

export interface LambdaTestHost {
  lambdaHost: LambdaHost;
  http(event: APIGatewayProxyEventV2, context?: Context): Promise<APIGatewayProxyStructuredResultV2>;
  close(): Promise<void>;
}

/**
 * A Lambda function's host as `openLambdaHost` opens it from its environment, on PGlite and the
 * embedded bus in a temporary data directory unless `env` says otherwise. Its public URL is a local stand-in for API Gateway
 * that turns each request into a payload 2.0 event for the HTTP handler, so that services reaching
 * the function through its own API (the token verifier fetching identity's keys) do so as on AWS.
 */
export async function startLambdaTestHost(
  services: string[],
  env: Record<string, string> = {},
): Promise<LambdaTestHost> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "mercato-lambda-"));
  let handle: ReturnType<typeof httpHandlerOf> | undefined;
  const api = http.createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const headers = Object.fromEntries(
      Object.entries(request.headers).map(([name, value]) => [name, String(value)]),
    );
    const event = httpApiEvent({
      method: request.method ?? "GET",
      target: request.url ?? "/",
      headers,
      ...(chunks.length > 0 ? { body: Buffer.concat(chunks), base64: true } : {}),
    });
    const answer = handle ? await handle(event, lambdaContext()) : { statusCode: 503, body: "" };
    const body = answer.isBase64Encoded ? Buffer.from(answer.body ?? "", "base64") : (answer.body ?? "");
    response.writeHead(answer.statusCode ?? 200, answer.headers as http.OutgoingHttpHeaders).end(body);
  });
  await new Promise<void>((resolve) => api.listen(0, "127.0.0.1", resolve));
  const closeApi = () => new Promise<void>((resolve) => api.close(() => resolve()));
  try {
    const lambdaHost = await openLambdaHost({
      MERCATO_DATA_DIR: dataDir,
      MERCATO_SERVICES: services.join(","),
      MERCATO_PUBLIC_URL: `http://127.0.0.1:${(api.address() as AddressInfo).port}`,
      MERCATO_OPS_TOKEN: randomBytes(24).toString("hex"),
      MERCATO_SECRET_KEY: randomBytes(32).toString("base64"),
      MERCATO_ADMIN_EMAIL: admin.email,
      MERCATO_ADMIN_PASSWORD: admin.password,
      MERCATO_SEED: "none",
      LOG_LEVEL: "silent",
      ...env,
    });
    handle = httpHandlerOf(async () => lambdaHost);
    const invoke = handle;
    return {
      lambdaHost,
      http: (event, context = lambdaContext()) => invoke(event, context),
      async close() {
        await closeApi();
        await lambdaHost.host.close();
        await fs.rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await closeApi();
    await fs.rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}
