import { roles } from "@mercato/platform";
import { z } from "zod";

export const userSchema = z
  .object({ id: z.string(), email: z.string(), name: z.string(), roles: z.array(z.enum(roles)) })
  .meta({ id: "User" });

const email = z.email("must be an email address").max(254, "must be at most 254 characters");

/** Long enough for passphrases, short enough that hashing cannot be made expensive. */
const maxPasswordLength = 200;

export const registrationSchema = z
  .object({
    email,
    password: z
      .string()
      .min(8, "must be at least 8 characters")
      .max(maxPasswordLength, `must be at most ${maxPasswordLength} characters`),
    name: z.string().trim().min(1, "must not be empty").max(100, "must be at most 100 characters"),
  })
  .strict();

export const credentialsSchema = z
  .object({
    email,
    password: z
      .string()
      .min(1, "must not be empty")
      .max(maxPasswordLength, `must be at most ${maxPasswordLength} characters`),
  })
  .strict();

export const refreshRequestSchema = z
  .object({ refreshToken: z.string().min(1, "must not be empty").max(200, "must be at most 200 characters") })
  .strict();

export const tokensSchema = z
  .object({ accessToken: z.string(), refreshToken: z.string() })
  .meta({ id: "Tokens" });

export const sessionSchema = z
  .object({ user: userSchema, accessToken: z.string(), refreshToken: z.string() })
  .meta({ id: "Session" });

/** Auth bodies are small; anything bigger is refused before it is parsed. */
export const authBodyLimitBytes = 4096;
