import {
  AckPolicy,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from "@nats-io/jetstream";
import { nanos, nuid } from "@nats-io/transport-node";

const BATCH = 256;
const BATCH_WAIT_MS = 1_000;
/** The server removes the reader's consumer by itself if the reading process dies. */
const READER_IDLE_LIMIT_MS = 30_000;

/**
 * Visits a stream's messages oldest first through a short-lived consumer that acknowledges nothing,
 * until `visit` returns false or the stream has no more. A batch that brings nothing ends the walk
 * too, so messages deleted while reading never leave it waiting.
 */
export async function readStream(
  js: JetStreamClient,
  jsm: JetStreamManager,
  stream: string,
  visit: (message: JsMsg) => boolean,
): Promise<void> {
  if ((await jsm.streams.info(stream)).state.messages === 0) return;
  const info = await jsm.consumers.add(stream, {
    name: `reader-${nuid.next()}`,
    ack_policy: AckPolicy.None,
    deliver_policy: DeliverPolicy.All,
    inactive_threshold: nanos(READER_IDLE_LIMIT_MS),
    mem_storage: true,
  });
  const consumer = js.consumers.getConsumerFromInfo(info);
  try {
    for (;;) {
      const batch = await consumer.fetch({ max_messages: BATCH, expires: BATCH_WAIT_MS });
      let received = 0;
      let done = false;
      for await (const message of batch) {
        received++;
        done = !visit(message) || message.info.pending === 0;
        if (done) break;
      }
      if (done || received === 0) {
        // Closed only after leaving the loop: closing from inside waits for the loop itself.
        await batch.close();
        return;
      }
    }
  } finally {
    await jsm.consumers.delete(stream, info.name).catch(() => false);
  }
}
