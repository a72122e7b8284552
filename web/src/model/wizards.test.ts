import { describe, expect, it } from 'vitest';
import { contains, parseCidr, parseIp } from './ipv4';
import { WIZARDS, wizardRoom } from './wizards';

describe('quick-start wizards', () => {
  it.each(WIZARDS.map((w) => w.kind))('%s writes a consistent room', (kind) => {
    const doc = wizardRoom(kind, { name: 'my-room', template: 'tiny', memory: '256Mi' });
    expect(doc.issues).toEqual([]);
    const graph = doc.graph();
    expect(graph.name).toBe('my-room');
    const networks = new Map(graph.networks.map((n) => [n.name, parseCidr(n.cidr)!]));
    const seen = new Set<string>();
    for (const machine of graph.machines) {
      expect(machine).toMatchObject({ template: 'tiny', memory: '256Mi' });
      expect(machine.ui).toBeDefined();
      expect(machine.nics.length).toBeGreaterThan(0);
      for (const nic of machine.nics) {
        const cidr = networks.get(nic.network)!;
        expect(cidr, `${machine.name} → ${nic.network}`).toBeDefined();
        expect(contains(cidr, parseIp(nic.ip!)!)).toBe(true);
        expect(seen.has(nic.ip!)).toBe(false);
        seen.add(nic.ip!);
      }
    }
    // Every NIC is drawn, every network is positioned.
    expect(graph.edges).toHaveLength(graph.machines.reduce((n, m) => n + m.nics.length, 0));
    expect(graph.networks.every((n) => n.ui)).toBe(true);
  });

  it('joins two subnets through a router with a leg in each', () => {
    const graph = wizardRoom('two-subnets', { name: 'r', template: 'tiny' }).graph();
    expect(graph.networks.map((n) => n.cidr)).toEqual(['10.0.1.0/24', '10.0.2.0/24']);
    expect(graph.machines.find((m) => m.name === 'router')!.nics.map((n) => n.ip)).toEqual(['10.0.1.1', '10.0.2.1']);
    expect(graph.machines[0].cpus).toBeUndefined();
  });

  it('writes the YAML a person would', () => {
    expect(wizardRoom('client-server', { name: 'cs', template: 'tiny', cpus: 1 }).text).toBe(
      [
        'apiVersion: skillvl.io/v1',
        'kind: Room',
        'metadata:',
        '  name: cs',
        '  description: A client and a server on one network.',
        'networks:',
        '  - name: lan',
        '    cidr: 10.0.1.0/24',
        '    ui: { x: 260, y: 40 }',
        'machines:',
        '  - name: server',
        '    template: tiny',
        '    cpus: 1',
        '    nics:',
        '      - { network: lan, ip: 10.0.1.10 }',
        '    ui: { x: 120, y: 220 }',
        '  - name: client',
        '    template: tiny',
        '    cpus: 1',
        '    nics:',
        '      - { network: lan, ip: 10.0.1.20 }',
        '    ui: { x: 400, y: 220 }',
        '',
      ].join('\n'),
    );
  });
});
