import fs from "node:fs/promises";
import path from "node:path";
import { PaymentRefunded } from "@mercato/contracts";
import { simpleParser } from "mailparser";
import { v7 as uuidv7 } from "uuid";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type NotificationsHost, orderConfirmed, orderPlaced, startNotifications } from "./support.ts";

let host: NotificationsHost;

beforeAll(async () => {
  host = await startNotifications();
});

afterAll(async () => {
  await host?.close();
});

const inbox = (token: string | undefined, query = "") =>
  host.call("GET", `/api/notifications${query}`, token ? { token } : {});

async function inboxReaching(token: string, count: number) {
  await expect.poll(async () => (await inbox(token)).body.items?.length).toBe(count);
  return (await inbox(token)).body;
}

describe("the inbox", () => {
  it("gets one notification per confirmed order, however often the event is delivered", async () => {
    const ada = await host.customer();
    const confirmed = orderConfirmed(ada.id);
    await host.publish(confirmed);
    const body = await inboxReaching(ada.token, 1);
    expect(body).toEqual({
      items: [
        {
          id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-7/),
          type: "order.confirmed",
          title: "Order confirmed",
          body: "Your order of 2 items for €25.00 is confirmed. We will tell you when it ships.",
          link: `/orders/${(confirmed.detail as { orderId: string }).orderId}`,
          createdAt: expect.any(String),
          readAt: null,
        },
      ],
      unreadCount: 1,
      nextCursor: null,
    });
    await host.publish(confirmed, confirmed);
    await expect.poll(() => host.settled()).toBe(true);
    expect((await inbox(ada.token)).body.items).toHaveLength(1);
    const sent = host.events.filter((event) => event["detail-type"] === "NotificationSent");
    expect(sent.map((event) => event.detail)).toEqual([
      {
        notificationId: body.items[0].id,
        userId: ada.id,
        type: "order.confirmed",
        link: body.items[0].link,
        sourceEventId: confirmed.id,
      },
    ]);
    expect(sent[0]?.metadata["causation-id"]).toBe(confirmed.id);
  });

  it("pages newest first, filters unread, and marks read one by one or all at once", async () => {
    const grace = await host.customer("Grace");
    const orders = Array.from({ length: 5 }, () => orderConfirmed(grace.id));
    for (const order of orders) await host.publish(order);
    const all = await inboxReaching(grace.token, 5);
    const ids: string[] = all.items.map((item: { id: string }) => item.id);
    expect(all.unreadCount).toBe(5);

    const first = await inbox(grace.token, "?limit=2");
    const second = await inbox(grace.token, `?limit=2&cursor=${first.body.nextCursor}`);
    const third = await inbox(grace.token, `?limit=2&cursor=${second.body.nextCursor}`);
    const paged = [first, second, third].flatMap((page) =>
      page.body.items.map((item: { id: string }) => item.id),
    );
    expect(paged).toEqual(ids);
    expect(third.body.nextCursor).toBeNull();

    const [newest, second_] = ids;
    expect(
      (await host.call("POST", `/api/notifications/${newest}/read`, { token: grace.token })).status,
    ).toBe(204);
    expect(
      (await host.call("POST", `/api/notifications/${second_}/read`, { token: grace.token })).status,
    ).toBe(204);
    const readOnce = (await inbox(grace.token)).body.items[0].readAt;
    expect(
      (await host.call("POST", `/api/notifications/${newest}/read`, { token: grace.token })).status,
    ).toBe(204);
    expect((await inbox(grace.token)).body.items[0].readAt).toBe(readOnce);

    const unread = await inbox(grace.token, "?unread=true");
    expect(unread.body.items.map((item: { id: string }) => item.id)).toEqual(ids.slice(2));
    expect(unread.body.unreadCount).toBe(3);
    const unreadPage = await inbox(grace.token, "?unread=true&limit=2");
    const unreadRest = await inbox(grace.token, `?unread=true&limit=2&cursor=${unreadPage.body.nextCursor}`);
    expect(unreadRest.body.items.map((item: { id: string }) => item.id)).toEqual(ids.slice(4));

    expect((await host.call("POST", "/api/notifications/read-all", { token: grace.token })).status).toBe(204);
    const after = await inbox(grace.token);
    expect(after.body.unreadCount).toBe(0);
    expect(after.body.items.every((item: { readAt: string | null }) => item.readAt !== null)).toBe(true);
    expect((await inbox(grace.token, "?unread=true")).body.items).toEqual([]);
  });

  it("shows each user only their own notifications", async () => {
    const owner = await host.customer();
    const stranger = await host.customer();
    await host.publish(orderConfirmed(owner.id));
    const [notification] = (await inboxReaching(owner.token, 1)).items;
    expect((await inbox(stranger.token)).body).toEqual({ items: [], unreadCount: 0, nextCursor: null });
    const foreign = await host.call("POST", `/api/notifications/${notification.id}/read`, {
      token: stranger.token,
    });
    expect(foreign.status).toBe(404);
    expect(foreign.headers.get("content-type")).toBe("application/problem+json");
    expect(
      (await host.call("POST", `/api/notifications/${uuidv7()}/read`, { token: owner.token })).status,
    ).toBe(404);
    await host.call("POST", "/api/notifications/read-all", { token: stranger.token });
    expect((await inbox(owner.token)).body.items[0].readAt).toBeNull();
  });

  it("refuses anonymous callers and bad queries with problems", async () => {
    const user = await host.customer();
    for (const [method, url] of [
      ["GET", "/api/notifications"],
      ["POST", "/api/notifications/read-all"],
      ["POST", `/api/notifications/${uuidv7()}/read`],
      ["GET", "/api/notifications/stream"],
    ] as const) {
      const answer = await host.call(method, url);
      expect(answer.status, url).toBe(401);
      expect(answer.headers.get("content-type")).toBe("application/problem+json");
      expect((await host.call(method, url, { token: "not.a.token" })).status).toBe(401);
    }
    for (const query of [
      "?limit=0",
      "?limit=101",
      "?unread=yes",
      "?cursor=%%%",
      "?cursor=eyJzZXEiOi0xfQ",
      "?x=1",
    ]) {
      const answer = await inbox(user.token, query);
      expect(answer.status, query).toBe(400);
      expect(answer.headers.get("content-type")).toBe("application/problem+json");
    }
    const tooLong = await host.call("POST", `/api/notifications/${"x".repeat(65)}/read`, {
      token: user.token,
    });
    expect(tooLong.status).toBe(400);
  });
});

