import ipaddr from "ipaddr.js";

/**
 * Which addresses a webhook may reach: only public unicast ones, so that nobody can point a webhook
 * at the platform's own machine or network (SSRF). Ranges come from ipaddr.js's registry of special
 * addresses (RFC 6890 and its successors); an IPv6 address that carries an IPv4 address (mapped,
 * translated, NAT64, 6to4) is judged by the IPv4 address it carries.
 */

const ipv4Reasons: Record<string, string> = {
  unspecified: "an unspecified address (0.0.0.0/8)",
  broadcast: "the broadcast address",
  multicast: "a multicast address (224.0.0.0/4)",
  linkLocal: "a link-local address (169.254.0.0/16)",
  loopback: "a loopback address (127.0.0.0/8)",
  carrierGradeNat: "a carrier-grade NAT address (100.64.0.0/10)",
  private: "a private address (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16)",
  reserved: "a reserved, benchmarking or documentation address",
  as112: "an AS112 sink address",
  amt: "an AMT relay address",
};

const ipv6Reasons: Record<string, string> = {
  unspecified: "the unspecified address (::)",
  linkLocal: "a link-local address (fe80::/10)",
  multicast: "a multicast address (ff00::/8)",
  loopback: "the loopback address (::1)",
  uniqueLocal: "a unique local address (fc00::/7)",
  deprecatedSiteLocal: "a site-local address (fec0::/10)",
  discard: "a discard-only address (100::/64)",
  teredo: "a Teredo tunnel address (2001::/32)",
  benchmarking: "a benchmarking address (2001:2::/48)",
  amt: "an AMT address (2001:3::/32)",
  as112v6: "an AS112 sink address",
  deprecatedOrchid: "an ORCHID address",
  orchid2: "an ORCHIDv2 address",
  droneRemoteIdProtocolEntityTags: "a drone remote ID address",
  segmentRouting: "a segment routing address (5f00::/16)",
  reserved: "a reserved or documentation address (2001:db8::/32, 3fff::/20)",
};

const globalUnicast = ipaddr.parseCIDR("2000::/3");

/** Why `address` (an IP address, as text) may not receive webhooks; undefined when it may. */
export function refusalOf(address: string): string | undefined {
  if (!ipaddr.isValid(address)) return "not an IP address";
  const parsed = ipaddr.parse(address);
  return parsed.kind() === "ipv4" ? ipv4Refusal(parsed as ipaddr.IPv4) : ipv6Refusal(parsed as ipaddr.IPv6);
}

function ipv4Refusal(address: ipaddr.IPv4): string | undefined {
  const range = address.range();
  if (range === "unicast") return undefined;
  return ipv4Reasons[range] ?? `a special-purpose address (${range})`;
}

function ipv6Refusal(address: ipaddr.IPv6): string | undefined {
  const range = address.range();
  const embedded = embeddedIpv4(address, range);
  if (embedded) {
    const inner = ipv4Refusal(embedded);
    return inner && `${embedded.toString()} inside an IPv6 address (${range}): ${inner}`;
  }
  if (range === "rfc6052") return "a local-use NAT64 address (64:ff9b:1::/48)";
  if (range !== "unicast") return ipv6Reasons[range] ?? `a special-purpose address (${range})`;
  if (!address.match(globalUnicast)) return "outside global unicast (2000::/3)";
  return undefined;
}

/**
 * The IPv4 address an IPv6 address stands for: IPv4-mapped (::ffff:a.b.c.d), IPv4-translated
 * (::ffff:0:a.b.c.d), the well-known NAT64 prefix (64:ff9b::a.b.c.d) and 6to4 (2002:aabb:ccdd::).
 */
function embeddedIpv4(address: ipaddr.IPv6, range: string): ipaddr.IPv4 | undefined {
  const parts = address.parts;
  const fromParts = (high: number, low: number) =>
    new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
  switch (range) {
    case "ipv4Mapped":
    case "rfc6145":
      return fromParts(parts[6] as number, parts[7] as number);
    case "rfc6052":
      // Only 64:ff9b::/96 carries the address in its last 32 bits; 64:ff9b:1::/48 is local use.
      return parts[2] === 0 ? fromParts(parts[6] as number, parts[7] as number) : undefined;
    case "6to4":
      return fromParts(parts[1] as number, parts[2] as number);
    default:
      return undefined;
  }
}
