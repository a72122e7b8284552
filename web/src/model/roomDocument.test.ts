import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { deepEqual, LAYOUT, RoomDocument } from './roomDocument';
import { wizardRoom } from './wizards';

const here = dirname(fileURLToPath(import.meta.url));
const examplesDir = join(here, '../../../examples');
const schemaPath = join(here, '../../../src/SkillVL.Core/Rooms/room-v1.schema.json');
const fixture = (name: string) => readFileSync(join(here, 'fixtures', name), 'utf8');
const example = (name: string) => readFileSync(join(examplesDir, name), 'utf8');

/** Every document the round-trip tests use: the repo's examples, the fixtures and one built from the schema. */
function corpus(): [string, string][] {
  const examples = readdirSync(examplesDir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f): [string, string] => [`examples/${f}`, example(f)]);
  const fixtures = readdirSync(join(here, 'fixtures'))
    .filter((f) => f !== 'api-definition.json') // an API answer (nulls for absent fields), not an authored document
    .map((f): [string, string] => [`fixtures/${f}`, fixture(f)]);
  return [...examples, ...fixtures, ['schema sample', RoomDocument.fromObject(schemaSample()).text]];
}

/** A document with every property the room schema defines, with values that satisfy it. */
function schemaSample(): Record<string, unknown> {
  const schema = JSON.parse(readFileSync(schemaPath, 'utf8'));
  const defs = schema.$defs as Record<string, any>;
  let counter = 0;
  const sample = (node: any, name: string): unknown => {
    if (node.$ref) return sample(defs[node.$ref.replace('#/$defs/', '')], name);
    if (node.const !== undefined) return node.const;
    if (node.enum) return node.enum[node.enum.length - 1];
    if (node.type === 'object') {
      if (node.properties) {
        return Object.fromEntries(Object.entries(node.properties).map(([k, v]) => [k, sample(v, k)]));
      }
      return { site: 'lab1', rack: `r${++counter}` };
    }
    if (node.type === 'array') return [sample(node.items, name), sample(node.items, name)];
    if (node.type === 'integer') return Math.max(node.minimum ?? 1, 2) + (name === 'mtu' ? 1000 : 0);
    if (node.type === 'number') return 100 + ++counter;
    if (node.pattern?.includes('/(3[0-2]')) return `10.0.${++counter}.0/24`;
    if (node.pattern?.startsWith('^((25')) return `10.0.1.${++counter}`;
    if (node.pattern?.startsWith('^[0-9]+')) return '256Mi';
    if (node.pattern) return `${name.toLowerCase().replace(/[^a-z0-9]/g, '')}${++counter}`;
    return `text ${++counter}`;
  };
  return sample(schema, 'room') as Record<string, unknown>;
}

/** Lines of `after` that are not in `before` and vice versa (a multiset difference, good enough for small edits). */
function lineDiff(before: string, after: string): { added: string[]; removed: string[] } {
  const count = (lines: string[]) => lines.reduce((m, l) => m.set(l, (m.get(l) ?? 0) + 1), new Map<string, number>());
  const a = count(before.split('\n'));
  const b = count(after.split('\n'));
  const added = [...b].flatMap(([l, n]) => Array(Math.max(0, n - (a.get(l) ?? 0))).fill(l));
  const removed = [...a].flatMap(([l, n]) => Array(Math.max(0, n - (b.get(l) ?? 0))).fill(l));
  return { added, removed };
}

