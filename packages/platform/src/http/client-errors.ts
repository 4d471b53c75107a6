import { type IncomingMessage, type Server, type ServerResponse, STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import { HttpProblem, problemContentType } from "./problem.ts";
import { baselineSecurityHeaders } from "./security-headers.ts";

/** Node's parser errors that have a status of their own; every other one is a malformed request. */
const statusOfParserError: Record<string, { status: number; slug: string; detail: string }> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    slug: "request-header-fields-too-large",
    detail: "The request line and headers are larger than the server accepts (16 KiB in all)",
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    slug: "request-timeout",
    detail: "The request did not arrive in full in time",
  },
};

/**
 * Requests Node's HTTP parser refuses never reach Fastify: a 1 MB query string, a control byte in a
 * header. Fastify answers them on the raw socket with a JSON body of its own; this answers the same
 * way (the socket is all there is) but with the problem+json every other error gets, then closes the
 * connection, since the parser cannot tell where the next request would start.
 */
export function answerClientError(error: Error & { code?: string; reason?: string }, socket: Socket): void {
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const known = statusOfParserError[error.code ?? ""];
  const problem = known
    ? new HttpProblem(known.status, known.slug, known.detail)
    : HttpProblem.badRequest(
        `The request is not valid HTTP/1.1${error.reason ? `: ${error.reason.toLowerCase()}` : ""}`,
      );
  const body = JSON.stringify(problem.toJSON());
  const headers = {
    ...baselineSecurityHeaders,
    "content-type": problemContentType,
    "content-length": String(Buffer.byteLength(body)),
    connection: "close",
  };
  if (socket.writable) {
    const head = Object.entries(headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join("");
    socket.write(`HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status]}\r\n${head}\r\n${body}`);
  }
  socket.destroy(error);
}

/**
 * Node answers an `Expect` header other than `100-continue` with a bare 417 unless someone listens
 * for it; this listener gives the 417 a problem body.
 */
export function answerUnmetExpectations(server: Server): void {
  server.on("checkExpectation", (request: IncomingMessage, response: ServerResponse) => {
    const problem = new HttpProblem(
      417,
      "expectation-failed",
      `The server cannot meet the expectation ${JSON.stringify(request.headers.expect ?? "")}; only 100-continue is supported`,
    );
    const body = JSON.stringify(problem.toJSON());
    response.writeHead(417, {
      ...baselineSecurityHeaders,
      "content-type": problemContentType,
      "content-length": Buffer.byteLength(body),
    });
    response.end(body);
  });
}