describe("refunds", () => {
  it("reach the order's customer, known from the order's events, even when the refund comes first", async () => {
    const ada = await host.customer();
    const orderId = uuidv7();
    const refund = PaymentRefunded.create(
      { orderId, paymentId: uuidv7(), amount: { amount: 1999, currency: "EUR" }, returnId: null },
      { correlationId: "refund" },
    );
    await host.publish(refund);
    // Handled and failed: the order's customer is not known yet.
    await expect
      .poll(async () => (await host.queueStats("notifications-customer-notices")).failed)
      .toBeGreaterThan(0);
    await host.publish(orderPlaced(ada.id, orderId));
    const body = await inboxReaching(ada.token, 1);
    expect(body.items[0]).toMatchObject({
      type: "refund.issued",
      body: "We refunded €19.99 for your cancelled order.",
      link: `/orders/${orderId}`,
    });
  });
});

describe("email without SMTP_URL", () => {
  it("writes each notification as an .eml file under the data directory's mail/", async () => {
    const ada = await host.customer("Ada <script>alert(1)</script>");
    await host.publish(orderConfirmed(ada.id));
    const [notification] = (await inboxReaching(ada.token, 1)).items;
    const file = path.join(host.dataDir, "mail", `${notification.id}.eml`);
    await expect
      .poll(() =>
        fs.access(file).then(
          () => true,
          () => false,
        ),
      )
      .toBe(true);
    const mail = await simpleParser(await fs.readFile(file));
    expect(mail.subject).toBe("Order confirmed");
    expect(mail.from?.value[0]).toMatchObject({ name: "Mercato", address: "no-reply@mercato.local" });
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value[0]?.address : undefined).toBe(ada.email);
    expect(mail.messageId).toBe(`<${notification.id}@mercato.local>`);
    expect(mail.text).toContain(notification.body);
    expect(mail.text).toContain(`http://shop.test/orders/`);
    expect(mail.text).toContain("Hello Ada <script>alert(1)</script>,");
    expect(mail.html).toContain("Hello Ada &lt;script&gt;alert(1)&lt;/script&gt;,");
    expect(mail.html).not.toContain("<script>");
    expect(mail.html).toContain(`<a href="${new URL(notification.link, "http://shop.test").href}">`);
  });
});
