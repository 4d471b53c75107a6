export {
  authenticate,
  currentUser,
  installTokenVerifier,
  optionalUser,
  requireUser,
} from "./require-user.ts";
export {
  type AuthenticatedUser,
  accessTokenAudience,
  accessTokenIssuer,
  InvalidTokenError,
  localJwksVerifier,
  type Role,
  remoteJwksVerifier,
  roles,
  type TokenVerifier,
} from "./tokens.ts";
