// The designer's document model: room.yaml (DESIGN.md §6, src/SkillVL.Core/Rooms/room-v1.schema.json) kept as a
// YAML document, a graph for @xyflow/react derived from it, and edits that produce the document again.
//
// Lossless by construction: the YAML document (the `yaml` package's AST, comments included) is the only state.
// The graph is a view computed from it; every edit changes the AST and nothing else, so fields the designer
// does not know (description, nodeLabels, placement, mtu, future ones) and the order of keys and items survive.
// The text is then rendered so that only the edited parts change: scalar edits (rename, cpus, ip, a move of a
// node that has a position) are spliced into the original text, keeping its formatting byte for byte; other
// edits re-render the document, which keeps comments and flow/block styles but normalises indentation.

import type { Edge, Node } from '@xyflow/react';
import {
  Document,
  isMap,
  isScalar,
  isSeq,
  parse,
  parseDocument,
  Pair,
  Scalar,
  YAMLMap,
  YAMLSeq,
  type ToStringOptions,
} from 'yaml';
import { suggestCidr, suggestIp as suggestIpIn } from './ipv4';

export const API_VERSION = 'skillvl.io/v1';
export const KIND = 'Room';

/** Canonical key order (the schema's and Core's RoomDefinition's), used where the designer inserts a key. */
const ROOM_KEYS = ['apiVersion', 'kind', 'metadata', 'networks', 'machines', 'placement'];
const NETWORK_KEYS = ['name', 'cidr', 'mtu', 'ui'];
const MACHINE_KEYS = ['name', 'template', 'node', 'nodeLabels', 'cpus', 'memory', 'nics', 'ui'];
const NIC_KEYS = ['network', 'ip'];

// lineWidth 0: never fold long strings (a description), so a re-render does not rewrap what the author wrote.
const TO_STRING: ToStringOptions = { lineWidth: 0 };

export interface UiPosition {
  x: number;
  y: number;
}

export interface NicView {
  index: number;
  network: string;
  ip?: string;
}

export interface MachineView {
  index: number;
  /** The graph node's id: `machine:<name>`, or `machine#<index>` when the name is empty or repeated. */
  id: string;
  name: string;
  template: string;
  node?: string;
  nodeLabels?: Record<string, string>;
  cpus?: number;
  memory?: string;
  nics: NicView[];
  /** Position from the document; absent when the document has none. */
  ui?: UiPosition;
}

export interface NetworkView {
  index: number;
  id: string;
  name: string;
  cidr: string;
  mtu?: number;
  ui?: UiPosition;
}

export type MachineNodeData = { kind: 'machine'; machine: MachineView; errors?: string[]; status?: MachineLiveStatus };
export type NetworkNodeData = { kind: 'network'; network: NetworkView; errors?: string[] };
export type NicEdgeData = { machineIndex: number; nicIndex: number; ip?: string; errors?: string[] };

/** Observed state a live view puts on a machine node (from GET /api/v1/rooms/{id}). */
export type MachineLiveStatus = { state: string; node?: string; guestReady?: boolean; lastError?: string | null };

export type MachineNode = Node<MachineNodeData, 'machine'>;
export type NetworkNode = Node<NetworkNodeData, 'network'>;
export type TopologyNode = MachineNode | NetworkNode;
export type NicEdge = Edge<NicEdgeData, 'nic'>;

export interface RoomGraph {
  name: string;
  description?: string;
  machines: MachineView[];
  networks: NetworkView[];
  nodes: TopologyNode[];
  edges: NicEdge[];
}

export interface YamlIssue {
  message: string;
  /** 1-based line and column of the problem, when known. */
  line?: number;
  col?: number;
}

export type ElementRef = { kind: 'machine' | 'network'; index: number };

export interface MachinePatch {
  name?: string;
  template?: string;
  /** null or '' removes the key (the scheduler chooses). */
  node?: string | null;
  /** null removes the key (the template's default). */
  cpus?: number | null;
  memory?: string | null;
}

export interface NetworkPatch {
  name?: string;
  cidr?: string;
  mtu?: number | null;
}

export interface NicPatch {
  network?: string;
  /** null or '' removes the address (the interface stays unconfigured). */
  ip?: string | null;
}

