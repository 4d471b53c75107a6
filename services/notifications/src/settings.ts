import { z } from "zod";

const smtpUrl = z.string().refine(
  (value) => {
    try {
      return ["smtp:", "smtps:"].includes(new URL(value).protocol);
    } catch {
      return false;
    }
  },
  // Never echo the value: it may hold the mail server's password.
  { message: "must be a URL like smtp://user:password@host:587 or smtps://host:465" },
);

/** `address@domain`, or `Display Name <address@domain>`. */
const mailbox = /^(?:[^<>\r\n]*<[^<>@\s]+@[^<>@\s]+>|[^<>@\s]+@[^<>@\s]+)$/;

const milliseconds = z.coerce.number().int().positive();

/** The notifications service's settings, read from the environment by the host. */
export const notificationsSettings = z
  .object({
    SMTP_URL: smtpUrl.optional(),
    MERCATO_MAIL_FROM: z
      .string()
      .trim()
      .max(320)
      .regex(mailbox, "must be an address like no-reply@shop.example or Shop <no-reply@shop.example>")
      .default("Mercato <no-reply@mercato.local>"),
    MERCATO_PUBLIC_URL: z.url({ protocol: /^https?$/ }).default("http://localhost:8080"),
    MERCATO_MAIL_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(16),
    MERCATO_MAIL_RETRY_BASE_MS: milliseconds.default(5_000),
    MERCATO_STREAM_KEEPALIVE_MS: milliseconds.max(25_000).default(15_000),
  })
  .transform((env) => ({
    mail: {
      /** Unset: each email is written as an .eml file under the data directory's `mail/`. */
      smtpUrl: env.SMTP_URL,
      from: env.MERCATO_MAIL_FROM,
      /** The shop's address, for the links in emails. */
      publicUrl: env.MERCATO_PUBLIC_URL,
      maxAttempts: env.MERCATO_MAIL_MAX_ATTEMPTS,
      retry: { baseMs: env.MERCATO_MAIL_RETRY_BASE_MS, maxMs: 30 * 60_000 },
    },
    /** How often an idle stream gets a `: keep-alive` comment line (at most 25 s, api.md). */
    keepAliveMs: env.MERCATO_STREAM_KEEPALIVE_MS,
  }));

export type NotificationsSettings = z.infer<typeof notificationsSettings>;
