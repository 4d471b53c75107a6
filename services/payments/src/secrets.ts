// The platform's index does not export its secrets module yet; once it does, import these names
// from "@mercato/platform" and remove this file.
export {
  createSealedBox,
  loadSecretKey,
  type SealedBox,
} from "../../../packages/platform/src/secrets/index.ts";