export interface NewMachine {
  template: string;
  /** Defaults to a free `vmN`. */
  name?: string;
  position?: UiPosition;
  cpus?: number;
  memory?: string;
}

export interface NewNetwork {
  /** Defaults to a free 10.0.N.0/24. */
  cidr?: string;
  /** Defaults to a free `netN`. */
  name?: string;
  position?: UiPosition;
}

/** Default layout for elements without `ui`: networks in a row on top, machines in rows below. */
export const LAYOUT = {
  networkX: (i: number) => 80 + i * 260,
  networkY: 40,
  machineX: (i: number) => 40 + (i % 6) * 190,
  machineY: (i: number) => 220 + Math.floor(i / 6) * 150,
};

export class RoomDocument {
  /** The YAML text; for an unedited document exactly what was parsed. */
  readonly text: string;
  /** YAML syntax errors and a non-map root; while there are any, the graph is empty and edits throw. */
  readonly issues: readonly YamlIssue[];
  private readonly doc: Document.Parsed;
  private graphCache?: RoomGraph;

  private constructor(text: string) {
    this.text = text;
    this.doc = parseDocument(text, { keepSourceTokens: false, prettyErrors: true, uniqueKeys: true });
    const issues: YamlIssue[] = this.doc.errors.map((e) => ({
      message: e.message,
      line: e.linePos?.[0]?.line,
      col: e.linePos?.[0]?.col,
    }));
    if (issues.length === 0 && this.doc.contents !== null && !isMap(this.doc.contents)) {
      issues.push({ message: 'A room document is a mapping (apiVersion, kind, metadata, networks, machines).' });
    }
    this.issues = issues;
  }

  static parse(text: string): RoomDocument {
    return new RoomDocument(text);
  }

  /**
   * A document from a plain object (a wizard's output, or a RoomDefinition from the API, whose absent fields
   * are nulls and are dropped), in the style the Server's own YAML writer uses.
   */
  static fromObject(value: unknown): RoomDocument {
    const doc = new Document(withoutNulls(value));
    styleDocument(doc);
    return new RoomDocument(doc.toString(TO_STRING));
  }

  /** A new room with no networks and no machines. */
  static create(name: string): RoomDocument {
    return RoomDocument.fromObject({ apiVersion: API_VERSION, kind: KIND, metadata: { name } });
  }

  get ok(): boolean {
    return this.issues.length === 0;
  }

  /** The document as plain data (what the Server would read). */
  toJS(): unknown {
    return this.doc.toJS();
  }

  graph(): RoomGraph {
    this.graphCache ??= buildGraph(this.ok ? this.doc.toJS() : null);
    return this.graphCache;
  }

  // ---- edits: each returns a new document and leaves this one as it was ----

  addMachine(spec: NewMachine): RoomDocument {
    const graph = this.graph();
    const name = spec.name ?? freeName('vm', graph.machines.map((m) => m.name));
    const position = spec.position ?? {
      x: LAYOUT.machineX(graph.machines.length),
      y: LAYOUT.machineY(graph.machines.length),
    };
    return this.edit((doc) => {
      const machines = ensureSeq(doc, 'machines', false);
      const value: Record<string, unknown> = { name, template: spec.template };
      if (spec.cpus !== undefined) value.cpus = spec.cpus;
      if (spec.memory !== undefined) value.memory = spec.memory;
      value.ui = { x: position.x, y: position.y };
      appendItem(doc, machines, value);
    });
  }

  addNetwork(spec: NewNetwork = {}): RoomDocument {
    const graph = this.graph();
    const name = spec.name ?? freeName('net', graph.networks.map((n) => n.name));
    const cidr = spec.cidr ?? suggestCidr(graph.networks.map((n) => n.cidr)) ?? '10.0.1.0/24';
    const position = spec.position ?? { x: LAYOUT.networkX(graph.networks.length), y: LAYOUT.networkY };
    return this.edit((doc) => {
      const networks = ensureSeq(doc, 'networks', false);
      appendItem(doc, networks, { name, cidr, ui: { x: position.x, y: position.y } });
    });
  }

