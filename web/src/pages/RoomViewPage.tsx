// The live room: its topology (read-only) with each machine's state and node, actions, and its tasks.

import { Background, Controls, ReactFlow, ReactFlowProvider, type NodeMouseHandler } from '@xyflow/react';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { api } from '../api/api';
import { num } from '../api/client';
import { purposeText } from '../api/checkouts';
import { listMigrations } from '../api/migrations';
import type { MachineStatus, RoomDetails, TaskInfo } from '../api/types';
import { CheckoutSection } from '../components/CheckoutSection';
import { ErrorBox, errorText, formatBytes, Loading, PhaseBadge } from '../components/common';
import { MigrateDialog } from '../components/MigrateDialog';
import { RecommendationList } from '../components/RecommendationList';
import { TaskPanel } from '../components/TaskPanel';
import { useAsync } from '../hooks/useAsync';
import { useRoomEvents } from '../hooks/useRoomEvents';
import { RoomDocument, type MachineLiveStatus, type TopologyNode } from '../model/roomDocument';
import { edgeTypes, nodeTypes, toFlow } from '../topology/flow';
import { ChecksPanel, checksOf } from './room/ChecksPanel';
import { LifetimeNotice } from './room/LifetimeNotice';
import { RoomSnapshotsPanel, SnapshotsPanel } from './room/SnapshotsPanel';
import { Viewers, ViewersMark } from './room/Viewers';

