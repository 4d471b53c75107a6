import { maxJsonDepth, nestsDeeperThan, operation, type ServiceContext } from "@mercato/platform";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { acceptedEntries, checkPutEventsRequest, putEventsAnswer } from "../domain/put-events-request.ts";
import { maxClockSkewMs } from "../domain/sigv4.ts";
import { publishEntries } from "../store/ingested-events.ts";
import { rememberSignature } from "../store/seen-signatures.ts";
import type { EventsTables } from "../store/tables.ts";
import { AwsError, awsErrors, awsJsonContentType, sendAwsError } from "./aws-errors.ts";
import { putEventsRequestSchema, putEventsResultSchema } from "./put-events-schemas.ts";
import { verifySigV4 } from "./verify-sigv4.ts";

/** Larger bodies are refused before they are read; the entries' own limit (256 KiB) is checked after. */
const maxBodyBytes = 1024 * 1024;

const awsErrorSchema = z.object({ __type: z.string(), message: z.string() }).meta({
  id: "AwsJsonError",
  description: "An error of the AWS JSON protocol; the SDKs raise it as an exception named __type",
});

/**
 * `POST /aws/events` (api.md, "Events in"): Amazon EventBridge's own PutEvents wire protocol (AWS
 * JSON 1.1, `X-Amz-Target: AWSEvents.PutEvents`), signed with SigV4 by an API key's access key, so
 * an unmodified EventBridgeClient with `endpoint: <base>/aws/events` puts events. A plugin of its
 * own: it parses its media type as raw bytes (the signature covers them) and answers every error in
 * the protocol's shape.
 */
export function awsEventsRoutes(context: ServiceContext<EventsTables>) {
  return async (app: FastifyInstance) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser(
      [awsJsonContentType, "application/x-amz-json-1.0"],
      { parseAs: "buffer", bodyLimit: maxBodyBytes },
      (_request, body, done) => done(null, body),
    );
    app.addContentTypeParser("*", (request, _payload, done) =>
      done(
        new AwsError(
          415,
          "UnsupportedMediaTypeException",
          `Content-Type ${request.headers["content-type"] ?? "(none)"} is not accepted; send ${awsJsonContentType}`,
        ),
        undefined,
      ),
    );
    app.setErrorHandler(sendAwsError);
    // The body is the signed bytes: the handler checks the signature, then parses and checks it.
    app.setValidatorCompiler(() => (data) => ({ value: data }));
    const schema = operation({
      operationId: "putEventsAws",
      tags: ["events"],
      summary: "Amazon EventBridge's PutEvents wire protocol, signed with SigV4 (API key)",
      description:
        "For the AWS SDKs: `new EventBridgeClient({ endpoint: '<base>/aws/events', region: 'local', credentials: { accessKeyId, secretAccessKey } })`. The request carries `X-Amz-Target: AWSEvents.PutEvents`, is signed for the service `events` (any region) within 5 minutes of the server's clock, and is accepted once. `Time` is epoch seconds, as the protocol writes it. Errors are `{ __type, message }`, the type also in `X-Amzn-ErrorType`.",
      access: "sigv4",
      consumes: [awsJsonContentType],
      body: putEventsRequestSchema,
      responses: {
        200: {
          description: "One result per entry",
          schema: putEventsResultSchema,
          mediaTypes: [awsJsonContentType],
        },
        500: { description: "InternalFailure", schema: awsErrorSchema, mediaTypes: [awsJsonContentType] },
        503: {
          description: "ServiceUnavailable: the server is shutting down",
          schema: awsErrorSchema,
          mediaTypes: [awsJsonContentType],
        },
      },
      errorBody: { schema: awsErrorSchema, mediaType: awsJsonContentType },
      errors: {
        400: "InvalidSignatureException (wrong secret, expired or replayed), IncompleteSignatureException, UnrecognizedClientException (unknown or revoked key), UnknownOperationException, SerializationException or ValidationException",
        403: "MissingAuthenticationTokenException: no Authorization header",
        413: "RequestEntityTooLargeException: the body is over 1 MiB",
        415: "UnsupportedMediaTypeException: the body is not application/x-amz-json-1.1",
      },
    });
    const handler = async (request: FastifyRequest) => {
      const body = request.body;
      if (!Buffer.isBuffer(body))
        throw awsErrors.serialization("The request has no body: send the PutEvents request as JSON");
      const target = request.headers["x-amz-target"];
      if (target !== "AWSEvents.PutEvents")
        throw awsErrors.unknownOperation(typeof target === "string" ? target : undefined);
      const signature = await verifySigV4(request, body, context);
      const checked = checkPutEventsRequest(parseJson(body), "epoch-seconds");
      if (checked.problem) throw awsErrors.validation(checked.problem.message);
      const entries = acceptedEntries(checked.checks);
      const ids = await context.inTransaction(async (writer) => {
        const fresh = await rememberSignature(
          writer.transaction,
          signature.value,
          new Date(signature.signedAt.getTime() + maxClockSkewMs),
        );
        if (!fresh)
          throw awsErrors.invalidSignature(
            "This signed request was already received: sign each request anew",
          );
        return publishEntries(writer, entries, { correlationId: request.correlationId });
      });
      return putEventsAnswer(checked.checks, ids);
    };
    const serve = async (request: FastifyRequest, reply: FastifyReply) =>
      reply
        .type(awsJsonContentType)
        .header("x-amzn-requestid", request.id)
        .send(Buffer.from(JSON.stringify(await handler(request))));
    app.post("/aws/events", { schema }, serve);
    // The AWS SDKs append the protocol's path, "/", to the endpoint's.
    app.post("/aws/events/", { schema: { ...schema, hide: true } }, serve);
  };
}

function parseJson(body: Buffer): unknown {
  let value: unknown;
  try {
    value = JSON.parse(body.toString("utf8"));
  } catch (error) {
    throw awsErrors.serialization(`The body is not valid JSON: ${(error as Error).message}`);
  }
  if (nestsDeeperThan(value, maxJsonDepth)) {
    throw awsErrors.serialization(`The body nests more than ${maxJsonDepth} levels deep`);
  }
  return value;
}
