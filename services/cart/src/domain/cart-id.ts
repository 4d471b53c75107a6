import { v5 as uuidv5 } from "uuid";

/** Fixed namespace for cart ids; changing it would give every user a new, empty cart. */
const cartNamespace = "3f1c1e2a-8d7b-5c4e-9a6f-0b2d4e6f8a1c";

/**
 * One cart per user, with an id derived from the user id: the id is stable from the first
 * `GET /api/cart`, before anything is stored, and no request ever has to create a cart row.
 */
export function cartIdOf(userId: string): string {
  return uuidv5(userId, cartNamespace);
}
