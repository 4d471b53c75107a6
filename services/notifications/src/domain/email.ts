import type { NotificationDraft } from "./notification.ts";

/** One email, ready for a mail transport. */
export interface EmailMessage {
  from: string;
  to: { name: string; address: string };
  subject: string;
  text: string;
  html: string;
  /** The same on every attempt, so a receiver can drop a repeat after a retried send. */
  messageId: string;
  headers: Record<string, string>;
}

const htmlEscapes: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Text safe inside HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => htmlEscapes[character] ?? character);
}

/**
 * The email of a notification: plain text and HTML with the same content. Everything that comes
 * from users or the catalog (names, product names, tracking numbers) is escaped in the HTML.
 */
export function notificationEmail(
  notification: NotificationDraft & { id: string },
  recipient: { name: string; email: string },
  sender: { from: string; publicUrl: string },
): EmailMessage {
  const link = new URL(notification.link, sender.publicUrl).href;
  const greeting = `Hello ${recipient.name},`;
  const text = [greeting, "", notification.body, "", `See it in the shop: ${link}`, "", "Mercato"].join("\n");
  const html = [
    "<!doctype html>",
    '<html><body style="font-family: sans-serif">',
    `<p>${escapeHtml(greeting)}</p>`,
    `<p>${escapeHtml(notification.body)}</p>`,
    `<p><a href="${escapeHtml(link)}">See it in the shop</a></p>`,
    "<p>Mercato</p>",
    "</body></html>",
  ].join("\n");
  return {
    from: sender.from,
    to: { name: recipient.name, address: recipient.email },
    subject: notification.title,
    text,
    html,
    messageId: `<${notification.id}@${senderDomain(sender.from)}>`,
    headers: { "X-Mercato-Notification": notification.id },
  };
}

function senderDomain(from: string): string {
  return /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? "mercato.local";
}
