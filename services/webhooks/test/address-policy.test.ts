import dns from "node:dns";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Agent, fetch } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { guardedLookup, RefusedAddressError } from "../src/delivery/guarded-lookup.ts";
import { refusalOf } from "../src/domain/address-policy.ts";
import { checkWebhookUrl } from "../src/domain/webhook-url.ts";

const refusedIpv4: [string, RegExp][] = [
  ["127.0.0.1", /loopback/],
  ["127.255.255.254", /loopback/],
  ["10.0.0.1", /private/],
  ["10.255.255.255", /private/],
  ["172.16.0.1", /private/],
  ["172.31.255.255", /private/],
  ["192.168.1.1", /private/],
  ["169.254.169.254", /link-local/],
  ["100.64.0.1", /carrier-grade NAT/],
  ["100.127.255.255", /carrier-grade NAT/],
  ["0.0.0.0", /unspecified/],
  ["0.1.2.3", /unspecified/],
  ["224.0.0.1", /multicast/],
  ["239.255.255.255", /multicast/],
  ["255.255.255.255", /broadcast/],
  ["240.0.0.1", /reserved/],
  ["192.0.0.8", /reserved/],
  ["192.0.2.10", /documentation/],
  ["198.51.100.7", /documentation/],
  ["203.0.113.9", /documentation/],
  ["198.18.0.1", /benchmarking/],
  ["192.88.99.1", /reserved/],
];

const refusedIpv6: [string, RegExp][] = [
  ["::1", /loopback/],
  ["::", /unspecified/],
  ["fe80::1", /link-local/],
  ["fe80::1%eth0", /link-local/],
  ["febf:ffff::1", /link-local/],
  ["fc00::1", /unique local/],
  ["fd12:3456:789a::1", /unique local/],
  ["ff02::1", /multicast/],
  ["fec0::1", /site-local/],
  ["100::1", /discard/],
  ["2001:db8::1", /documentation/],
  ["3fff::1", /documentation/],
  ["2001::1", /Teredo/],
  ["::127.0.0.1", /loopback/],
  ["4000::1", /global unicast/],
  // IPv4 addresses carried in IPv6: mapped, translated, NAT64 and 6to4 forms of refused ones.
  ["::ffff:127.0.0.1", /127\.0\.0\.1 inside an IPv6 address \(ipv4Mapped\): a loopback/],
  ["::ffff:7f00:1", /loopback/],
  ["::ffff:10.0.0.1", /private/],
  ["::ffff:169.254.169.254", /link-local/],
  ["::ffff:0:127.0.0.1", /rfc6145.*loopback/],
  ["64:ff9b::7f00:1", /rfc6052.*loopback/],
  ["64:ff9b::192.168.0.1", /private/],
  ["64:ff9b:1::a00:1", /local-use NAT64/],
  ["2002:7f00:1::1", /6to4.*loopback/],
  ["2002:c0a8:101::", /6to4.*private/],
  ["2002:a9fe:a9fe::1", /link-local/],
];

const allowed = [
  "8.8.8.8",
  "1.1.1.1",
  "93.184.215.14",
  "11.0.0.1",
  "172.32.0.1",
  "172.15.255.255",
  "100.128.0.1",
  "169.253.255.255",
  "192.169.0.1",
  "2606:4700:4700::1111",
  "2001:4860:4860::8888",
  "2a00:1450:4001::200e",
  "::ffff:8.8.8.8",
  "64:ff9b::808:808",
  "2002:808:808::1",
];

describe("the address policy", () => {
  it.each(refusedIpv4)("refuses the IPv4 address %s", (address, reason) => {
    expect(refusalOf(address)).toMatch(reason);
  });

  it.each(refusedIpv6)("refuses the IPv6 address %s", (address, reason) => {
    expect(refusalOf(address)).toMatch(reason);
  });

  it.each(allowed)("allows the public address %s", (address) => {
    expect(refusalOf(address)).toBeUndefined();
  });

  it("refuses what is not an address", () => {
    expect(refusalOf("example.com")).toBe("not an IP address");
    expect(refusalOf("")).toBe("not an IP address");
  });
});

