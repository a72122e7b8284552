// IPv4 arithmetic for the designer: parsing, CIDR membership, and suggesting addresses and subnets.
// The rules mirror the Server's RoomValidator (src/SkillVL.Core/Rooms/RoomValidator.cs): a network is /30
// or shorter with host bits zero; a machine may use neither the network nor the broadcast address.

/** The longest prefix a room network may have (RoomValidator.MaxPrefixLength). */
export const MAX_PREFIX_LENGTH = 30;

export interface Cidr {
  /** The network address as an unsigned 32-bit number. */
  readonly network: number;
  readonly prefix: number;
}

const OCTET = /^(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])$/;

/** An address in dotted-quad form (no leading zeros, as the room schema demands), or null. */
export function parseIp(text: string): number | null {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => OCTET.test(p))) {
    return null;
  }
  // `>>> 0` keeps the result unsigned: 192.168.x.x would be negative as a signed 32-bit number.
  return parts.reduce((acc, p) => ((acc << 8) | Number(p)) >>> 0, 0);
}

export function formatIp(address: number): string {
  return [24, 16, 8, 0].map((shift) => (address >>> shift) & 0xff).join('.');
}

function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** A CIDR with host bits zero, or null (host bits set, bad syntax, prefix > 32). */
export function parseCidr(text: string): Cidr | null {
  const slash = text.indexOf('/');
  if (slash < 0) {
    return null;
  }
  const address = parseIp(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (address === null || !/^(3[0-2]|[12]?[0-9])$/.test(prefixText)) {
    return null;
  }
  const prefix = Number(prefixText);
  return (address & mask(prefix)) >>> 0 === address ? { network: address, prefix } : null;
}

export function formatCidr(cidr: Cidr): string {
  return `${formatIp(cidr.network)}/${cidr.prefix}`;
}

export function broadcast(cidr: Cidr): number {
  return (cidr.network | ~mask(cidr.prefix)) >>> 0;
}

export function contains(cidr: Cidr, address: number): boolean {
  return (address & mask(cidr.prefix)) >>> 0 === cidr.network;
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  const shorter = Math.min(a.prefix, b.prefix);
  return (a.network & mask(shorter)) >>> 0 === (b.network & mask(shorter)) >>> 0;
}

/** Number of addresses a machine can use: all but the network and broadcast addresses. */
export function usableHosts(cidr: Cidr): number {
  return cidr.prefix > MAX_PREFIX_LENGTH ? 0 : 2 ** (32 - cidr.prefix) - 2;
}

/**
 * The next free host address of `cidrText`: the one after the highest address in `used`, or, when that is the
 * last host, the lowest free one (so gaps an author left, e.g. .1 for a router, are filled last). Null when the
 * CIDR is unusable or every host address is taken. Addresses in `used` outside the network are ignored.
 */
export function suggestIp(cidrText: string, used: Iterable<string>): string | null {
  const cidr = parseCidr(cidrText);
  if (cidr === null || cidr.prefix > MAX_PREFIX_LENGTH) {
    return null;
  }
  const first = cidr.network + 1;
  const last = broadcast(cidr) - 1;
  const taken = new Set<number>();
  for (const text of used) {
    const address = parseIp(text);
    if (address !== null && address >= first && address <= last) {
      taken.add(address);
    }
  }
  if (taken.size === 0) {
    return formatIp(first);
  }
  const highest = Math.max(...taken);
  if (highest < last) {
    return formatIp(highest + 1);
  }
  // `taken` holds at most one address per NIC, so this stops within taken.size + 1 steps even in a /8.
  for (let address = first; address <= last; address++) {
    if (!taken.has(address)) {
      return formatIp(address);
    }
  }
  return null;
}

/**
 * A /`prefix` subnet of 10.0.0.0/8 that overlaps none of `existing` (unparsable entries are ignored):
 * 10.0.1.0/24, 10.0.2.0/24, … for the default /24. Null when 10/8 is exhausted.
 */
export function suggestCidr(existing: Iterable<string>, prefix = 24): string | null {
  const taken = [...existing].map(parseCidr).filter((c): c is Cidr => c !== null);
  const base = parseCidr('10.0.0.0/8')!;
  const step = 2 ** (32 - prefix);
  // Start at the second block so the first suggestion is the familiar 10.0.1.0/24.
  for (let network = base.network + step; contains(base, network); network += step) {
    const candidate = { network: network >>> 0, prefix };
    if (!taken.some((t) => overlaps(t, candidate))) {
      return formatCidr(candidate);
    }
  }
  return null;
}
