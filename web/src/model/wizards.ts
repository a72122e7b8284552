// Quick-start rooms for people who know nothing of networks: each wizard writes a complete room.yaml with
// sensible subnets (10.0.N.0/24), addresses (.1 for a router, .10, .20 … for hosts) and a tidy layout.

import { API_VERSION, KIND, RoomDocument } from './roomDocument';

export interface WizardOptions {
  /** The room's name (a DNS label). */
  name: string;
  /** Template of every machine, e.g. "tiny". */
  template: string;
  cpus?: number;
  memory?: string;
}

export type WizardKind = 'one-vm' | 'client-server' | 'two-subnets';

export const WIZARDS: { kind: WizardKind; title: string; summary: string }[] = [
  { kind: 'one-vm', title: 'One VM', summary: 'A single machine on its own network.' },
  { kind: 'client-server', title: 'Client + server', summary: 'Two machines on one network that can reach each other.' },
  {
    kind: 'two-subnets',
    title: 'Two subnets with a router',
    summary: 'Two networks, one host on each, joined by a router machine that has a leg in both.',
  },
];

function machine(options: WizardOptions, name: string, nics: { network: string; ip: string }[], x: number, y: number) {
  return {
    name,
    template: options.template,
    ...(options.cpus !== undefined ? { cpus: options.cpus } : {}),
    ...(options.memory !== undefined ? { memory: options.memory } : {}),
    nics,
    ui: { x, y },
  };
}

export function wizardRoom(kind: WizardKind, options: WizardOptions): RoomDocument {
  const head = { apiVersion: API_VERSION, kind: KIND };
  switch (kind) {
    case 'one-vm':
      return RoomDocument.fromObject({
        ...head,
        metadata: { name: options.name, description: 'One machine.' },
        networks: [{ name: 'lan', cidr: '10.0.1.0/24', ui: { x: 200, y: 40 } }],
        machines: [machine(options, 'vm1', [{ network: 'lan', ip: '10.0.1.10' }], 200, 220)],
      });
    case 'client-server':
      return RoomDocument.fromObject({
        ...head,
        metadata: { name: options.name, description: 'A client and a server on one network.' },
        networks: [{ name: 'lan', cidr: '10.0.1.0/24', ui: { x: 260, y: 40 } }],
        machines: [
          machine(options, 'server', [{ network: 'lan', ip: '10.0.1.10' }], 120, 220),
          machine(options, 'client', [{ network: 'lan', ip: '10.0.1.20' }], 400, 220),
        ],
      });
    case 'two-subnets':
      return RoomDocument.fromObject({
        ...head,
        metadata: {
          name: options.name,
          description:
            'Two subnets joined by a router: net-a 10.0.1.0/24 and net-b 10.0.2.0/24; the router is .1 in both. ' +
            'To route between them, enable IP forwarding on the router and give each host a route via its .1.',
        },
        networks: [
          { name: 'net-a', cidr: '10.0.1.0/24', ui: { x: 60, y: 200 } },
          { name: 'net-b', cidr: '10.0.2.0/24', ui: { x: 520, y: 200 } },
        ],
        machines: [
          machine(
            options,
            'router',
            [
              { network: 'net-a', ip: '10.0.1.1' },
              { network: 'net-b', ip: '10.0.2.1' },
            ],
            300,
            40,
          ),
          machine(options, 'host-a', [{ network: 'net-a', ip: '10.0.1.10' }], 60, 360),
          machine(options, 'host-b', [{ network: 'net-b', ip: '10.0.2.10' }], 540, 360),
        ],
      });
  }
}