  /**
   * Adds a NIC on `network` to machine `machineIndex`. `ip` undefined: the next free address of the network;
   * null: none. Unchanged when the machine already has a NIC on that network (the Server forbids two).
   */
  connect(machineIndex: number, network: string, ip?: string | null): RoomDocument {
    const machine = this.machineAt(machineIndex);
    if (machine.nics.some((n) => n.network === network)) {
      return this;
    }
    const address = ip === undefined ? this.suggestIp(network) : ip;
    return this.edit((doc) => {
      const item = machineMap(doc, machineIndex);
      let nics: unknown = item.get('nics', true);
      if (!isSeq(nics)) {
        nics = doc.createNode([]) as YAMLSeq;
        setOrdered(doc, item, 'nics', nics, MACHINE_KEYS);
      }
      const nic: Record<string, unknown> = { network };
      if (address) nic.ip = address;
      appendItem(doc, nics as YAMLSeq, nic);
    });
  }

  /** Sets the element's `ui` position (as given: the canvas rounds to whole units before it calls this). */
  moveNode(ref: ElementRef, position: UiPosition): RoomDocument {
    return this.moveNodes([{ ...ref, position }]);
  }

  /** Sets the `ui` position of several elements in one edit (a dragged selection). */
  moveNodes(moves: readonly (ElementRef & { position: UiPosition })[]): RoomDocument {
    return this.edit((doc) => {
      for (const move of moves) {
        const item = move.kind === 'machine' ? machineMap(doc, move.index) : networkMap(doc, move.index);
        const { x, y } = move.position;
        const ui = item.get('ui', true);
        if (isMap(ui)) {
          setScalar(doc, ui, 'x', x, ['x', 'y']);
          setScalar(doc, ui, 'y', y, ['x', 'y']);
        } else {
          const node = doc.createNode({ x, y }) as YAMLMap;
          node.flow = true;
          setOrdered(doc, item, 'ui', node, move.kind === 'machine' ? MACHINE_KEYS : NETWORK_KEYS);
        }
      }
    });
  }

  updateMachine(index: number, patch: MachinePatch): RoomDocument {
    this.machineAt(index);
    return this.edit((doc) => {
      const item = machineMap(doc, index);
      for (const key of ['name', 'template', 'node', 'cpus', 'memory'] as const) {
        if (key in patch) {
          setScalar(doc, item, key, patch[key], MACHINE_KEYS);
        }
      }
    });
  }

  /** Renaming a network also renames the NICs that refer to it. */
  updateNetwork(index: number, patch: NetworkPatch): RoomDocument {
    const network = this.networkAt(index);
    return this.edit((doc) => {
      const item = networkMap(doc, index);
      for (const key of ['name', 'cidr', 'mtu'] as const) {
        if (key in patch) {
          setScalar(doc, item, key, patch[key], NETWORK_KEYS);
        }
      }
      if (patch.name !== undefined && patch.name !== network.name) {
        forEachNic(doc, (nic) => {
          if (String(nic.get('network')) === network.name) {
            setScalar(doc, nic, 'network', patch.name, NIC_KEYS);
          }
        });
      }
    });
  }

  updateNic(machineIndex: number, nicIndex: number, patch: NicPatch): RoomDocument {
    this.nicAt(machineIndex, nicIndex);
    return this.edit((doc) => {
      const nic = nicMap(doc, machineIndex, nicIndex);
      for (const key of ['network', 'ip'] as const) {
        if (key in patch) {
          setScalar(doc, nic, key, patch[key], NIC_KEYS);
        }
      }
    });
  }

  deleteMachine(index: number): RoomDocument {
    this.machineAt(index);
    return this.edit((doc) => {
      (doc.get('machines', true) as YAMLSeq).delete(index);
    });
  }

  /** Deletes the network and every NIC on it (as deleting a node deletes its edges). */
  deleteNetwork(index: number): RoomDocument {
    const network = this.networkAt(index);
    return this.edit((doc) => {
      (doc.get('networks', true) as YAMLSeq).delete(index);
      const machines = doc.get('machines', true);
      if (!isSeq(machines)) return;
      for (const machine of machines.items) {
        const nics = isMap(machine) ? machine.get('nics', true) : undefined;
        if (!isSeq(nics)) continue;
        nics.items = nics.items.filter((nic) => !(isMap(nic) && String(nic.get('network')) === network.name));
      }
    });
  }

