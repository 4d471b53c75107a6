import { retryDelayMs, type TaskDefinition } from "@mercato/platform";
import { notificationEmail } from "../domain/email.ts";
import type { NotificationsResources } from "../resources.ts";
import type { NotificationsSettings } from "../settings.ts";
import { claimDueEmails, type DueEmail, markEmailFailed, markEmailSent } from "../store/email-deliveries.ts";
import type { NotificationsTables } from "../store/tables.ts";

/** Emails one run takes; a backlog drains over the next runs. */
const emailsPerRun = 50;

/** Long enough for a batch of slow SMTP conversations, short enough that a crash delays mail little. */
const leaseMs = 5 * 60_000;

/**
 * Sends the queued emails of notifications, every second, outside any transaction: the
 * notification committed long before, so a slow or down mail server never holds an event's
 * transaction or loses a notification. A failed send is tried again with exponential backoff,
 * up to the configured attempts; so is an email whose recipient identity has not announced yet.
 */
export const mailDelivery: TaskDefinition<
  NotificationsTables,
  NotificationsSettings,
  NotificationsResources
> = {
  name: "mail delivery",
  intervalMs: 1_000,
  async run({ db, settings, resources, logger }) {
    const due = await claimDueEmails(db, emailsPerRun, leaseMs);
    for (const email of due) {
      try {
        await send(email, settings, resources);
        await markEmailSent(db, email.notificationId);
      } catch (error) {
        const attempt = email.attempts + 1;
        const giveUp = attempt >= settings.mail.maxAttempts;
        const reason = resources.mail.describeError(error);
        const retryAt = giveUp ? null : new Date(Date.now() + retryDelayMs(attempt, settings.mail.retry));
        await markEmailFailed(db, email.notificationId, reason, retryAt);
        const log = { notificationId: email.notificationId, attempt, reason };
        if (giveUp) logger.error(log, "email not sent: gave up");
        else logger.warn({ ...log, retryAt }, "email not sent: will retry");
      }
    }
  },
};

async function send(email: DueEmail, settings: NotificationsSettings, resources: NotificationsResources) {
  if (!email.recipient) throw new Error("the recipient's address is not known (no UserRegistered yet)");
  const message = notificationEmail({ ...email, id: email.notificationId }, email.recipient, settings.mail);
  await resources.mail.send(message, email.notificationId);
}
