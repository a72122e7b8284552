import { useState } from 'react';
import { Link } from 'react-router';
import { api } from '../../api/api';
import { num } from '../../api/client';
import type { MachineStatus, NodeInfo } from '../../api/types';
import { ErrorBox, formatBytes, Loading, ProgressBar } from '../../components/common';
import { useAsync } from '../../hooks/useAsync';

interface Placed {
  roomId: string;
  roomName: string;
  machine: MachineStatus;
}

/** Every machine of every room by node name (an admin sees all rooms). */
async function machinesByNode(signal: AbortSignal): Promise<Map<string, Placed[]>> {
  const rooms = await api.get('/api/v1/rooms', { signal });
  const details = await Promise.all(rooms.map((r) => api.get('/api/v1/rooms/{room}', { path: { room: r.id }, signal })));
  const byNode = new Map<string, Placed[]>();
  for (const room of details) {
    for (const machine of room.machines) {
      if (!machine.node) continue;
      byNode.set(machine.node, [...(byNode.get(machine.node) ?? []), { roomId: room.id, roomName: room.name, machine }]);
    }
  }
  return byNode;
}

export function NodesSection() {
  const nodes = useAsync((signal) => api.get('/api/v1/nodes', { signal }), [], 5000);
  const placed = useAsync(machinesByNode, [], 5000);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  const setDrained = async (node: NodeInfo, drain: boolean) => {
    setBusy(true);
    setError(undefined);
    try {
      await api.post(drain ? '/api/v1/nodes/{node}/drain' : '/api/v1/nodes/{node}/undrain', { path: { node: node.name } });
      nodes.reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="nodes-heading">
      <h2 id="nodes-heading">Nodes</h2>
      <p className="muted small">
        Load here is what the Server has allocated on a node (vCPUs and memory of the machines placed there) against its capacity; the live
        CPU, memory and pressure the agents report are on <Link to="/admin/placement">the placement page</Link>.
      </p>
      <ErrorBox error={nodes.error ?? error} />
      {!nodes.data ? (
        <Loading what="nodes" />
      ) : (
        <table className="table">
          <caption className="sr-only">Nodes</caption>
          <thead>
            <tr>
              <th scope="col">Node</th>
              <th scope="col">State</th>
              <th scope="col">Facts</th>
              <th scope="col">Load (allocated / capacity)</th>
              <th scope="col">Machines on it</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {nodes.data.map((n) => (
              <NodeRow key={n.name} node={n} machines={placed.data?.get(n.name) ?? []} busy={busy} onDrain={setDrained} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function NodeRow({ node, machines, busy, onDrain }: { node: NodeInfo; machines: Placed[]; busy: boolean; onDrain: (n: NodeInfo, drain: boolean) => void }) {
  const cpus = num(node.cpus);
  const memory = num(node.memoryBytes);
  const labels = Object.entries(node.labels ?? {});
  return (
    <tr>
      <th scope="row">{node.name}</th>
      <td>
        <span className={`badge ${node.state === 'ready' ? 'phase-ready' : 'phase-degraded'}`}>{node.state}</span>
        {node.drained && <span className="badge phase-pending"> drained</span>}
      </td>
      <td className="small">
        {node.kind}
        {node.owner && <>, owned by {node.owner}</>}, {node.accelerator}
        {node.underlayAddress && <>, underlay {node.underlayAddress}</>}
        {labels.length > 0 && <>, labels {labels.map(([k, v]) => `${k}=${v}`).join(' ')}</>}
      </td>
      <td>
        <div className="load">
          <span className="small">
            vCPU {num(node.cpusAllocated)} / {cpus}
            {num(node.cpusAllocated) > cpus && <span className="warn"> overcommitted</span>}
          </span>
          <ProgressBar value={cpus ? num(node.cpusAllocated) / cpus : 0} label={`${node.name} vCPUs allocated`} />
          <span className="small">
            RAM {formatBytes(num(node.memoryBytesAllocated))} / {formatBytes(memory)}
            {num(node.memoryBytesAllocated) > memory && <span className="warn"> overcommitted</span>}
          </span>
          <ProgressBar value={memory ? num(node.memoryBytesAllocated) / memory : 0} label={`${node.name} memory allocated`} />
        </div>
      </td>
      <td className="small">
        {num(node.machinesRunning)} running
        {machines.length > 0 && (
          <ul className="machine-list">
            {machines.map((p) => (
              <li key={p.machine.id}>
                <Link to={`/rooms/${encodeURIComponent(p.roomId)}`}>
                  {p.roomName}/{p.machine.name}
                </Link>
                <span className={`state state-${p.machine.state}`}>{p.machine.state}</span>
              </li>
            ))}
          </ul>
        )}
      </td>
      <td>
        <button type="button" disabled={busy} onClick={() => onDrain(node, !node.drained)} aria-label={`${node.drained ? 'Undrain' : 'Drain'} node ${node.name}`}>
          {node.drained ? 'Undrain' : 'Drain'}
        </button>
      </td>
    </tr>
  );
}