  deleteNic(machineIndex: number, nicIndex: number): RoomDocument {
    this.nicAt(machineIndex, nicIndex);
    return this.edit((doc) => {
      (machineMap(doc, machineIndex).get('nics', true) as unknown as YAMLSeq).delete(nicIndex);
    });
  }

  /** Deletes several elements at once (a selection): NICs first, then machines, then networks, each from the end. */
  deleteElements(elements: { machines?: number[]; networks?: number[]; nics?: [number, number][] }): RoomDocument {
    let result: RoomDocument = this;
    const gone = new Set(elements.machines ?? []);
    const nics = [...(elements.nics ?? [])].filter(([m]) => !gone.has(m)).sort((a, b) => b[0] - a[0] || b[1] - a[1]);
    for (const [m, n] of nics) result = result.deleteNic(m, n);
    for (const m of [...gone].sort((a, b) => b - a)) result = result.deleteMachine(m);
    for (const n of [...new Set(elements.networks ?? [])].sort((a, b) => b - a)) result = result.deleteNetwork(n);
    return result;
  }

  setMetadata(patch: { name?: string; description?: string | null }): RoomDocument {
    return this.edit((doc) => {
      let metadata = doc.get('metadata', true);
      if (!isMap(metadata)) {
        metadata = doc.createNode({}) as YAMLMap;
        setOrdered(doc, doc.contents as YAMLMap, 'metadata', metadata, ROOM_KEYS);
      }
      for (const key of ['name', 'description'] as const) {
        if (key in patch) setScalar(doc, metadata as YAMLMap, key, patch[key], ['name', 'description']);
      }
    });
  }

  /** The next free host address in the named network, or null (unknown network, bad CIDR, full). */
  suggestIp(network: string): string | null {
    const graph = this.graph();
    const target = graph.networks.find((n) => n.name === network);
    if (!target) return null;
    const used = graph.machines.flatMap((m) => m.nics.filter((n) => n.network === network && n.ip).map((n) => n.ip!));
    return suggestIpIn(target.cidr, used);
  }

  private machineAt(index: number): MachineView {
    const machine = this.graph().machines[index];
    if (!machine) throw new RangeError(`no machine at index ${index}`);
    return machine;
  }

  private networkAt(index: number): NetworkView {
    const network = this.graph().networks[index];
    if (!network) throw new RangeError(`no network at index ${index}`);
    return network;
  }

  private nicAt(machineIndex: number, nicIndex: number): NicView {
    const nic = this.machineAt(machineIndex).nics[nicIndex];
    if (!nic) throw new RangeError(`machine ${machineIndex} has no NIC at index ${nicIndex}`);
    return nic;
  }

  private edit(mutate: (doc: Document.Parsed) => void): RoomDocument {
    if (!this.ok) {
      throw new Error('The YAML has errors; fix them in the YAML view first.');
    }
    const edited = this.doc.clone() as Document.Parsed;
    if (edited.contents === null) {
      edited.contents = edited.createNode({ apiVersion: API_VERSION, kind: KIND }) as unknown as typeof edited.contents;
    }
    mutate(edited);
    return new RoomDocument(renderMinimal(this.text, this.doc, edited));
  }
}

// ---- the graph ----

