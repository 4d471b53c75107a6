export { createSealedBox, type SealedBox, SealedBoxError, secretKeyBytes } from "./sealed-box.ts";
export { loadSecretKey, secretKeyFile } from "./secret-key.ts";
