// Maps the Server's validation errors (a 400 ValidationProblem whose `errors` are keyed by field path, e.g.
// "machines[1].nics[0].ip", "networks[0].cidr", "metadata.name", "document") to the graph elements they
// concern. Paths are written by src/SkillVL.Core/Rooms/FieldPath.cs: `.key`, `[index]`, and `["odd key"]`.

import { nicEdgeId, type RoomGraph } from './roomDocument';

export type PathSegment = string | number;

export type ErrorTarget =
  | { kind: 'machine'; index: number; nodeId: string; field: string }
  | { kind: 'network'; index: number; nodeId: string; field: string }
  | { kind: 'nic'; machineIndex: number; nicIndex: number; nodeId: string; edgeId?: string; field: string }
  | { kind: 'room'; field: string };

export interface FieldError {
  /** The path as the Server wrote it. */
  path: string;
  /** The part of the path below the element, e.g. "cidr", "nics[0].ip", "ui.x"; "" for the element itself. */
  field: string;
  message: string;
}

export interface MappedErrors {
  /** Per graph node id: its own errors and (for a machine) those of its NICs. */
  byNode: Record<string, FieldError[]>;
  /** Per NIC edge id. */
  byEdge: Record<string, FieldError[]>;
  /** Errors of the room as a whole (metadata, placement, the document) and of elements the graph lacks. */
  room: FieldError[];
  count: number;
}

/** "machines[1].nics[0].ip" → ["machines", 1, "nics", 0, "ip"]; null when the path is malformed. */
export function parseFieldPath(path: string): PathSegment[] | null {
  const segments: PathSegment[] = [];
  let i = 0;
  while (i < path.length) {
    if (path[i] === '[') {
      const close = findClosingBracket(path, i);
      if (close < 0) return null;
      const inner = path.slice(i + 1, close);
      if (/^[0-9]+$/.test(inner)) {
        segments.push(Number(inner));
      } else {
        try {
          const key: unknown = JSON.parse(inner);
          if (typeof key !== 'string') return null;
          segments.push(key);
        } catch {
          return null;
        }
      }
      i = close + 1;
    } else {
      if (path[i] === '.') {
        if (segments.length === 0) return null;
        i++;
      }
      const match = /^[^.[]+/.exec(path.slice(i));
      if (!match) return null;
      segments.push(match[0]);
      i += match[0].length;
    }
  }
  return segments;
}

function findClosingBracket(path: string, open: number): number {
  if (path[open + 1] === '"') {
    // A JSON string: skip escaped characters until the closing quote, which the bracket follows.
    for (let j = open + 2; j < path.length; j++) {
      if (path[j] === '\\') j++;
      else if (path[j] === '"') return path[j + 1] === ']' ? j + 1 : -1;
    }
    return -1;
  }
  return path.indexOf(']', open);
}

export function formatFieldPath(segments: readonly PathSegment[]): string {
  return segments
    .map((s, i) => {
      if (typeof s === 'number') return `[${s}]`;
      if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(s)) return `[${JSON.stringify(s)}]`;
      return i === 0 ? s : `.${s}`;
    })
    .join('');
}

/** The graph element an error path concerns. */
export function targetOf(path: string, graph: RoomGraph): ErrorTarget {
  const segments = parseFieldPath(path);
  if (!segments || segments.length < 2 || typeof segments[1] !== 'number') {
    return { kind: 'room', field: path === 'document' ? '' : path };
  }
  const [list, index] = segments as [PathSegment, number];
  const rest = segments.slice(2);
  if (list === 'networks') {
    const network = graph.networks[index];
    if (network) return { kind: 'network', index, nodeId: network.id, field: formatFieldPath(rest) };
  } else if (list === 'machines') {
    const machine = graph.machines[index];
    if (machine) {
      if (rest[0] === 'nics' && typeof rest[1] === 'number' && machine.nics[rest[1]]) {
        const nicIndex = rest[1];
        const edgeId = nicEdgeId(machine.id, nicIndex);
        return {
          kind: 'nic',
          machineIndex: index,
          nicIndex,
          nodeId: machine.id,
          // A NIC whose network is unknown has no edge: its errors show on the machine only.
          edgeId: graph.edges.some((e) => e.id === edgeId) ? edgeId : undefined,
          field: formatFieldPath(rest.slice(2)),
        };
      }
      return { kind: 'machine', index, nodeId: machine.id, field: formatFieldPath(rest) };
    }
  }
  return { kind: 'room', field: path };
}

/** Distributes the Server's `errors` over the graph. */
export function mapValidationErrors(errors: Record<string, readonly string[]> | null | undefined, graph: RoomGraph): MappedErrors {
  const mapped: MappedErrors = { byNode: {}, byEdge: {}, room: [], count: 0 };
  for (const [path, messages] of Object.entries(errors ?? {})) {
    const target = targetOf(path, graph);
    for (const message of messages) {
      mapped.count++;
      switch (target.kind) {
        case 'room':
          mapped.room.push({ path, field: target.field, message });
          break;
        case 'nic': {
          const nicField = `nics[${target.nicIndex}]${target.field ? '.' + target.field : ''}`;
          (mapped.byNode[target.nodeId] ??= []).push({ path, field: nicField, message });
          if (target.edgeId) (mapped.byEdge[target.edgeId] ??= []).push({ path, field: target.field, message });
          break;
        }
        default:
          (mapped.byNode[target.nodeId] ??= []).push({ path, field: target.field, message });
      }
    }
  }
  return mapped;
}

/** "cidr: overlaps networks[0] (10.0.1.0/24)" — an error as one line of text. */
export function describeError(error: FieldError): string {
  return error.field ? `${error.field}: ${error.message}` : error.message;
}
