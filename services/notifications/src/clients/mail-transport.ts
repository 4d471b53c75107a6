import fs from "node:fs/promises";
import path from "node:path";
import type { Transporter } from "nodemailer";
import type { EmailMessage } from "../domain/email.ts";

/** Where emails go: an SMTP server, or `.eml` files in a folder. */
export interface MailTransport {
  /** Resolves once the message was accepted (SMTP) or written; throws when it was not. */
  send(message: EmailMessage, fileName: string): Promise<void>;
  /** A failure as it may be logged and stored: never the mail server's user name or password. */
  describeError(error: unknown): string;
  close(): void;
}

/**
 * Bounds on one SMTP conversation: a mail server that accepts connections and never answers must
 * not hold the delivery task (and a shutdown waiting for it) for nodemailer's default minutes.
 */
const smtpTimeouts = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

/**
 * nodemailer is imported on the first email, not at start: a shop that sends none never loads it.
 * With an SMTP URL each message goes there; without, nodemailer's stream transport renders the
 * RFC 822 message, written to `<mailDir>/<fileName>.eml` (through a temporary file and a rename,
 * so a reader never finds half a message).
 */
export function mailTransport(options: { smtpUrl: string | undefined; mailDir: string }): MailTransport {
  let transporter: Promise<Transporter> | undefined;
  const secrets = credentialsOf(options.smtpUrl);
  const open = async (): Promise<Transporter> => {
    const nodemailer = await import("nodemailer");
    return options.smtpUrl
      ? nodemailer.createTransport({ url: options.smtpUrl, ...smtpTimeouts })
      : nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "windows" });
  };
  return {
    async send(message, fileName) {
      transporter ??= open().catch((error: unknown) => {
        transporter = undefined;
        throw error;
      });
      const info = await (await transporter).sendMail(message);
      if (options.smtpUrl) return;
      await fs.mkdir(options.mailDir, { recursive: true });
      const target = path.join(options.mailDir, `${fileName}.eml`);
      const partial = `${target}.partial`;
      await fs.writeFile(partial, info.message as Buffer);
      await fs.rename(partial, target);
    },
    describeError(error) {
      const code = (error as { code?: unknown }).code;
      const message = error instanceof Error ? error.message : String(error);
      const described = typeof code === "string" ? `${code}: ${message}` : message;
      return secrets.reduce((text, secret) => text.replaceAll(secret, "***"), described);
    },
    close() {
      transporter?.then((opened) => opened.close()).catch(() => undefined);
    },
  };
}

/** The user name and password of an SMTP URL, as written and decoded. */
function credentialsOf(smtpUrl: string | undefined): string[] {
  if (!smtpUrl) return [];
  const { username, password } = new URL(smtpUrl);
  return [username, password, decodeURIComponent(username), decodeURIComponent(password)].filter(
    (part) => part.length >= 3,
  );
}
