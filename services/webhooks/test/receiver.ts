import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface ReceivedWebhook {
  /** The request's path, without the receiver's origin: `/orders`. */
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** How the receiver answers a request: a status, or nothing at all (the sender times out). */
export type Answer = number | "hang";

/**
 * A webhook receiver on 127.0.0.1 for tests and benchmarks: keeps every request it gets and
 * answers with the status `answer` gives (200 unless told otherwise).
 */
export interface Receiver {
  url: string;
  received: ReceivedWebhook[];
  answer: (request: ReceivedWebhook) => Answer;
  close(): Promise<void>;
}

export async function startReceiver(
  answer: (request: ReceivedWebhook) => Answer = () => 200,
): Promise<Receiver> {
  const sockets = new Set<Socket>();
  const hanging = new Set<ServerResponse>();
  const receiver: Receiver = {
    url: "",
    received: [],
    answer,
    async close() {
      for (const response of hanging) response.destroy();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const received = {
        path: request.url ?? "/",
        headers: request.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      receiver.received.push(received);
      const status = receiver.answer(received);
      if (status === "hang") {
        hanging.add(response);
        return;
      }
      response.writeHead(status, status >= 300 && status < 400 ? { location: "http://127.0.0.1:9/" } : {});
      response.end();
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return receiver;
}
