import dns from "node:dns";
import type { LookupFunction } from "node:net";
import { refusalOf } from "../domain/address-policy.ts";

/** A delivery refused because its host resolved only to addresses webhooks may not reach. */
export class RefusedAddressError extends Error {
  override name = "RefusedAddressError";
  readonly code = "EWEBHOOKREFUSED";
}

/**
 * DNS resolution for webhook connections: resolves the name, keeps only the addresses the policy
 * allows, and hands those to the socket, which connects to an address checked here and nowhere
 * else. A name that resolves to a public address for a check and to a private one for the
 * connection (DNS rebinding) therefore gets nowhere. Hosts on the allow list skip the check.
 */
export function guardedLookup(allowedHosts: ReadonlySet<string>): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) {
        callback(error, "");
        return;
      }
      const host = hostname.toLowerCase().replace(/\.$/, "");
      const usable = allowedHosts.has(host)
        ? addresses
        : addresses.filter((candidate) => refusalOf(candidate.address) === undefined);
      const first = usable[0];
      if (!first) {
        const refused = addresses[0];
        const why = refused ? `${refused.address}, ${refusalOf(refused.address)}` : "no address";
        callback(new RefusedAddressError(`${hostname} resolves to ${why}`), "");
        return;
      }
      if (options.all) callback(null, usable);
      else callback(null, first.address, first.family);
    });
  };
}
