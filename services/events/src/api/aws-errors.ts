import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";

/** The AWS JSON 1.1 media type of requests and answers. */
export const awsJsonContentType = "application/x-amz-json-1.1";

/**
 * An error in the AWS JSON protocol's shape: `{ "__type": "<code>", "message": "..." }` with the
 * code also in `X-Amzn-ErrorType`, which the AWS SDKs turn into an exception of that name.
 */
export class AwsError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = code;
  }
}

export const awsErrors = {
  missingToken: () =>
    new AwsError(403, "MissingAuthenticationTokenException", "Missing Authentication Token"),
  incompleteSignature: (message: string) => new AwsError(400, "IncompleteSignatureException", message),
  invalidSignature: (message: string) => new AwsError(400, "InvalidSignatureException", message),
  unrecognizedClient: () =>
    new AwsError(
      400,
      "UnrecognizedClientException",
      "The security token included in the request is invalid.",
    ),
  unknownOperation: (target: string | undefined) =>
    new AwsError(
      400,
      "UnknownOperationException",
      `Unknown operation ${target ?? "(no X-Amz-Target)"}: only AWSEvents.PutEvents is served here`,
    ),
  serialization: (message: string) => new AwsError(400, "SerializationException", message),
  validation: (message: string) => new AwsError(400, "ValidationException", message),
};

/** Codes for the statuses of errors raised before the handler (parsers, hooks, the server). */
const codeOfStatus: Record<number, string> = {
  400: "ValidationException",
  401: "MissingAuthenticationTokenException",
  403: "AccessDeniedException",
  404: "UnknownOperationException",
  413: "RequestEntityTooLargeException",
  415: "UnsupportedMediaTypeException",
  429: "ThrottlingException",
  503: "ServiceUnavailable",
};

/**
 * The error handler of `/aws/events`: every error leaves in the AWS JSON shape, as bytes (Fastify
 * would add a charset to text, which the media type does not define).
 */
export function sendAwsError(error: FastifyError | AwsError, request: FastifyRequest, reply: FastifyReply) {
  const aws =
    error instanceof AwsError
      ? error
      : fromOther(error as FastifyError & { status?: number; detail?: string });
  if (aws.status >= 500) request.log.error({ err: error }, "/aws/events failed");
  const code = aws.code;
  return reply
    .code(aws.status)
    .type(awsJsonContentType)
    .header("x-amzn-errortype", code)
    .header("x-amzn-requestid", request.id)
    .send(Buffer.from(JSON.stringify({ __type: code, message: aws.message })));
}

function fromOther(error: FastifyError & { status?: number; detail?: string }): AwsError {
  const status = error.statusCode ?? error.status ?? 500;
  if (status >= 500 && status !== 503)
    return new AwsError(500, "InternalFailure", "The request failed on the server");
  return new AwsError(status, codeOfStatus[status] ?? "ValidationException", error.detail ?? error.message);
}
