// Node and edge components for the topology canvas (designer and live view), and the mapping from the
// document's graph (model/roomDocument.ts) to what @xyflow/react draws.

import {
  BaseEdge,
  EdgeLabelRenderer,
  getStraightPath,
  Handle,
  Position,
  type EdgeProps,
  type EdgeTypes,
  type NodeProps,
  type NodeTypes,
  type XYPosition,
} from '@xyflow/react';
import type { MachineLiveStatus, MachineNode, NetworkNode, NicEdge, RoomGraph, TopologyNode } from '../model/roomDocument';
import { describeError, type MappedErrors } from '../model/validationErrors';

function ErrorList({ errors }: { errors?: string[] }) {
  if (!errors?.length) return null;
  return (
    <ul className="node-errors" role="alert">
      {errors.map((e, i) => (
        <li key={i}>{e}</li>
      ))}
    </ul>
  );
}

function MachineNodeView({ data, selected }: NodeProps<MachineNode>) {
  const m = data.machine;
  const status = data.status;
  const details = [m.template, m.cpus !== undefined ? `${m.cpus} CPU` : null, m.memory].filter(Boolean).join(' · ');
  return (
    <div
      className={`topo-node machine${selected ? ' selected' : ''}${data.errors?.length ? ' invalid' : ''}`}
      aria-label={`Machine ${m.name}${status ? `, ${status.state}` : ''}`}
    >
      <Handle type="source" position={Position.Top} id="top" />
      <div className="node-title">
        <span className="icon" aria-hidden="true">
          🖥
        </span>
        {m.name || <em>unnamed</em>}
        {status && <span className={`state state-${status.state}`}>{status.state}</span>}
      </div>
      <div className="node-sub">{details}</div>
      {status?.node && <div className="node-sub">on {status.node}</div>}
      {status?.lastError && <div className="node-sub warn">{status.lastError}</div>}
      <ErrorList errors={data.errors} />
      <Handle type="source" position={Position.Bottom} id="bottom" />
    </div>
  );
}

function NetworkNodeView({ data, selected }: NodeProps<NetworkNode>) {
  const n = data.network;
  return (
    <div className={`topo-node network${selected ? ' selected' : ''}${data.errors?.length ? ' invalid' : ''}`} aria-label={`Network ${n.name} ${n.cidr}`}>
      <Handle type="target" position={Position.Top} id="top" />
      <div className="node-title">
        <span className="icon" aria-hidden="true">
          ⎯
        </span>
        {n.name || <em>unnamed</em>} <span className="cidr">{n.cidr}</span>
      </div>
      <ErrorList errors={data.errors} />
      <Handle type="target" position={Position.Bottom} id="bottom" />
    </div>
  );
}

function NicEdgeView({ id, sourceX, sourceY, targetX, targetY, data, selected, markerEnd }: EdgeProps<NicEdge>) {
  const [path, labelX, labelY] = getStraightPath({ sourceX, sourceY, targetX, targetY });
  const invalid = Boolean(data?.errors?.length);
  return (
    <>
      <BaseEdge id={id} path={path} markerEnd={markerEnd} className={invalid ? 'edge-invalid' : selected ? 'edge-selected' : undefined} />
      {(data?.ip || invalid) && (
        <EdgeLabelRenderer>
          <div
            className={`edge-label${invalid ? ' invalid' : ''}`}
            style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
            title={data?.errors?.join('\n')}
          >
            {data?.ip ?? 'no IP'}
            {invalid && <span aria-label={`${data!.errors!.length} errors`}> ⚠ {data!.errors!.join('; ')}</span>}
          </div>
        </EdgeLabelRenderer>
      )}
    </>
  );
}

export const nodeTypes: NodeTypes = { machine: MachineNodeView, network: NetworkNodeView } as NodeTypes;
export const edgeTypes: EdgeTypes = { nic: NicEdgeView } as EdgeTypes;

export interface FlowDecorations {
  errors?: MappedErrors;
  /** Observed state per machine name. */
  statuses?: Record<string, MachineLiveStatus>;
  /** Positions of nodes being dragged (not yet in the document). */
  dragging?: Record<string, XYPosition>;
  selected?: ReadonlySet<string>;
}

/** The graph as @xyflow/react nodes and edges, with errors, states and selection; edges use the near handles. */
export function toFlow(graph: RoomGraph, decorations: FlowDecorations = {}): { nodes: TopologyNode[]; edges: NicEdge[] } {
  const { errors, statuses, dragging, selected } = decorations;
  const nodes = graph.nodes.map((node): TopologyNode => {
    const nodeErrors = errors?.byNode[node.id]?.map(describeError);
    const position = dragging?.[node.id] ?? node.position;
    const isSelected = selected?.has(node.id) ?? false;
    if (node.type === 'machine') {
      return {
        ...node,
        position,
        selected: isSelected,
        data: { ...node.data, errors: nodeErrors, status: statuses?.[node.data.machine.name] },
      };
    }
    return { ...node, position, selected: isSelected, data: { ...node.data, errors: nodeErrors } };
  });
  const positionOf = new Map(nodes.map((n) => [n.id, n.position]));
  const edges = graph.edges.map((edge): NicEdge => {
    const machineY = positionOf.get(edge.source)?.y ?? 0;
    const networkY = positionOf.get(edge.target)?.y ?? 0;
    const above = machineY <= networkY;
    return {
      ...edge,
      sourceHandle: above ? 'bottom' : 'top',
      targetHandle: above ? 'top' : 'bottom',
      selected: selected?.has(edge.id) ?? false,
      data: { ...edge.data!, errors: errors?.byEdge[edge.id]?.map(describeError) },
    };
  });
  return { nodes, edges };
}