function buildGraph(data: unknown): RoomGraph {
  const root = asRecord(data);
  const metadata = asRecord(root.metadata);
  const networks: NetworkView[] = asArray(root.networks).map((raw, index) => {
    const n = asRecord(raw);
    return {
      index,
      id: '',
      name: asString(n.name),
      cidr: asString(n.cidr),
      mtu: asNumber(n.mtu),
      ui: asPosition(n.ui),
    };
  });
  const machines: MachineView[] = asArray(root.machines).map((raw, index) => {
    const m = asRecord(raw);
    return {
      index,
      id: '',
      name: asString(m.name),
      template: asString(m.template),
      node: m.node === undefined || m.node === null ? undefined : asString(m.node),
      nodeLabels: isPlainObject(m.nodeLabels) ? (m.nodeLabels as Record<string, string>) : undefined,
      cpus: asNumber(m.cpus),
      memory: m.memory === undefined || m.memory === null ? undefined : asString(m.memory),
      nics: asArray(m.nics).map((rawNic, nicIndex) => {
        const nic = asRecord(rawNic);
        return {
          index: nicIndex,
          network: asString(nic.network),
          ip: nic.ip === undefined || nic.ip === null ? undefined : asString(nic.ip),
        };
      }),
      ui: asPosition(m.ui),
    };
  });
  assignIds('network', networks);
  assignIds('machine', machines);

  const nodes: TopologyNode[] = [
    ...networks.map(
      (network): NetworkNode => ({
        id: network.id,
        type: 'network',
        position: network.ui ?? { x: LAYOUT.networkX(network.index), y: LAYOUT.networkY },
        data: { kind: 'network', network },
      }),
    ),
    ...machines.map(
      (machine): MachineNode => ({
        id: machine.id,
        type: 'machine',
        position: machine.ui ?? { x: LAYOUT.machineX(machine.index), y: LAYOUT.machineY(machine.index) },
        data: { kind: 'machine', machine },
      }),
    ),
  ];

  const networkIdByName = new Map<string, string>();
  for (const network of networks) {
    if (!networkIdByName.has(network.name)) networkIdByName.set(network.name, network.id);
  }
  const edges: NicEdge[] = [];
  for (const machine of machines) {
    for (const nic of machine.nics) {
      const target = networkIdByName.get(nic.network);
      if (target === undefined) continue; // a NIC on an unknown network has no edge; the side panel shows it
      edges.push({
        id: nicEdgeId(machine.id, nic.index),
        type: 'nic',
        source: machine.id,
        target,
        label: nic.ip,
        data: { machineIndex: machine.index, nicIndex: nic.index, ip: nic.ip },
      });
    }
  }

  return {
    name: asString(metadata.name),
    description: metadata.description === undefined ? undefined : asString(metadata.description),
    machines,
    networks,
    nodes,
    edges,
  };
}

export function nicEdgeId(machineId: string, nicIndex: number): string {
  return `nic:${machineId}:${nicIndex}`;
}

/** Ids from names, so selection survives edits that reorder; by index when a name is empty or repeated. */
function assignIds(kind: string, items: { index: number; id: string; name: string }[]): void {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item.name, (counts.get(item.name) ?? 0) + 1);
  for (const item of items) {
    item.id = item.name !== '' && counts.get(item.name) === 1 ? `${kind}:${item.name}` : `${kind}#${item.index}`;
  }
}

/** `prefix1`, `prefix2`, … : the first that is not taken. */
export function freeName(prefix: string, taken: readonly string[]): string {
  const set = new Set(taken);
  for (let i = 1; ; i++) {
    if (!set.has(`${prefix}${i}`)) return `${prefix}${i}`;
  }
}

function asRecord(value: unknown): Record<string, unknown> {
  return isPlainObject(value) ? (value as Record<string, unknown>) : {};
}

function isPlainObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function asString(value: unknown): string {
  return value === undefined || value === null ? '' : String(value);
}

function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

function asPosition(value: unknown): UiPosition | undefined {
  const ui = asRecord(value);
  const x = asNumber(ui.x);
  const y = asNumber(ui.y);
  return x === undefined || y === undefined ? undefined : { x, y };
}

// ---- AST helpers ----

function rootMap(doc: Document.Parsed): YAMLMap {
  return doc.contents as unknown as YAMLMap;
}

function ensureSeq(doc: Document.Parsed, key: 'networks' | 'machines', flow: boolean): YAMLSeq {
  const root = rootMap(doc);
  const existing = root.get(key, true);
  if (isSeq(existing)) {
    // An empty flow sequence (`machines: []`) turns into a block one when it gets its first item.
    if (existing.items.length === 0) existing.flow = flow;
    return existing;
  }
  const seq = doc.createNode([]) as YAMLSeq;
  seq.flow = flow;
  setOrdered(doc, root, key, seq, ROOM_KEYS);
  return seq;
}

