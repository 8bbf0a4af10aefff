import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * Addresses a webhook may not target (server-side request forgery guard): loopback, private,
 * link-local, carrier-grade NAT, unspecified, multicast and reserved ranges, IPv4 and IPv6.
 */
const BLOCKED = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  BLOCKED.addSubnet(net, bits, 'ipv4');
}
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
  ['2001:db8::', 32],
] as const) {
  BLOCKED.addSubnet(net, bits, 'ipv6');
}

const MAPPED_V4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i;

/** Host names that always mean this machine or a local network, whatever DNS says. */
const LOCAL_NAME = /(^|\.)(localhost|local|internal|localdomain|home\.arpa)$/i;

export type TargetCheck = { ok: true } | { ok: false; reason: string };

/**
 * Decides whether a webhook URL may be called. An operator can allow some local targets explicitly
 * (config `webhookAllowedHosts`: host names, IPs or CIDR ranges), e.g. a receiver on 127.0.0.1 in tests
 * or an agency's gateway on a private network.
 */
export class WebhookTargetGuard {
  private readonly hosts = new Set<string>();
  private readonly allowed = new BlockList();

  constructor(allowList: string[]) {
    for (const entry of allowList.map((e) => e.toLowerCase())) {
      const [addr, bits] = entry.split('/');
      const family = isIP(addr);
      if (family) this.allowed.addSubnet(addr, bits === undefined ? (family === 4 ? 32 : 128) : Number(bits), family === 4 ? 'ipv4' : 'ipv6');
      else this.hosts.add(entry);
    }
  }

  /** True when the address is in a refused range and not allowed by the configuration. */
  blockedAddress(address: string): boolean {
    const mapped = MAPPED_V4.exec(address)?.[1];
    const addr = mapped ?? address;
    const type = isIP(addr) === 4 ? 'ipv4' : 'ipv6';
    if (this.allowed.check(addr, type)) return false;
    return BLOCKED.check(addr, type);
  }

  /**
   * Checks a URL: its host name, its literal address, or every address it resolves to. A name that does
   * not resolve passes here (it is checked again before every delivery).
   */
  async check(url: string): Promise<TargetCheck> {
    let host: string;
    try {
      host = new URL(url).hostname.toLowerCase().replace(/^\[|\]$/g, '');
    } catch {
      return { ok: false, reason: 'not a URL' };
    }
    if (this.hosts.has(host)) return { ok: true };
    if (isIP(host)) return this.blockedAddress(host) ? { ok: false, reason: `${host} is a loopback, private or link-local address` } : { ok: true };
    if (LOCAL_NAME.test(host)) return { ok: false, reason: `${host} is a local host name` };
    let addresses: Array<{ address: string }>;
    try {
      addresses = await lookup(host, { all: true, verbatim: true });
    } catch {
      return { ok: true };
    }
    const bad = addresses.find((a) => this.blockedAddress(a.address));
    return bad ? { ok: false, reason: `${host} resolves to a loopback, private or link-local address` } : { ok: true };
  }

  /** The check made before each delivery: here a name that does not resolve fails the attempt. */
  async checkBeforeDelivery(url: string): Promise<TargetCheck> {
    const host = new URL(url).hostname.toLowerCase().replace(/^\[|\]$/g, '');
    if (this.hosts.has(host) || isIP(host) || LOCAL_NAME.test(host)) return (await this.check(url)).ok ? { ok: true } : { ok: false, reason: 'blocked-address' };
    try {
      const addresses = await lookup(host, { all: true, verbatim: true });
      return addresses.some((a) => this.blockedAddress(a.address)) ? { ok: false, reason: 'blocked-address' } : { ok: true };
    } catch (err) {
      return { ok: false, reason: (err as { code?: string }).code ?? 'dns-error' };
    }
  }
}