export function RoomViewPage() {
  const { room = '' } = useParams();
  const location = useLocation();
  const navigate = useNavigate();
  const [details, setDetails] = useState<RoomDetails | null>(null);
  const [error, setError] = useState<unknown>();
  const [actionError, setActionError] = useState<unknown>();
  const [tick, setTick] = useState(0);
  const [started, setStarted] = useState<TaskInfo[]>(() => {
    const task = (location.state as { task?: TaskInfo } | null)?.task;
    return task ? [task] : [];
  });
  const [selected, setSelected] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const refresh = useCallback(() => {
    api.get('/api/v1/rooms/{room}', { path: { room } }).then(
      (d) => {
        setDetails(d);
        setError(undefined);
      },
      (e: unknown) => setError(e),
    );
    setTick((t) => t + 1);
  }, [room]);

  useEffect(refresh, [refresh]);
  const [deleted, setDeleted] = useState(false);
  const mode = useRoomEvents(details?.id ?? room, {
    onUpdate: (events) => (events.some((e) => e.type === 'room-deleted') ? setDeleted(true) : refresh()),
  });

  const run = async (action: () => Promise<unknown>, after?: () => void) => {
    setBusy(true);
    setActionError(undefined);
    try {
      const task = (await action()) as TaskInfo | undefined;
      if (task?.id) setStarted((s) => [task, ...s]);
      after?.();
      refresh();
    } catch (e) {
      setActionError(e);
    } finally {
      setBusy(false);
    }
  };

  const graph = useMemo(() => (details ? RoomDocument.fromObject(details.definition).graph() : null), [details]);
  const statuses = useMemo(() => {
    const map: Record<string, MachineLiveStatus> = {};
    for (const m of details?.machines ?? []) map[m.name] = { state: m.state, node: m.node, guestReady: m.guestReady, lastError: m.lastError };
    return map;
  }, [details]);
  const flow = useMemo(() => {
    if (!graph) return null;
    const selectedId = graph.machines.find((m) => m.name === selected)?.id;
    return toFlow(graph, { statuses, selected: new Set(selectedId ? [selectedId] : []) });
  }, [graph, statuses, selected]);

  if (deleted) {
    return (
      <main className="page narrow">
        <p role="status">This room has been deleted.</p>
        <Link to="/">Back to my rooms</Link>
      </main>
    );
  }
  if (error && !details) return <ErrorBox error={error} />;
  if (!details || !graph || !flow) return <Loading what="the room" />;

  const id = details.id;
  const onNodeClick: NodeMouseHandler<TopologyNode> = (_, node) => setSelected(node.type === 'machine' ? node.data.machine.name : null);
  const machine = details.machines.find((m) => m.name === selected);

  return (
    <main className="page room-view">
      <header className="room-header">
        <h1>
          {details.name} <PhaseBadge phase={details.phase} />
        </h1>
        <p className="muted">
          {details.owner && <>owner {details.owner} · </>}
          {details.course && (
            <>
              course {details.course}
              {details.courseVersion != null && ` v${num(details.courseVersion)}`} ·{' '}
            </>
          )}
          generation {num(details.generation)} (applied {num(details.observedGeneration)}) ·{' '}
          <span aria-live="polite">{mode === 'live' ? 'live' : mode === 'polling' ? 'updating every 2 s' : 'connecting…'}</span>
        </p>
        <LifetimeNotice stopsAt={details.stopsAt} deletesAt={details.deletesAt} />
        <div className="actions">
          <button type="button" disabled={busy} onClick={() => void run(() => api.post('/api/v1/rooms/{room}/start', { path: { room: id } }))}>
            Start all
          </button>
          <button type="button" disabled={busy} onClick={() => void run(() => api.post('/api/v1/rooms/{room}/stop', { path: { room: id } }))}>
            Stop all
          </button>
          <Link className="button" to={`/rooms/${encodeURIComponent(id)}/edit`}>
            Edit in designer
          </Link>
          <button
            type="button"
            className="danger"
            disabled={busy}
            onClick={() => {
              if (window.confirm(`Delete room ${details.name} with all its machines and disks?`)) {
                void run(() => api.delete('/api/v1/rooms/{room}', { path: { room: id } }), () => navigate('/'));
              }
            }}
          >
            Delete room
          </button>
        </div>
        {actionError ? <ErrorBox error={actionError} /> : null}
        {error ? <p className="muted small">Last refresh failed: {errorText(error)}</p> : null}
      </header>
      <div className="room-body">
        <div className="canvas view" aria-label="Room topology">
          <ReactFlowProvider>
            <ReactFlow
              nodes={flow.nodes}
              edges={flow.edges}
              nodeTypes={nodeTypes}
              edgeTypes={edgeTypes}
              nodesDraggable={false}
              nodesConnectable={false}
              deleteKeyCode={null}
              onNodeClick={onNodeClick}
              onPaneClick={() => setSelected(null)}
              fitView
              fitViewOptions={{ padding: 0.2, maxZoom: 1.2 }}
            >
              <Background gap={20} />
              <Controls showInteractive={false} />
            </ReactFlow>
          </ReactFlowProvider>
        </div>
        <aside className="side-panel" aria-label="Machine">
          {machine ? (
            <MachinePanel roomId={id} machine={machine} busy={busy} run={run} onChanged={refresh} />
          ) : (
            <p className="muted">Select a machine for its actions and consoles.</p>
          )}
        </aside>
      </div>
      {checksOf(details.definition).length > 0 && <ChecksPanel roomId={id} checks={checksOf(details.definition)} />}
      <RecommendationList roomId={id} onAccepted={refresh} />
      <MachineTable roomId={id} machines={details.machines} onSelect={setSelected} />
      <RoomSnapshotsPanel roomId={id} machineCount={details.machines.length} />
      <TaskPanel roomName={details.name} tick={tick} started={started} />
    </main>
  );
}