/** Appends `value` in the canonical style; the item itself takes the style of the previous item, if any. */
function appendItem(doc: Document.Parsed, seq: YAMLSeq, value: Record<string, unknown>): void {
  const node = doc.createNode(value) as YAMLMap;
  styleCanonically(node);
  const previous = seq.items[seq.items.length - 1];
  if (isMap(previous)) node.flow = Boolean(previous.flow) || Boolean(seq.flow);
  if (seq.items.length === 0) seq.flow = false;
  seq.items.push(node);
}

function machineMap(doc: Document.Parsed, index: number): YAMLMap {
  return itemMap(doc, 'machines', index);
}

function networkMap(doc: Document.Parsed, index: number): YAMLMap {
  return itemMap(doc, 'networks', index);
}

function nicMap(doc: Document.Parsed, machineIndex: number, nicIndex: number): YAMLMap {
  const nics = machineMap(doc, machineIndex).get('nics', true);
  const nic = isSeq(nics) ? nics.items[nicIndex] : undefined;
  if (!isMap(nic)) throw new RangeError(`machines[${machineIndex}].nics[${nicIndex}] is not a mapping`);
  return nic;
}

function itemMap(doc: Document.Parsed, list: string, index: number): YAMLMap {
  const seq = rootMap(doc).get(list, true);
  const item = isSeq(seq) ? seq.items[index] : undefined;
  if (!isMap(item)) throw new RangeError(`${list}[${index}] is not a mapping`);
  return item;
}

function forEachNic(doc: Document.Parsed, action: (nic: YAMLMap) => void): void {
  const machines = rootMap(doc).get('machines', true);
  if (!isSeq(machines)) return;
  for (const machine of machines.items) {
    const nics = isMap(machine) ? machine.get('nics', true) : undefined;
    if (!isSeq(nics)) continue;
    for (const nic of nics.items) if (isMap(nic)) action(nic);
  }
}

/**
 * Sets a scalar field: keeps the existing scalar node (its quoting, its comment) when there is one; removes the
 * key for undefined, null and ''; inserts a new key at its canonical place among the keys of `order`.
 */
function setScalar(doc: Document.Parsed, map: YAMLMap, key: string, value: unknown, order: readonly string[]): void {
  if (value === undefined || value === null || value === '') {
    map.delete(key);
    return;
  }
  const existing = map.get(key, true);
  if (isScalar(existing)) {
    if (typeof existing.value !== typeof value) existing.type = undefined; // "2" quoted must not stay a string
    existing.value = value;
    return;
  }
  setOrdered(doc, map, key, doc.createNode(value), order);
}

/** Puts `key: node` in `map`: in place when the key exists, else before the first key that comes after it. */
function setOrdered(doc: Document.Parsed, map: YAMLMap, key: string, node: unknown, order: readonly string[]): void {
  if (map.has(key)) {
    map.set(key, node);
    return;
  }
  const rank = order.indexOf(key);
  const at = map.items.findIndex((pair) => {
    const other = order.indexOf(String(isScalar(pair.key) ? pair.key.value : pair.key));
    return rank >= 0 && other > rank;
  });
  const pair = new Pair(doc.createNode(key), node);
  if (at < 0) map.items.push(pair);
  else map.items.splice(at, 0, pair);
}

/** Core's RoomYamlWriter rule: a mapping goes on one line when it is empty, or has at most 3 scalar entries. */
const MAX_FLOW_ENTRIES = 3;
const MAX_FLOW_CHARACTERS = 60;

function fitsOnOneLine(map: YAMLMap): boolean {
  if (map.items.length === 0) return true;
  if (map.items.length > MAX_FLOW_ENTRIES) return false;
  let characters = 0;
  for (const pair of map.items) {
    if (!isScalar(pair.value) && pair.value !== null) return false;
    const key = String(isScalar(pair.key) ? pair.key.value : pair.key);
    const value = pair.value === null ? 'null' : String(pair.value.value);
    if (value.includes('\n')) return false;
    characters += key.length + value.length + 4;
  }
  return characters <= MAX_FLOW_CHARACTERS;
}

/**
 * Styles `node` and everything in it as src/SkillVL.Core/Rooms/RoomYamlWriter.cs writes room documents (what
 * `skillvl room get -o yaml` prints): block style, small mappings of plain values on one line.
 */
