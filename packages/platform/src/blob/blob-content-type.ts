/** A content type that is not `type/subtype`, with optional parameters of printable ASCII. */
export class InvalidContentTypeError extends Error {
  override name = "InvalidContentTypeError";
  constructor(readonly contentType: string) {
    super(`Content type ${JSON.stringify(String(contentType).slice(0, 100))} is not a media type`);
  }
}

/**
 * Parameters are printable ASCII only: the type travels as an HTTP header (S3's Content-Type, the
 * response of the route that serves the blob), where control characters and line breaks must not go.
 */
const contentTypePattern = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+(\s*;[\x20-\x7e]{0,200})?$/i;

export const fallbackContentType = "application/octet-stream";

export function checkContentType(contentType: string): void {
  if (typeof contentType !== "string" || !contentTypePattern.test(contentType)) {
    throw new InvalidContentTypeError(contentType);
  }
}
