import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RoomDocument } from './roomDocument';
import { describeError, formatFieldPath, mapValidationErrors, parseFieldPath, targetOf } from './validationErrors';

const here = dirname(fileURLToPath(import.meta.url));
const fixture = (name: string) => readFileSync(join(here, 'fixtures', name), 'utf8');
const basics = () => RoomDocument.parse(readFileSync(join(here, '../../../examples/net-basics.yaml'), 'utf8')).graph();

describe('field paths', () => {
  it.each([
    ['machines[1].nics[0].ip', ['machines', 1, 'nics', 0, 'ip']],
    ['networks[0].cidr', ['networks', 0, 'cidr']],
    ['metadata.name', ['metadata', 'name']],
    ['machines[0].nodeLabels["odd key"]', ['machines', 0, 'nodeLabels', 'odd key']],
    ['machines[0].nodeLabels["a\\"]b"]', ['machines', 0, 'nodeLabels', 'a"]b']],
    ['["1st"].x', ['1st', 'x']],
    ['document', ['document']],
    ['', []],
  ])('%s', (path, segments) => {
    expect(parseFieldPath(path)).toEqual(segments);
    expect(formatFieldPath(segments)).toBe(path);
  });

  it.each(['machines[1', 'machines[x]', '.name', 'machines[0]..ip', '["unterminated]'])('rejects %j', (path) => {
    expect(parseFieldPath(path)).toBeNull();
  });
});

describe('targetOf', () => {
  it('maps a NIC field to its edge and machine', () => {
    expect(targetOf('machines[1].nics[0].ip', basics())).toEqual({
      kind: 'nic',
      machineIndex: 1,
      nicIndex: 0,
      nodeId: 'machine:client',
      edgeId: 'nic:machine:client:0',
      field: 'ip',
    });
  });

  it('maps a network field to the network node', () => {
    expect(targetOf('networks[0].cidr', basics())).toEqual({ kind: 'network', index: 0, nodeId: 'network:lan', field: 'cidr' });
  });

  it('maps machine fields, nested ones included, to the machine node', () => {
    expect(targetOf('machines[0].memory', basics())).toMatchObject({ kind: 'machine', nodeId: 'machine:web', field: 'memory' });
    expect(targetOf('machines[0].ui.x', basics())).toMatchObject({ kind: 'machine', field: 'ui.x' });
    expect(targetOf('machines[0]', basics())).toMatchObject({ kind: 'machine', field: '' });
    expect(targetOf('machines[0].nics', basics())).toMatchObject({ kind: 'machine', field: 'nics' });
  });

  it('maps the room, unknown paths and indexes the graph lacks to the room', () => {
    expect(targetOf('metadata.name', basics())).toEqual({ kind: 'room', field: 'metadata.name' });
    expect(targetOf('document', basics())).toEqual({ kind: 'room', field: '' });
    expect(targetOf('placement.policy', basics())).toEqual({ kind: 'room', field: 'placement.policy' });
    expect(targetOf('machines[7].name', basics())).toEqual({ kind: 'room', field: 'machines[7].name' });
    expect(targetOf('networks[0', basics())).toEqual({ kind: 'room', field: 'networks[0' });
  });

  it('maps a NIC on an unknown network to the machine alone (it has no edge)', () => {
    const graph = RoomDocument.parse(fixture('no-layout.yaml')).graph();
    expect(targetOf('machines[2].nics[0].network', graph)).toEqual({
      kind: 'nic',
      machineIndex: 2,
      nicIndex: 0,
      nodeId: 'machine:orphan',
      edgeId: undefined,
      field: 'network',
    });
  });

  it('uses index ids when names repeat', () => {
    const graph = RoomDocument.parse(
      'apiVersion: skillvl.io/v1\nkind: Room\nmetadata: { name: d }\nmachines:\n  - { name: a, template: t }\n  - { name: a, template: t }\n',
    ).graph();
    expect(targetOf('machines[1].name', graph)).toMatchObject({ kind: 'machine', nodeId: 'machine#1', field: 'name' });
  });
});

describe('mapValidationErrors', () => {
  it('distributes a real 400 answer of the Server over nodes, edges and the room', () => {
    // As PUT /api/v1/rooms/{name} answered for a broken document (ApiResults.Invalid).
    const errors = {
      'networks[0].cidr': ['10.0.1.1/24 has host bits set; did you mean 10.0.1.0/24?'],
      'machines[0].template': ["unknown template 'nope'; no templates exist yet"],
      'machines[1].nics[0].ip': ['10.0.1.10 is already used by machines[0].nics[0]', 'second message'],
      'metadata.name': ['does not match the pattern'],
      document: ['does not match the room schema'],
    };
    const mapped = mapValidationErrors(errors, basics());
    expect(mapped.count).toBe(6);
    expect(mapped.byNode['network:lan']).toEqual([
      { path: 'networks[0].cidr', field: 'cidr', message: '10.0.1.1/24 has host bits set; did you mean 10.0.1.0/24?' },
    ]);
    expect(mapped.byNode['machine:web'].map(describeError)).toEqual(["template: unknown template 'nope'; no templates exist yet"]);
    expect(mapped.byNode['machine:client'].map((e) => e.field)).toEqual(['nics[0].ip', 'nics[0].ip']);
    expect(mapped.byEdge['nic:machine:client:0'].map(describeError)).toEqual([
      'ip: 10.0.1.10 is already used by machines[0].nics[0]',
      'ip: second message',
    ]);
    expect(mapped.room.map(describeError)).toEqual(['metadata.name: does not match the pattern', 'does not match the room schema']);
  });

  it('is empty for no errors', () => {
    expect(mapValidationErrors(undefined, basics())).toEqual({ byNode: {}, byEdge: {}, room: [], count: 0 });
  });
});