function MachinePanel({
  roomId,
  machine,
  busy,
  run,
  onChanged,
}: {
  roomId: string;
  machine: MachineStatus;
  busy: boolean;
  run: (action: () => Promise<unknown>) => Promise<void>;
  onChanged: () => void;
}) {
  const [migrating, setMigrating] = useState(false);
  // Read again when the dialog opens or closes (it may have started one) and when the machine moves or changes state.
  const migrations = useAsync(
    (signal) => listMigrations({ machine: machine.id, limit: 1 }, signal),
    [machine.id, machine.node, machine.state, migrating],
  );
  // The panel stays mounted when another machine is selected: the previous machine's answer is not this one's.
  const last = migrations.data?.find((m) => m.machine.id === machine.id);
  const path = { room: roomId, machine: machine.name };
  const base = `/rooms/${encodeURIComponent(roomId)}/machines/${encodeURIComponent(machine.name)}`;
  return (
    <>
      <h2>{machine.name}</h2>
      <Viewers viewers={machine.viewers} />
      <dl className="facts">
        <dt>State</dt>
        <dd>
          <span className={`state state-${machine.state}`}>{machine.state}</span> (wanted: {machine.desiredState})
        </dd>
        <dt>Guest ready</dt>
        <dd>{machine.guestReady ? 'yes' : 'not yet'}</dd>
        <dt>Node</dt>
        <dd>{machine.node || '—'}</dd>
        <dt>Size</dt>
        <dd>
          {num(machine.cpus)} CPU, {formatBytes(num(machine.memoryBytes))}
        </dd>
        {last && (
          <>
            <dt>Last migration</dt>
            <dd>
              {last.purpose && <>{purposeText(last.purpose)} </>}
              <span className={`badge task-state-${last.state}`}>{last.state}</span> {last.from} → {last.to}{' '}
              <Link to={`/migrations/${encodeURIComponent(last.id)}`}>Details</Link>
            </dd>
          </>
        )}
        {machine.lastError && (
          <>
            <dt>Last error</dt>
            <dd className="warn">{machine.lastError}</dd>
          </>
        )}
      </dl>
      <div className="actions">
        <button type="button" disabled={busy} onClick={() => void run(() => api.post('/api/v1/rooms/{room}/machines/{machine}/start', { path }))}>
          Start
        </button>
        <button type="button" disabled={busy} onClick={() => void run(() => api.post('/api/v1/rooms/{room}/machines/{machine}/stop', { path }))}>
          Stop
        </button>
        <button type="button" disabled={busy} onClick={() => void run(() => api.post('/api/v1/rooms/{room}/machines/{machine}/restart', { path }))}>
          Restart
        </button>
        {/* A checked-out machine moves back by its check-in: a plain move would leave the server's copy behind (409). */}
        {machine.state === 'running' && !machine.checkout && (
          <button type="button" disabled={busy} onClick={() => setMigrating(true)}>
            Migrate…
          </button>
        )}
      </div>
      {migrating && <MigrateDialog machine={machine} onClose={() => setMigrating(false)} />}
      <CheckoutSection roomId={roomId} machine={machine} onChanged={onChanged} />
      <SnapshotsPanel roomId={roomId} machineName={machine.name} />
      <div className="actions">
        <Link className="button" to={`${base}/console`}>
          Screen (VNC)
        </Link>
        <Link className="button" to={`${base}/spice`}>
          Screen (SPICE)
        </Link>
        <Link className="button" to={`${base}/serial`}>
          Serial console
        </Link>
      </div>
    </>
  );
}

function MachineTable({ roomId, machines, onSelect }: { roomId: string; machines: MachineStatus[]; onSelect: (name: string) => void }) {
  return (
    <table className="table">
      <caption>Machines</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">State</th>
          <th scope="col">Node</th>
          <th scope="col">Addresses</th>
          <th scope="col">Consoles</th>
        </tr>
      </thead>
      <tbody>
        {machines.map((m) => (
          <tr key={m.id}>
            <td>
              <button type="button" className="link-button" onClick={() => onSelect(m.name)}>
                {m.name}
              </button>
            </td>
            <td>
              <span className={`state state-${m.state}`}>{m.state}</span>
              {m.guestReady && <span className="muted small"> ready</span>}
            </td>
            <td>
              {m.node}
              {m.checkout && <span className="muted small"> checked out</span>}
            </td>
            <td>{m.nics.map((n) => `${n.network}${n.ip ? ` ${n.ip}` : ''}`).join(', ')}</td>
            <td>
              <Link to={`/rooms/${encodeURIComponent(roomId)}/machines/${encodeURIComponent(m.name)}/console`}>VNC</Link>{' '}
              <Link to={`/rooms/${encodeURIComponent(roomId)}/machines/${encodeURIComponent(m.name)}/spice`}>SPICE</Link>{' '}
              <Link to={`/rooms/${encodeURIComponent(roomId)}/machines/${encodeURIComponent(m.name)}/serial`}>serial</Link>
              <ViewersMark viewers={m.viewers} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