function styleCanonically(node: unknown): void {
  if (isMap(node)) {
    node.flow = fitsOnOneLine(node);
    for (const pair of node.items) styleCanonically(pair.value);
  } else if (isSeq(node)) {
    node.flow = node.items.length === 0;
    for (const item of node.items) styleCanonically(item);
  }
}

function styleDocument(doc: Document): void {
  styleCanonically(doc.contents);
}

/** Drops null values (the API writes absent optional fields as null), recursively. */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (isPlainObject(value)) {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== null && v !== undefined)
        .map(([k, v]) => [k, withoutNulls(v)]),
    );
  }
  return value;
}

// ---- minimal rendering ----

interface Splice {
  start: number;
  end: number;
  text: string;
}

/**
 * The text of `edited`, changing as little of `originalText` as it can: when the edit only changed scalar values,
 * those are spliced into the original text; otherwise the whole document is rendered again.
 */
function renderMinimal(originalText: string, original: Document.Parsed, edited: Document.Parsed): string {
  const splices: Splice[] = [];
  if (collectSplices(original.contents, edited.contents, false, splices)) {
    if (splices.length === 0) return originalText;
    let text = originalText;
    for (const s of splices.sort((a, b) => b.start - a.start)) {
      text = text.slice(0, s.start) + s.text + text.slice(s.end);
    }
    // The splice must mean what the edit meant; if YAML reads it differently, render instead.
    const check = parseDocument(text);
    if (check.errors.length === 0 && deepEqual(check.toJS(), edited.toJS())) return text;
  }
  return edited.toString(TO_STRING);
}

/** False when `a` and `b` differ in structure (keys, lengths, node kinds); else adds a splice per changed scalar. */
function collectSplices(a: unknown, b: unknown, inFlow: boolean, out: Splice[]): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return a === b;
  if (isScalar(a) && isScalar(b)) {
    if (a.value === b.value) return true;
    const source = a.range ? scalarSource(b.value, a, inFlow) : null;
    if (source === null) return false;
    out.push({ start: a.range![0], end: a.range![1], text: source });
    return true;
  }
  if (isMap(a) && isMap(b)) {
    if (a.items.length !== b.items.length || Boolean(a.flow) !== Boolean(b.flow)) return false;
    const flow = inFlow || Boolean(a.flow);
    return a.items.every((pair, i) => {
      const other = b.items[i];
      const keyA = isScalar(pair.key) ? pair.key.value : pair.key;
      const keyB = isScalar(other.key) ? other.key.value : other.key;
      return keyA === keyB && collectSplices(pair.value, other.value, flow, out);
    });
  }
  if (isSeq(a) && isSeq(b)) {
    if (a.items.length !== b.items.length || Boolean(a.flow) !== Boolean(b.flow)) return false;
    const flow = inFlow || Boolean(a.flow);
    return a.items.every((item, i) => collectSplices(item, b.items[i], flow, out));
  }
  return false;
}

/** How `value` is written in place of the scalar `old`, keeping its quoting; null when it cannot be (block). */
function scalarSource(value: unknown, old: Scalar, inFlow: boolean): string | null {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : null;
  if (typeof value === 'boolean') return String(value);
  if (typeof value !== 'string') return null;
  switch (old.type) {
    case Scalar.QUOTE_SINGLE:
      return `'${value.replace(/'/g, "''")}'`;
    case Scalar.QUOTE_DOUBLE:
      return JSON.stringify(value);
    case Scalar.BLOCK_FOLDED:
    case Scalar.BLOCK_LITERAL:
      return null;
    default:
      return isPlainSafe(value, inFlow) ? value : JSON.stringify(value);
  }
}

/** Can `value` be written as a plain scalar and read back as the same string? */
function isPlainSafe(value: string, inFlow: boolean): boolean {
  if (!/^[A-Za-z0-9_./-](?:[A-Za-z0-9_./ -]*[A-Za-z0-9_./-])?$/.test(value)) return false;
  if (inFlow && /[,[\]{}]/.test(value)) return false;
  try {
    return parse(value) === value; // rules out 123, true, null, 0x1f, .5 and the like
  } catch {
    return false;
  }
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  if (ka.length !== kb.length) return false;
  return ka.every((k, i) => kb[i] === k && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