describe('round trip YAML → model → YAML', () => {
  it.each(corpus())('%s: parses without issues and renders the same text', (_, text) => {
    const doc = RoomDocument.parse(text);
    expect(doc.issues).toEqual([]);
    expect(doc.text).toBe(text);
  });

  it.each(corpus())('%s: a no-op edit (moving nothing) keeps the text byte for byte', (_, text) => {
    const doc = RoomDocument.parse(text);
    expect(doc.moveNodes([]).text).toBe(text);
    const first = doc.graph().machines[0];
    if (first?.ui) {
      expect(doc.moveNode({ kind: 'machine', index: 0 }, first.ui).text).toBe(text);
    }
  });

  it.each(corpus())('%s: keeps every field and the order through the data model', (_, text) => {
    const doc = RoomDocument.parse(text);
    const data = doc.toJS();
    // deepEqual compares key order too.
    expect(deepEqual(RoomDocument.fromObject(data).toJS(), data)).toBe(true);
    expect(deepEqual(data, parse(text))).toBe(true);
  });

  it.each(corpus())('%s: keeps every field, comment and the order through a scalar edit elsewhere', (_, text) => {
    const doc = RoomDocument.parse(text);
    if (doc.graph().machines.length === 0) return;
    const edited = doc.updateMachine(0, { template: 'another-template' });
    const before = parse(text);
    const after = parse(edited.text);
    before.machines[0].template = 'another-template';
    expect(after).toEqual(before);
    expect(Object.keys(after.machines[0])).toEqual(Object.keys(before.machines[0]));
    const comments = text.split('\n').filter((l) => l.includes('#'));
    for (const line of comments) expect(edited.text).toContain(line.trim().slice(line.trim().indexOf('#')));
  });

  it('the schema sample exercises every property of the schema', () => {
    const sample = schemaSample();
    const doc = RoomDocument.fromObject(sample);
    const js = doc.toJS() as any;
    expect(Object.keys(js)).toEqual(['apiVersion', 'kind', 'metadata', 'networks', 'machines', 'routers', 'checks', 'placement', 'lifetime']);
    // A room's lifetime (ADR 0058, 0061) is not edited in the designer; the document keeps it whole.
    expect(Object.keys(js.lifetime)).toEqual(['stopAfter', 'deleteAfter', 'idleStopAfter']);
    expect(Object.keys(js.metadata)).toEqual(['name', 'description']);
    expect(Object.keys(js.networks[0])).toEqual(['name', 'cidr', 'mtu', 'dhcp', 'dns', 'internet', 'ui']);
    expect(Object.keys(js.machines[0])).toEqual(['name', 'template', 'node', 'nodeLabels', 'cpus', 'memory', 'nics', 'gateway', 'cloudInit', 'ui']);
    // A machine's cloud-init keys and user-data (ADR 0059) are not edited in the designer yet; the document keeps them whole.
    expect(Object.keys(js.machines[0].cloudInit)).toEqual(['sshKeys', 'userData']);
    // Routers (ADR 0039) are not drawn by the designer yet; the document keeps them whole.
    expect(Object.keys(js.routers[0])).toEqual(['name', 'interfaces', 'routes', 'ui']);
    expect(Object.keys(js.machines[0].nics[0])).toEqual(['network', 'ip']);
    // Checks (ADR 0042) are edited as YAML; the document keeps them whole.
    expect(Object.keys(js.checks[0])).toEqual(['name', 'machine', 'run', 'expect', 'reaches']);
    // Writing positions and NICs in flow style, like the examples.
    expect(doc.text).toMatch(/ui: \{ x: \d+, y: \d+ \}/);
    expect(doc.text).toMatch(/- \{ network: [a-z0-9]+, ip: [0-9.]+ \}/);
  });

  it('keeps a JSON document JSON-shaped through a scalar edit', () => {
    const text = fixture('room.json');
    const edited = RoomDocument.parse(text).updateNic(0, 0, { ip: '10.0.1.99' });
    expect(edited.text).toBe(text.replace('"10.0.1.10"', '"10.0.1.99"'));
    expect(JSON.parse(edited.text).machines[0].nics[0].ip).toBe('10.0.1.99');
  });

  it('reads the API definition (JSON from GET /rooms/{id}) as YAML in the designer style', () => {
    const definition = parse(example('net-basics.yaml'));
    const doc = RoomDocument.fromObject(definition);
    // Same data as the example; its comment is not in the API's JSON, so it is not here either.
    expect(doc.toJS()).toEqual(definition);
    expect(doc.text).toBe(example('net-basics.yaml').replace(/^#.*\n/, ''));
  });
});

describe('documents from the API', () => {
  it('turns a real RoomDetails.definition back into the YAML that was applied', () => {
    // fixtures/api-definition.json: what GET /api/v1/rooms/webtest answered after PUT of the client-server wizard's YAML.
    const definition = JSON.parse(fixture('api-definition.json'));
    expect(RoomDocument.fromObject(definition).text).toBe(wizardRoom('client-server', { name: 'webtest', template: 'tiny', memory: '128Mi' }).text);
  });

  it('drops the nulls the API writes for absent fields and styles like the Server\'s YAML writer', () => {
    // The shape of RoomDetails.definition (ASP.NET writes absent optional fields as null).
    const definition = {
      apiVersion: 'skillvl.io/v1',
      kind: 'Room',
      metadata: { name: 'lab', description: null },
      networks: [{ name: 'lan', cidr: '10.0.1.0/24', mtu: null, ui: null }],
      machines: [
        { name: 'a', template: 'tiny', node: null, nodeLabels: null, cpus: null, memory: '128Mi', nics: [{ network: 'lan', ip: null }], ui: { x: 1, y: 2 } },
        { name: 'b', template: 'tiny', node: null, nodeLabels: null, cpus: 2, memory: null, nics: [], ui: null },
      ],
      placement: null,
    };
    expect(RoomDocument.fromObject(definition).text).toBe(
      [
        'apiVersion: skillvl.io/v1',
        'kind: Room',
        'metadata: { name: lab }',
        'networks:',
        '  - { name: lan, cidr: 10.0.1.0/24 }',
        'machines:',
        '  - name: a',
        '    template: tiny',
        '    memory: 128Mi',
        '    nics:',
        '      - { network: lan }',
        '    ui: { x: 1, y: 2 }',
        // Four entries: more than the writer puts on one line.
        '  - name: b',
        '    template: tiny',
        '    cpus: 2',
        '    nics: []',
        '',
      ].join('\n'),
    );
  });
});

describe('the graph', () => {
  it('has a node per machine and network, positioned from ui, and an edge per NIC with its IP', () => {
    const graph = RoomDocument.parse(example('net-basics.yaml')).graph();
    expect(graph.name).toBe('net-basics');
    expect(graph.description).toBe('A client and a server on one LAN.');
    expect(graph.nodes.map((n) => [n.id, n.type, n.position])).toEqual([
      ['network:lan', 'network', { x: 300, y: 40 }],
      ['machine:web', 'machine', { x: 120, y: 180 }],
      ['machine:client', 'machine', { x: 480, y: 180 }],
    ]);
    expect(graph.edges.map((e) => [e.id, e.source, e.target, e.label])).toEqual([
      ['nic:machine:web:0', 'machine:web', 'network:lan', '10.0.1.10'],
      ['nic:machine:client:0', 'machine:client', 'network:lan', '10.0.1.20'],
    ]);
    expect(graph.machines[0]).toMatchObject({ name: 'web', template: 'tiny', cpus: 1, memory: '128Mi' });
    expect(graph.machines[1].cpus).toBeUndefined();
  });

  it('lays out elements without ui, and has no edge for a NIC on an unknown network', () => {
    const graph = RoomDocument.parse(fixture('no-layout.yaml')).graph();
    const position = (id: string) => graph.nodes.find((n) => n.id === id)!.position;
    expect(position('network:a')).toEqual({ x: LAYOUT.networkX(0), y: LAYOUT.networkY });
    expect(position('network:b')).toEqual({ x: LAYOUT.networkX(1), y: LAYOUT.networkY });
    expect(position('machine:m2')).toEqual({ x: LAYOUT.machineX(1), y: LAYOUT.machineY(1) });
    expect(graph.machines.every((m) => m.ui === undefined)).toBe(true);
    expect(graph.edges.map((e) => e.id)).toEqual(['nic:machine:m1:0', 'nic:machine:m1:1', 'nic:machine:m2:0']);
    expect(graph.edges[2].label).toBeUndefined();
    expect(graph.machines[2].nics).toEqual([{ index: 0, network: 'nowhere', ip: '10.9.9.9' }]);
  });

  it('exposes the fields the side panel edits and keeps the ones it does not', () => {
    const graph = RoomDocument.parse(fixture('every-field.yaml')).graph();
    expect(graph.networks[0]).toMatchObject({ name: 'lan', cidr: '10.0.1.0/24', mtu: 1400 });
    expect(graph.machines[0]).toMatchObject({
      name: 'gateway',
      node: 'node2',
      nodeLabels: { site: 'lab1', 'odd key': 'yes please' },
      cpus: 2,
    });
    expect(graph.machines[1].name).toBe('007');
  });

  it('gives repeated or empty names index-based ids so the graph stays valid', () => {
    const graph = RoomDocument.fromObject({
      apiVersion: 'skillvl.io/v1',
      kind: 'Room',
      metadata: { name: 'dup' },
      machines: [
        { name: 'a', template: 't' },
        { name: 'a', template: 't' },
        { name: '', template: 't' },
        { name: 'b', template: 't' },
      ],
    }).graph();
    expect(graph.nodes.map((n) => n.id)).toEqual(['machine#0', 'machine#1', 'machine#2', 'machine:b']);
  });

  it('reports YAML syntax errors with their line, has an empty graph and refuses edits', () => {
    const doc = RoomDocument.parse('apiVersion: skillvl.io/v1\nmachines:\n  - name: [unclosed\n');
    expect(doc.ok).toBe(false);
    expect(doc.issues[0].line).toBeGreaterThan(0);
    expect(doc.graph().nodes).toEqual([]);
    expect(() => doc.addNetwork()).toThrow(/YAML/);
  });

  it('refuses a document that is not a mapping', () => {
    expect(RoomDocument.parse('- just\n- a list\n').issues[0].message).toMatch(/mapping/);
  });
});

describe('edits', () => {
  const basics = () => RoomDocument.parse(example('net-basics.yaml'));

  it('adds a machine from a template at the end, with a free name and its position', () => {
    const doc = basics().addMachine({ template: 'debian', position: { x: 10, y: 501 } });
    const { added, removed } = lineDiff(basics().text, doc.text);
    expect(removed).toEqual([]);
    expect(added).toEqual(['  - name: vm1', '    template: debian', '    ui: { x: 10, y: 501 }']);
    expect(doc.text.endsWith('    ui: { x: 10, y: 501 }\n')).toBe(true);
    const again = doc.addMachine({ template: 'debian', cpus: 2, memory: '1Gi' });
    expect(again.graph().machines[3]).toMatchObject({ name: 'vm2', cpus: 2, memory: '1Gi' });
  });

  it('adds the first machine and network to an empty room', () => {
    const doc = RoomDocument.create('fresh').addNetwork().addMachine({ template: 'tiny' });
    expect(doc.text).toBe(
      [
        'apiVersion: skillvl.io/v1',
        'kind: Room',
        'metadata: { name: fresh }',
        'networks:',
        '  - name: net1',
        '    cidr: 10.0.1.0/24',
        `    ui: { x: ${LAYOUT.networkX(0)}, y: ${LAYOUT.networkY} }`,
        'machines:',
        '  - name: vm1',
        '    template: tiny',
        `    ui: { x: ${LAYOUT.machineX(0)}, y: ${LAYOUT.machineY(0)} }`,
        '',
      ].join('\n'),
    );
  });

  it('puts machines before placement and networks before machines when it creates the lists', () => {
    const doc = RoomDocument.parse('apiVersion: skillvl.io/v1\nkind: Room\nmetadata: { name: x }\nplacement: { policy: pack }\n')
      .addMachine({ template: 'tiny' })
      .addNetwork({ cidr: '172.16.0.0/16' });
    expect(Object.keys(doc.toJS() as object)).toEqual(['apiVersion', 'kind', 'metadata', 'networks', 'machines', 'placement']);
  });

  it('adds a network with the next free CIDR, in the style of its neighbours', () => {
    const flow = RoomDocument.parse(fixture('flow-style.yaml')).addNetwork({ position: { x: 1, y: 2 } });
    expect(flow.text).toContain('- { name: net1, cidr: 10.0.2.0/24, ui: { x: 1, y: 2 } }');
    const block = basics().addNetwork({ name: 'wan', cidr: '10.9.0.0/16' });
    expect(block.graph().networks[1]).toMatchObject({ name: 'wan', cidr: '10.9.0.0/16' });
    expect(lineDiff(basics().text, block.text).removed).toEqual([]);
  });

  it('connects a NIC with the suggested IP, once per network', () => {
    const doc = basics().addNetwork({ name: 'wan', cidr: '10.0.2.0/24' });
    const connected = doc.connect(1, 'lan').connect(1, 'wan').connect(0, 'wan');
    const graph = connected.graph();
    expect(graph.machines[1].nics).toEqual([
      { index: 0, network: 'lan', ip: '10.0.1.20' },
      { index: 1, network: 'wan', ip: '10.0.2.1' },
    ]);
    expect(graph.machines[0].nics[1]).toEqual({ index: 1, network: 'wan', ip: '10.0.2.2' });
    expect(connected.text).toContain('      - { network: wan, ip: 10.0.2.1 }');
    expect(graph.edges).toHaveLength(4);
  });

  it('connects without an address when asked, or when the network is full', () => {
    const doc = RoomDocument.parse(
      'apiVersion: skillvl.io/v1\nkind: Room\nmetadata: { name: x }\nnetworks:\n  - { name: p2p, cidr: 10.0.0.0/30 }\nmachines:\n' +
        '  - { name: a, template: t, nics: [{ network: p2p, ip: 10.0.0.1 }] }\n  - { name: b, template: t }\n  - { name: c, template: t }\n',
    );
    expect(doc.suggestIp('p2p')).toBe('10.0.0.2');
    const b = doc.connect(1, 'p2p');
    expect(b.graph().machines[1].nics[0].ip).toBe('10.0.0.2');
    const c = b.connect(2, 'p2p');
    expect(c.graph().machines[2].nics[0]).toEqual({ index: 0, network: 'p2p', ip: undefined });
    expect(c.text).toContain('{ name: c, template: t, nics: [ { network: p2p } ] }');
    expect(doc.connect(1, 'p2p', null).graph().machines[1].nics[0].ip).toBeUndefined();
    expect(doc.suggestIp('nope')).toBeNull();
  });

  it('creates a NIC list where the machine has none, before ui', () => {
    const doc = basics().addMachine({ template: 'tiny' }).connect(2, 'lan');
    const keys = Object.keys((doc.toJS() as any).machines[2]);
    expect(keys).toEqual(['name', 'template', 'nics', 'ui']);
    expect(doc.graph().machines[2].nics[0].ip).toBe('10.0.1.21');
  });

  it('moves a node by changing only its position line', () => {
    const doc = basics().moveNode({ kind: 'machine', index: 1 }, { x: 481.5, y: 300 });
    expect(lineDiff(basics().text, doc.text)).toEqual({ added: ['    ui: { x: 481.5, y: 300 }'], removed: ['    ui: { x: 480, y: 180 }'] });
    const net = basics().moveNode({ kind: 'network', index: 0 }, { x: 0, y: -20 });
    expect(net.graph().nodes[0].position).toEqual({ x: 0, y: -20 });
  });

  it('moves a node in a hand-formatted document without reformatting anything else', () => {
    const text = fixture('flow-style.yaml');
    const doc = RoomDocument.parse(text).moveNode({ kind: 'machine', index: 0 }, { x: 7, y: 8 });
    expect(doc.text).toBe(text.replace('ui: {x: 120, y: 80.5}', 'ui: {x: 7, y: 8}'));
  });

  it('adds a position to a node that had none, as the last key', () => {
    const doc = RoomDocument.parse(fixture('no-layout.yaml')).moveNode({ kind: 'network', index: 1 }, { x: 5, y: 6 });
    expect(lineDiff(fixture('no-layout.yaml'), doc.text)).toEqual({ added: ['    ui: { x: 5, y: 6 }'], removed: [] });
    expect(Object.keys((doc.toJS() as any).networks[1])).toEqual(['name', 'cidr', 'ui']);
  });

  it('moves a selection in one edit', () => {
    const doc = basics().moveNodes([
      { kind: 'machine', index: 0, position: { x: 1, y: 1 } },
      { kind: 'network', index: 0, position: { x: 2, y: 2 } },
    ]);
    expect(lineDiff(basics().text, doc.text).added).toEqual(['    ui: { x: 2, y: 2 }', '    ui: { x: 1, y: 1 }']);
  });

  it('edits name, cpus, memory and node, each changing one line', () => {
    const base = basics();
    const cases: [Parameters<RoomDocument['updateMachine']>[1], string[], string[]][] = [
      [{ name: 'www' }, ['  - name: www'], ['  - name: web']],
      [{ cpus: 4 }, ['    cpus: 4'], ['    cpus: 1']],
      [{ memory: '1Gi' }, ['    memory: 1Gi'], ['    memory: 128Mi']],
      [{ cpus: null }, [], ['    cpus: 1']],
      [{ node: 'node2' }, ['    node: node2'], []],
      [{ node: '' }, [], []],
      [{ template: 'debian' }, ['    template: debian'], ['    template: tiny']],
    ];
    for (const [patch, added, removed] of cases) {
      expect(lineDiff(base.text, base.updateMachine(0, patch).text), JSON.stringify(patch)).toEqual({ added, removed });
    }
  });

  it('inserts a missing field at its place in the schema order', () => {
    const doc = basics().updateMachine(1, { cpus: 2, node: 'n1' });
    expect(Object.keys((doc.toJS() as any).machines[1])).toEqual(['name', 'template', 'node', 'cpus', 'memory', 'nics', 'ui']);
    expect(doc.text).toContain('  - name: client\n    template: tiny\n    node: n1\n    cpus: 2\n    memory: 128Mi\n');
  });

  it('quotes a name that would otherwise read as a number, and keeps an author’s quotes', () => {
    const doc = basics().updateMachine(0, { name: '123' });
    expect(doc.graph().machines[0].name).toBe('123');
    expect(doc.text).toContain('  - name: "123"\n');
    const quoted = RoomDocument.parse(fixture('every-field.yaml')).updateMachine(1, { name: '008', template: 'debian' });
    expect(quoted.text).toContain(`  - name: "008"\n    template: 'debian'\n`);
  });

  it('renames a network and the NICs on it; edits its CIDR and MTU', () => {
    const doc = RoomDocument.parse(fixture('every-field.yaml')).updateNetwork(1, { name: 'dmz2', cidr: '192.168.20.0/28', mtu: 1300 });
    const js = doc.toJS() as any;
    expect(js.networks[1]).toEqual({ name: 'dmz2', cidr: '192.168.20.0/28', mtu: 1300 });
    expect(js.machines[0].nics[1].network).toBe('dmz2');
    expect(js.machines[1].nics[0].network).toBe('dmz2');
    expect(js.machines[0].nics[0].network).toBe('lan');
    expect(doc.graph().edges.filter((e) => e.target === 'network:dmz2')).toHaveLength(2);
    expect(RoomDocument.parse(fixture('every-field.yaml')).updateNetwork(0, { mtu: null }).graph().networks[0].mtu).toBeUndefined();
  });

  it('edits and removes a NIC address', () => {
    const base = basics();
    expect(lineDiff(base.text, base.updateNic(1, 0, { ip: '10.0.1.30' }).text)).toEqual({
      added: ['      - { network: lan, ip: 10.0.1.30 }'],
      removed: ['      - { network: lan, ip: 10.0.1.20 }'],
    });
    expect(base.updateNic(1, 0, { ip: null }).text).toContain('      - { network: lan }\n');
    expect(() => base.updateNic(1, 5, { ip: '1.2.3.4' })).toThrow(RangeError);
  });

  it('deletes a machine, a NIC, or a network with its NICs', () => {
    const base = RoomDocument.parse(fixture('every-field.yaml'));
    const noGateway = base.deleteMachine(0);
    expect(noGateway.graph().machines.map((m) => m.name)).toEqual(['007']);
    expect(noGateway.text).toContain('# Every field the room schema knows');
    expect(noGateway.text).toContain('placement:\n  policy: pack\n');

    const noNic = base.deleteNic(0, 0);
    expect(noNic.graph().machines[0].nics.map((n) => n.network)).toEqual(['dmz']);

    const noDmz = base.deleteNetwork(1);
    const js = noDmz.toJS() as any;
    expect(js.networks.map((n: any) => n.name)).toEqual(['lan']);
    expect(js.machines[0].nics).toEqual([{ network: 'lan', ip: '10.0.1.1' }]);
    expect(js.machines[1].nics).toEqual([]);
    expect(js.machines[0].nodeLabels).toEqual({ site: 'lab1', 'odd key': 'yes please' });
    expect(noDmz.graph().edges.map((e) => e.target)).toEqual(['network:lan']);
  });

  it('deletes a selection of machines, NICs and networks in one go', () => {
    const base = RoomDocument.parse(fixture('every-field.yaml'));
    const doc = base.deleteElements({ machines: [1], nics: [[0, 1], [1, 0]], networks: [] });
    const js = doc.toJS() as any;
    expect(js.machines).toHaveLength(1);
    expect(js.machines[0].nics).toEqual([{ network: 'lan', ip: '10.0.1.1' }]);
  });

  it('never changes the document it was called on', () => {
    const base = basics();
    const text = base.text;
    base.addMachine({ template: 'x' });
    base.deleteNetwork(0);
    base.updateMachine(0, { name: 'other' });
    expect(base.text).toBe(text);
    expect(base.graph().machines).toHaveLength(2);
  });

  it('keeps unknown-to-the-UI fields through a series of edits', () => {
    let doc = RoomDocument.parse(fixture('every-field.yaml'));
    doc = doc
      .addMachine({ template: 'tiny' })
      .connect(2, 'lan')
      .moveNode({ kind: 'network', index: 1 }, { x: 50, y: 50 })
      .updateMachine(0, { cpus: 4 })
      .updateNetwork(0, { cidr: '10.0.1.0/24' });
    const js = doc.toJS() as any;
    expect(js.metadata.description).toBe('A room that uses every field: quoted, with a colon.');
    expect(js.networks[0].mtu).toBe(1400);
    expect(js.machines[0].nodeLabels).toEqual({ site: 'lab1', 'odd key': 'yes please' });
    expect(js.machines[0].node).toBe('node2');
    expect(js.placement).toEqual({ policy: 'pack' });
    // A structural edit re-renders the document: comments stay, the spaces before them are normalised.
    expect(doc.text).toContain("  - name: lan # the students' LAN\n");
    expect(js.machines[2].nics).toEqual([{ network: 'lan', ip: '10.0.1.2' }]);
  });

  it('sets the room name and description', () => {
    const doc = basics().setMetadata({ name: 'renamed', description: null });
    expect((doc.toJS() as any).metadata).toEqual({ name: 'renamed' });
    expect(doc.graph().name).toBe('renamed');
  });
});

describe('a 50-machine room', () => {
  // How quick an edit is belongs to the benchmark (bench --suite web, docs/benchmarks.md), not to a timed test: CI runs
  // this file beside six test groups on two cores, where 40 edits once took over vitest's 5 s.
  it('edits a 50-machine room: moves and resizes keep everything else', { timeout: 60_000 }, () => {
    let doc = RoomDocument.create('big').addNetwork().addNetwork();
    for (let i = 0; i < 50; i++) doc = doc.addMachine({ template: 'tiny' }).connect(i, i % 2 ? 'net1' : 'net2');
    const graph = doc.graph();
    expect(graph.nodes).toHaveLength(52);
    expect(graph.edges).toHaveLength(50);
    const start = performance.now();
    for (let i = 0; i < 20; i++) doc = doc.moveNode({ kind: 'machine', index: i }, { x: i, y: i });
    for (let i = 0; i < 20; i++) doc = doc.updateMachine(i, { cpus: 2 });
    if (process.env.SKILLVL_PRINT_TIMINGS) console.log(`50-machine room: ${((performance.now() - start) / 40).toFixed(2)} ms per edit`);
    expect(doc.graph().machines[19]).toMatchObject({ cpus: 2, ui: { x: 19, y: 19 } });
    expect(doc.graph().machines[20]).not.toMatchObject({ cpus: 2 });
    expect(doc.graph().edges).toHaveLength(50);
  });
});