describe("webhook URLs", () => {
  const none = new Set<string>();

  it.each([
    ["not a url", /not an absolute URL/],
    ["/relative/path", /not an absolute URL/],
    ["ftp://example.com/hook", /http or https URL, not ftp:/],
    ["file:///etc/passwd", /http or https URL, not file:/],
    ["javascript:alert(1)", /http or https URL/],
    ["https://user:secret@example.com/hook", /user name or password/],
    ["https://user@example.com/hook", /user name or password/],
  ])("answers 400 for %s", (url, reason) => {
    const verdict = checkWebhookUrl(url, none);
    expect(verdict).toMatchObject({ ok: false, status: 400 });
    if (!verdict.ok) expect(verdict.reason).toMatch(reason);
  });

  it.each([
    ["http://127.0.0.1/hook", /127\.0\.0\.1, a loopback/],
    ["http://127.1:8080/hook", /127\.0\.0\.1/],
    ["http://0x7f.0.0.1/hook", /127\.0\.0\.1/],
    ["http://2130706433/hook", /127\.0\.0\.1/],
    ["http://017700000001/hook", /127\.0\.0\.1/],
    ["http://0.0.0.0/", /unspecified/],
    ["http://10.1.2.3/", /private/],
    ["http://169.254.169.254/latest/meta-data/", /link-local/],
    ["http://[::1]:8080/", /::1, the loopback/],
    ["http://[::ffff:127.0.0.1]/", /loopback/],
    ["http://[fd00::1]/", /unique local/],
    ["https://[fe80::1]/", /link-local/],
    ["http://localhost/hook", /localhost, a loopback name/],
    ["http://LOCALHOST./hook", /localhost, a loopback name/],
    ["http://shop.localhost:3000/hook", /shop\.localhost, a loopback name/],
  ])("answers 422 for %s", (url, reason) => {
    const verdict = checkWebhookUrl(url, none);
    expect(verdict).toMatchObject({ ok: false, status: 422 });
    if (!verdict.ok) expect(verdict.reason).toMatch(reason);
  });

  it.each([
    "https://example.com/hooks/mercato",
    "http://hooks.example.org:8080/in?token=abc",
    "https://93.184.215.14/hook",
    "https://[2606:4700:4700::1111]/hook",
  ])("accepts %s", (url) => {
    expect(checkWebhookUrl(url, none)).toMatchObject({ ok: true });
  });

  it("lets hosts on the allow list through, whatever their address", () => {
    const allowList = new Set(["127.0.0.1", "localhost", "::1"]);
    expect(checkWebhookUrl("http://127.0.0.1:9000/hook", allowList)).toMatchObject({ ok: true });
    expect(checkWebhookUrl("http://localhost:9000/hook", allowList)).toMatchObject({ ok: true });
    expect(checkWebhookUrl("http://[::1]:9000/hook", allowList)).toMatchObject({ ok: true });
    expect(checkWebhookUrl("http://10.0.0.1/hook", allowList)).toMatchObject({ ok: false, status: 422 });
    expect(checkWebhookUrl("ftp://127.0.0.1/hook", allowList)).toMatchObject({ ok: false, status: 400 });
  });
});

describe("the guarded DNS lookup", () => {
  let server: Server;
  let port: number;
  let requests = 0;

  beforeAll(async () => {
    server = createServer((_request, response) => {
      requests += 1;
      response.end("ok");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const lookup = (allowList: Set<string>, hostname: string, all: boolean) =>
    new Promise<{ error: Error | null; address: unknown }>((resolve) => {
      guardedLookup(allowList)(hostname, { all }, (error, address) => resolve({ error, address }));
    });

  it("refuses a name that resolves only to refused addresses, and passes it when allowed", async () => {
    const addresses = await dns.promises.lookup("localhost", { all: true });
    expect(addresses.length).toBeGreaterThan(0);

    for (const all of [true, false]) {
      const refused = await lookup(new Set(), "localhost", all);
      expect(refused.error).toBeInstanceOf(RefusedAddressError);
      expect(refused.error?.message).toMatch(/^localhost resolves to .*loopback/);
    }
    const passed = await lookup(new Set(["localhost"]), "localhost", true);
    expect(passed.error).toBeNull();
    expect(passed.address).toEqual(addresses);
    const one = await lookup(new Set(["localhost"]), "localhost", false);
    expect(one.address).toBe(addresses[0]?.address);
  });

  it("is what the connection uses: a refused name never reaches the server", async () => {
    const guarded = new Agent({ connect: { lookup: guardedLookup(new Set()) } });
    const allowedAgent = new Agent({ connect: { lookup: guardedLookup(new Set(["localhost"])) } });
    try {
      const url = `http://localhost:${port}/`;
      const error = await fetch(url, { dispatcher: guarded }).catch((caught: unknown) => caught);
      expect((error as Error).cause).toBeInstanceOf(RefusedAddressError);
      expect(requests).toBe(0);
      const answer = await fetch(url, { dispatcher: allowedAgent });
      expect(answer.status).toBe(200);
      await answer.text();
      expect(requests).toBe(1);
    } finally {
      await guarded.close();
      await allowedAgent.close();
    }
  });
});
