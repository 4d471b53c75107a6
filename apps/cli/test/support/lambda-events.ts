import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { Message } from "@aws-sdk/client-sqs";
import type { APIGatewayProxyEventV2, Context, SQSMessageAttributes, SQSRecord } from "aws-lambda";

export const account = "123456789012";
export const region = "eu-west-1";
const apiId = "a1b2c3d4e5";
const domainName = `${apiId}.execute-api.${region}.amazonaws.com`;

export interface HttpRequest {
  method: string;
  /** The path with its query string, as the client sent it. */
  target: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Whether API Gateway would pass the body base64-encoded (it does for binary content types). */
  base64?: boolean;
}

/**
 * An API Gateway HTTP API event (payload format 2.0) for the `$default` route and stage, shaped as
 * API Gateway sends it: the path decoded, lowercase headers, repeated query parameters joined with
 * commas in `queryStringParameters`, cookies apart, the body as text or base64.
 */
export function httpApiEvent(request: HttpRequest): APIGatewayProxyEventV2 {
  const [encodedPath = "/", rawQueryString = ""] = request.target.split(/\?(.*)/s, 2);
  // An HTTP API decodes the path it passes (the query string stays as sent).
  const rawPath = decodeURIComponent(encodedPath);
  const headers: Record<string, string> = {
    accept: "*/*",
    host: domainName,
    "user-agent": "lambda-test/1.0",
    "x-amzn-trace-id": `Root=1-${randomBytes(4).toString("hex")}-${randomBytes(12).toString("hex")}`,
    "x-forwarded-for": "203.0.113.7",
    "x-forwarded-port": "443",
    "x-forwarded-proto": "https",
  };
  for (const [name, value] of Object.entries(request.headers ?? {})) headers[name.toLowerCase()] = value;
  const { cookie, ...rest } = headers;
  const queryStringParameters: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    queryStringParameters[name] =
      name in queryStringParameters ? `${queryStringParameters[name]},${value}` : value;
  }
  const now = new Date();
  const body =
    request.body === undefined
      ? undefined
      : request.base64
        ? Buffer.from(request.body).toString("base64")
        : request.body.toString();
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath,
    rawQueryString,
    ...(cookie ? { cookies: cookie.split(/;\s*/) } : {}),
    headers: rest,
    ...(rawQueryString ? { queryStringParameters } : {}),
    requestContext: {
      accountId: account,
      apiId,
      domainName,
      domainPrefix: apiId,
      http: {
        method: request.method,
        path: rawPath,
        protocol: "HTTP/1.1",
        sourceIp: "203.0.113.7",
        userAgent: "lambda-test/1.0",
      },
      requestId: randomBytes(8).toString("base64url"),
      routeKey: "$default",
      stage: "$default",
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body === undefined ? {} : { body }),
    isBase64Encoded: Boolean(request.base64 && body !== undefined),
  };
}

/** The `context` Lambda passes a handler, with 30 s left. */
export function lambdaContext(functionName = "mercato-http"): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:${region}:${account}:function:${functionName}`,
    memoryLimitInMB: "1024",
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `2026/12/06/[$LATEST]${randomBytes(16).toString("hex")}`,
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export function sqsQueueArn(queueName: string): string {
  return `arn:aws:sqs:${region}:${account}:${queueName}`;
}

/** A record as an SQS event source mapping hands it to a function. */
export function sqsRecord(
  queueName: string,
  body: string,
  options: { messageId?: string; receiveCount?: number; groupId?: string } = {},
): SQSRecord {
  const sentAt = String(Date.now());
  return {
    messageId: options.messageId ?? randomUUID(),
    receiptHandle: `AQEB${randomBytes(48).toString("base64")}`,
    body,
    attributes: {
      ApproximateReceiveCount: String(options.receiveCount ?? 1),
      SentTimestamp: sentAt,
      SenderId: "AIDAIENQZJOLO23YVJ4VO",
      ApproximateFirstReceiveTimestamp: sentAt,
      ...(options.groupId ? { MessageGroupId: options.groupId, SequenceNumber: "18849496460467696128" } : {}),
    },
    messageAttributes: {},
    md5OfBody: createHash("md5").update(body).digest("hex"),
    eventSource: "aws:sqs",
    eventSourceARN: sqsQueueArn(queueName),
    awsRegion: region,
  };
}

/** The record an event source mapping makes of a message it received from the queue `queueArn`. */
export function sqsRecordOfMessage(message: Message, queueArn: string, awsRegion: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  const messageAttributes: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    messageAttributes[name] = {
      dataType: value.DataType ?? "String",
      stringListValues: [],
      binaryListValues: [],
      ...(value.StringValue === undefined ? {} : { stringValue: value.StringValue }),
    };
  }
  return {
    messageId: message.MessageId ?? "",
    receiptHandle: message.ReceiptHandle ?? "",
    body: message.Body ?? "",
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? "1",
      SentTimestamp: attributes.SentTimestamp ?? "",
      SenderId: attributes.SenderId ?? "",
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? "",
      ...(attributes.MessageGroupId ? { MessageGroupId: attributes.MessageGroupId } : {}),
    },
    messageAttributes,
    md5OfBody: message.MD5OfBody ?? "",
    eventSource: "aws:sqs",
    eventSourceARN: queueArn,
    awsRegion,
  };
}
