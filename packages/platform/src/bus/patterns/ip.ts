/**
 * IP addresses as arrays of 16-bit words: 2 words for IPv4, 8 for IPv6. One representation lets a
 * CIDR block test membership by comparing leading bits, whatever the family.
 */
type Words = readonly number[];

const DECIMAL_OCTET = /^[0-9]{1,3}$/;
const HEX_GROUP = /^[0-9A-Fa-f]{1,4}$/;

function parseIPv4(text: string): Words | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  const octets: number[] = [];
  for (const part of parts) {
    if (!DECIMAL_OCTET.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    octets.push(octet);
  }
  const [a = 0, b = 0, c = 0, d = 0] = octets;
  return [(a << 8) | b, (c << 8) | d];
}

function parseGroups(text: string): number[] | undefined {
  if (text === "") return [];
  const groups: number[] = [];
  const parts = text.split(":");
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] ?? "";
    if (i === parts.length - 1 && part.includes(".")) {
      const v4 = parseIPv4(part);
      if (!v4) return undefined;
      groups.push(...v4);
    } else if (HEX_GROUP.test(part)) {
      groups.push(Number.parseInt(part, 16));
    } else {
      return undefined;
    }
  }
  return groups;
}

function parseIPv6(text: string): Words | undefined {
  const gap = text.indexOf("::");
  if (gap === -1) {
    const groups = parseGroups(text);
    return groups?.length === 8 ? groups : undefined;
  }
  if (text.indexOf("::", gap + 1) !== -1) return undefined;
  const head = parseGroups(text.slice(0, gap));
  const tail = parseGroups(text.slice(gap + 2));
  if (!head || !tail || head.length + tail.length > 7) return undefined;
  return [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
}

/** Parses an IPv4 or IPv6 address literal; anything else (host names, zones, garbage) is undefined. */
export function parseIp(text: string): Words | undefined {
  if (text.includes(":")) return parseIPv6(text);
  return parseIPv4(text);
}

export class CidrBlock {
  readonly #network: Words;
  readonly #bits: number;

  constructor(network: Words, bits: number) {
    this.#bits = bits;
    this.#network = network.map((word, i) => word & maskFor(bits, i));
  }

  contains(value: string): boolean {
    const address = parseIp(value);
    if (!address || address.length !== this.#network.length) return false;
    for (let i = 0; i < address.length; i++) {
      if (((address[i] ?? 0) & maskFor(this.#bits, i)) !== this.#network[i]) return false;
    }
    return true;
  }
}

function maskFor(bits: number, wordIndex: number): number {
  const covered = bits - wordIndex * 16;
  if (covered >= 16) return 0xffff;
  if (covered <= 0) return 0;
  return (0xffff << (16 - covered)) & 0xffff;
}

/** A CIDR block such as `10.0.0.0/24` or `2001:db8::/64`, or the reason the text is not one. */
export function parseCidr(text: string): CidrBlock | string {
  const slash = text.indexOf("/");
  if (slash === -1 || text.indexOf("/", slash + 1) !== -1) {
    return `malformed CIDR ${JSON.stringify(text)}: exactly one "/" is required, as in "10.0.0.0/24"`;
  }
  const address = parseIp(text.slice(0, slash));
  if (!address) return `malformed CIDR ${JSON.stringify(text)}: not an IPv4 or IPv6 address before "/"`;
  const maskText = text.slice(slash + 1);
  const maxBits = address.length * 16;
  if (!/^[0-9]{1,3}$/.test(maskText) || Number(maskText) > maxBits) {
    return `malformed CIDR ${JSON.stringify(text)}: the prefix length must be an integer from 0 to ${maxBits}`;
  }
  return new CidrBlock(address, Number(maskText));
}
