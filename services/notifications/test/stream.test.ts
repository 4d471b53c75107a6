import { EventStreamClient, type ServerSentEvent } from "@mercato/platform/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Customer, type NotificationsHost, orderConfirmed, startNotifications } from "./support.ts";

let host: NotificationsHost;

beforeAll(async () => {
  host = await startNotifications({ keepAliveMs: 100 });
});

afterAll(async () => {
  await host?.close();
});

function openStream(customer: Customer, lastEventId?: string) {
  return EventStreamClient.open(new URL("/api/notifications/stream", host.url), {
    authorization: `Bearer ${customer.token}`,
    ...(lastEventId ? { "last-event-id": lastEventId } : {}),
  });
}

/** The customer's inbox, newest first, once it holds `count` notifications. */
async function inboxOf(customer: Customer, count: number) {
  const read = async () =>
    (await host.call("GET", "/api/notifications", { token: customer.token })).body.items;
  await expect.poll(async () => (await read()).length).toBe(count);
  return read();
}

const dataOf = (event: ServerSentEvent | undefined) => JSON.parse(event?.data ?? "null");

describe("the live stream", () => {
  it("sends each new notification as an event whose id is the notification's, with keep-alives", async () => {
    const ada = await host.customer();
    const stream = await openStream(ada);
    try {
      expect(stream.response.status).toBe(200);
      expect(stream.response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
      expect(stream.response.headers.get("cache-control")).toBe("no-cache, no-transform");
      expect(stream.response.headers.get("x-accel-buffering")).toBe("no");
      await host.publish(orderConfirmed(ada.id));
      const event = await stream.next();
      expect(event?.event).toBe("notification");
      const [stored] = await inboxOf(ada, 1);
      expect(event?.id).toBe(stored.id);
      expect(dataOf(event)).toEqual(stored);
      expect(await stream.nextComment()).toBe("keep-alive");
      expect(stream.retryMs).toBe(2000);
    } finally {
      stream.close();
    }
  });

  it("resumes after Last-Event-ID from the store: nothing created while disconnected is missed", async () => {
    const grace = await host.customer("Grace");
    const stranger = await host.customer("Stranger");
    const first = await openStream(grace);
    await host.publish(orderConfirmed(grace.id));
    const seen = await first.next();
    first.close();

    const missed = Array.from({ length: 7 }, () => orderConfirmed(grace.id));
    await host.publish(...missed, orderConfirmed(stranger.id));
    await inboxOf(grace, 8);
    const second = await openStream(grace, seen?.id);
    try {
      const later = orderConfirmed(grace.id);
      const resumed = await second.take(7);
      await host.publish(later);
      const live = await second.next();
      const inbox = await inboxOf(grace, 9);
      const oldestFirst = inbox.map((item: { id: string }) => item.id).reverse();
      expect([seen?.id, ...resumed.map((event) => event.id), live?.id]).toEqual(oldestFirst);
      expect(dataOf(live).link).toBe(`/orders/${(later.detail as { orderId: string }).orderId}`);
    } finally {
      second.close();
    }
  });

  it("starts with what comes next when Last-Event-ID is not one of the user's notifications", async () => {
    const ada = await host.customer();
    const other = await host.customer();
    await host.publish(orderConfirmed(other.id), orderConfirmed(ada.id));
    const [foreign] = await inboxOf(other, 1);
    await inboxOf(ada, 1);
    const stream = await openStream(ada, foreign.id);
    try {
      const next = orderConfirmed(ada.id);
      await stream.nextComment();
      await host.publish(next);
      const event = await stream.next();
      expect(dataOf(event).link).toBe(`/orders/${(next.detail as { orderId: string }).orderId}`);
    } finally {
      stream.close();
    }
  });

  it("sends every user only their own notifications", async () => {
    const ada = await host.customer();
    const bob = await host.customer();
    const adas = await openStream(ada);
    const bobs = await openStream(bob);
    try {
      await host.publish(orderConfirmed(bob.id), orderConfirmed(ada.id));
      const forAda = await adas.next();
      const forBob = await bobs.next();
      expect(forAda?.id).toBe((await inboxOf(ada, 1))[0].id);
      expect(forBob?.id).toBe((await inboxOf(bob, 1))[0].id);
    } finally {
      adas.close();
      bobs.close();
    }
  });

  it("refuses anonymous clients, a malformed Last-Event-ID and a query with problems", async () => {
    const anonymous = await EventStreamClient.open(new URL("/api/notifications/stream", host.url));
    expect(anonymous.response.status).toBe(401);
    expect(anonymous.response.headers.get("content-type")).toBe("application/problem+json");
    anonymous.close();
    const ada = await host.customer();
    const tooLong = await openStream(ada, "x".repeat(65));
    expect(tooLong.response.status).toBe(400);
    tooLong.close();
    const stray = await EventStreamClient.open(new URL("/api/notifications/stream?since=0", host.url), {
      authorization: `Bearer ${ada.token}`,
    });
    expect(stray.response.status).toBe(400);
    expect(stray.response.headers.get("content-type")).toBe("application/problem+json");
    stray.close();
  });
});

describe("shutting down", () => {
  it("ends open streams cleanly so the host can close", async () => {
    const own = await startNotifications();
    try {
      const ada = await own.customer();
      const stream = await EventStreamClient.open(new URL("/api/notifications/stream", own.url), {
        authorization: `Bearer ${ada.token}`,
      });
      await own.publish(orderConfirmed(ada.id));
      expect((await stream.next())?.event).toBe("notification");
      const ending = stream.untilEnd();
      await own.host.close();
      expect(await ending).toEqual([]);
    } finally {
      await own.close().catch(() => undefined);
    }
  });
});
