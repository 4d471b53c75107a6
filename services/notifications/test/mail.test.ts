import type { AddressInfo } from "node:net";
import { captureLogs, secretsIn } from "@mercato/platform/testing";
import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { type NotificationsHost, orderConfirmed, startNotifications } from "./support.ts";

const user = "mercato-mailer";
const password = "s3cret-smtp-password";

/** A real SMTP server in this process that takes mail from `user` with `password` and parses it. */
async function startSmtpServer(port = 0) {
  const received: ParsedMail[] = [];
  const server = new SMTPServer({
    disabledCommands: ["STARTTLS"],
    allowInsecureAuth: true,
    onAuth(auth, _session, callback) {
      if (auth.username === user && auth.password === password) callback(null, { user });
      else callback(new Error("Invalid username or password"));
    },
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail) => {
          received.push(mail);
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const address = server.server.address() as AddressInfo;
  return {
    received,
    port: address.port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let host: NotificationsHost | undefined;
const servers: { close(): Promise<void> }[] = [];

afterEach(async () => {
  await host?.close();
  host = undefined;
});

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

describe("email through SMTP", () => {
  it("sends each notification to the customer, as text and HTML, from MERCATO_MAIL_FROM", async () => {
    const smtp = await startSmtpServer();
    servers.push(smtp);
    host = await startNotifications({
      mail: { smtpUrl: `smtp://${user}:${password}@127.0.0.1:${smtp.port}`, from: "Shop <hello@shop.test>" },
    });
    const ada = await host.customer("Ada & <Co>");
    const confirmed = orderConfirmed(ada.id);
    await host.publish(confirmed);
    await expect.poll(() => smtp.received.length).toBe(1);
    const [mail] = smtp.received;
    const [notification] = (await host.call("GET", "/api/notifications", { token: ada.token })).body.items;
    expect(mail?.subject).toBe("Order confirmed");
    expect(mail?.from?.value[0]).toMatchObject({ name: "Shop", address: "hello@shop.test" });
    expect(mail?.to && !Array.isArray(mail.to) ? mail.to.value[0] : undefined).toMatchObject({
      address: ada.email,
      name: "Ada & <Co>",
    });
    expect(mail?.messageId).toBe(`<${notification.id}@shop.test>`);
    expect(mail?.text).toContain("Hello Ada & <Co>,");
    expect(mail?.text).toContain(notification.body);
    expect(mail?.text).toContain(`http://shop.test${notification.link}`);
    expect(mail?.html).toContain("<p>Hello Ada &amp; &lt;Co&gt;,</p>");
    expect(mail?.html).toContain(notification.body);
  });

  it("keeps an email while the mail server is down and sends it once it is back, never logging the password", async () => {
    const probe = await startSmtpServer();
    const port = probe.port;
    await probe.close();
    const logs = captureLogs("info");
    host = await startNotifications({
      mail: { smtpUrl: `smtp://${user}:${password}@127.0.0.1:${port}` },
      logger: logs.logger,
    });
    const ada = await host.customer();
    await host.publish(orderConfirmed(ada.id));
    await expect
      .poll(
        async () => (await host?.call("GET", "/api/notifications", { token: ada.token }))?.body.items.length,
      )
      .toBe(1);
    await expect.poll(() => logs.text().includes("email not sent: will retry")).toBe(true);
    const smtp = await startSmtpServer(port);
    servers.push(smtp);
    await expect.poll(() => smtp.received.length).toBe(1);
    expect(smtp.received[0]?.subject).toBe("Order confirmed");
    expect(logs.text()).toContain("ECONNREFUSED");
    expect(secretsIn(logs.text(), [password, `${user}:`])).toEqual([]);
  });
});
