import { describe, expect, it } from 'vitest';
import { broadcast, formatIp, overlaps, parseCidr, parseIp, suggestCidr, suggestIp, usableHosts } from './ipv4';

describe('parseIp / parseCidr', () => {
  it('parses dotted quads as unsigned numbers', () => {
    expect(parseIp('10.0.1.10')).toBe(0x0a00010a);
    expect(parseIp('255.255.255.255')).toBe(0xffffffff);
    expect(formatIp(parseIp('192.168.200.1')!)).toBe('192.168.200.1');
  });

  it.each(['10.0.1', '10.0.1.256', '010.0.1.1', '10.0.1.1.1', '', 'a.b.c.d', '10.0.1.-1'])('rejects %j', (text) => {
    expect(parseIp(text)).toBeNull();
  });

  it('accepts CIDRs with host bits zero only', () => {
    expect(parseCidr('10.0.1.0/24')).toEqual({ network: 0x0a000100, prefix: 24 });
    expect(parseCidr('10.0.1.1/24')).toBeNull();
    expect(parseCidr('10.0.1.0/33')).toBeNull();
    expect(parseCidr('10.0.1.0')).toBeNull();
    expect(parseCidr('0.0.0.0/0')).toEqual({ network: 0, prefix: 0 });
  });

  it('knows broadcast, overlap and host counts', () => {
    const c = parseCidr('192.168.255.0/24')!;
    expect(formatIp(broadcast(c))).toBe('192.168.255.255');
    expect(usableHosts(c)).toBe(254);
    expect(usableHosts(parseCidr('10.0.0.0/30')!)).toBe(2);
    expect(usableHosts(parseCidr('10.0.0.0/31')!)).toBe(0);
    expect(overlaps(parseCidr('10.0.0.0/16')!, parseCidr('10.0.5.0/24')!)).toBe(true);
    expect(overlaps(parseCidr('10.0.1.0/24')!, parseCidr('10.0.2.0/24')!)).toBe(false);
  });
});

describe('suggestIp', () => {
  it('starts at the first host of an empty network', () => {
    expect(suggestIp('10.0.1.0/24', [])).toBe('10.0.1.1');
  });

  it('takes the address after the highest one in use', () => {
    expect(suggestIp('10.0.1.0/24', ['10.0.1.10', '10.0.1.20'])).toBe('10.0.1.21');
  });

  it('fills gaps from the bottom once the top host is taken', () => {
    expect(suggestIp('10.0.1.0/24', ['10.0.1.254', '10.0.1.1'])).toBe('10.0.1.2');
  });

  it('gives both hosts of a /30 and then nothing', () => {
    expect(suggestIp('10.0.0.4/30', [])).toBe('10.0.0.5');
    expect(suggestIp('10.0.0.4/30', ['10.0.0.5'])).toBe('10.0.0.6');
    expect(suggestIp('10.0.0.4/30', ['10.0.0.6'])).toBe('10.0.0.5');
    expect(suggestIp('10.0.0.4/30', ['10.0.0.5', '10.0.0.6'])).toBeNull();
  });

  it('says null for a full /24', () => {
    const all = Array.from({ length: 254 }, (_, i) => `10.0.1.${i + 1}`);
    expect(suggestIp('10.0.1.0/24', all)).toBeNull();
    expect(suggestIp('10.0.1.0/24', all.filter((ip) => ip !== '10.0.1.77'))).toBe('10.0.1.77');
  });

  it('ignores addresses outside the network, the network and broadcast addresses, and junk', () => {
    expect(suggestIp('10.0.1.0/24', ['10.0.2.50', '10.0.1.0', '10.0.1.255', 'x', ''])).toBe('10.0.1.1');
  });

  it('never suggests in /31, /32, host-bit or malformed CIDRs', () => {
    expect(suggestIp('10.0.0.0/31', [])).toBeNull();
    expect(suggestIp('10.0.0.1/32', [])).toBeNull();
    expect(suggestIp('10.0.1.1/24', [])).toBeNull();
    expect(suggestIp('lan', [])).toBeNull();
  });

  it('works at the top of the address space (unsigned arithmetic)', () => {
    expect(suggestIp('255.255.255.0/24', ['255.255.255.253'])).toBe('255.255.255.254');
    expect(suggestIp('192.168.0.0/16', ['192.168.255.254'])).toBe('192.168.0.1');
  });

  it('finds a free address in a large network quickly', () => {
    const used = Array.from({ length: 1000 }, (_, i) => formatIp(parseIp('10.0.0.1')! + i));
    expect(suggestIp('10.0.0.0/8', [...used, '10.255.255.254'])).toBe('10.0.3.233');
  });
});

describe('suggestCidr', () => {
  it('suggests 10.0.1.0/24 first and skips what is taken', () => {
    expect(suggestCidr([])).toBe('10.0.1.0/24');
    expect(suggestCidr(['10.0.1.0/24', '10.0.2.0/24'])).toBe('10.0.3.0/24');
    expect(suggestCidr(['10.0.2.0/24'])).toBe('10.0.1.0/24');
  });

  it('skips overlapping larger networks and ignores junk', () => {
    expect(suggestCidr(['10.0.0.0/16', 'nonsense', '10.1.0.1/24'])).toBe('10.1.0.0/24');
  });

  it('honours another prefix length', () => {
    expect(suggestCidr(['10.0.0.0/30'], 30)).toBe('10.0.0.4/30');
  });
});
