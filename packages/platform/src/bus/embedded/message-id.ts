import { randomFillSync } from "node:crypto";
import { v7 as uuidv7 } from "uuid";

const idBytes = 16;
const pool = new Uint8Array(idBytes * 512);
let offset = pool.length;

/**
 * A UUIDv7 for a new message. Random bytes come from a pool refilled 512 ids at a time, because
 * `uuid` asks the system for 16 fresh bytes per id, which showed up in the publish path's profile.
 */
export function newMessageId(): string {
  if (offset === pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const random = pool.subarray(offset, offset + idBytes);
  offset += idBytes;
  return uuidv7({ random });
}
