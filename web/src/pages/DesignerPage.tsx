// The room designer: a topology canvas, a palette, a side panel and a YAML view over one RoomDocument.
// Every change (canvas, panel or YAML) produces a new document; the canvas and the panel are views of it.

import {
  Background,
  ConnectionMode,
  Controls,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  type Connection,
  type Dimensions,
  type EdgeChange,
  type NodeChange,
  type XYPosition,
} from '@xyflow/react';
import { useCallback, useEffect, useMemo, useState, type DragEvent } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { api } from '../api/api';
import { ApiError, num } from '../api/client';
import type { TaskInfo, TemplateInfo } from '../api/types';
import { ErrorBox, errorText, formatBytes, Loading } from '../components/common';
import { RoomDocument, type ElementRef, type NicEdge, type RoomGraph, type TopologyNode } from '../model/roomDocument';
import { describeError, mapValidationErrors, type MappedErrors } from '../model/validationErrors';
import { edgeTypes, nodeTypes, toFlow } from '../topology/flow';
import { useUnsavedChangesGuard } from '../hooks/useUnsavedChangesGuard';

/** What the side panel shows: one machine, network or NIC, by position in the document (stable across renames). */
type Selection = { kind: 'machine'; index: number } | { kind: 'network'; index: number } | { kind: 'nic'; machineIndex: number; nicIndex: number };

const PALETTE_MIME = 'application/x-skillvl-palette';

export interface DesignerLocationState {
  /** A document to start from (a wizard's). */
  yaml?: string;
}

export function DesignerPage() {
  const { room } = useParams();
  const location = useLocation();
  const [initial, setInitial] = useState<{ doc: RoomDocument; roomId?: string; roomName?: string } | null>(null);
  const [error, setError] = useState<unknown>();

  useEffect(() => {
    if (!room) {
      const yaml = (location.state as DesignerLocationState | null)?.yaml;
      setInitial({ doc: yaml ? RoomDocument.parse(yaml) : RoomDocument.create('my-room') });
      return;
    }
    const controller = new AbortController();
    api
      .get('/api/v1/rooms/{room}', { path: { room }, signal: controller.signal })
      .then((details) => setInitial({ doc: RoomDocument.fromObject(details.definition), roomId: details.id, roomName: details.name }))
      .catch((e: unknown) => !controller.signal.aborted && setError(e));
    return () => controller.abort();
  }, [room, location.state]);

  if (error) return <ErrorBox error={error} />;
  if (!initial) return <Loading what="the room" />;
  return (
    <ReactFlowProvider>
      <Designer key={initial.roomId ?? 'new'} initial={initial.doc} roomId={initial.roomId} roomName={initial.roomName} />
    </ReactFlowProvider>
  );
}

function refId(graph: RoomGraph, ref: Selection): string | undefined {
  if (ref.kind === 'machine') return graph.machines[ref.index]?.id;
  if (ref.kind === 'network') return graph.networks[ref.index]?.id;
  return graph.edges.find((e) => e.data?.machineIndex === ref.machineIndex && e.data?.nicIndex === ref.nicIndex)?.id;
}

function refOf(graph: RoomGraph, id: string): Selection | undefined {
  const machine = graph.machines.find((m) => m.id === id);
  if (machine) return { kind: 'machine', index: machine.index };
  const network = graph.networks.find((n) => n.id === id);
  if (network) return { kind: 'network', index: network.index };
  const edge = graph.edges.find((e) => e.id === id);
  return edge?.data ? { kind: 'nic', machineIndex: edge.data.machineIndex, nicIndex: edge.data.nicIndex } : undefined;
}

function Designer({ initial, roomId, roomName }: { initial: RoomDocument; roomId?: string; roomName?: string }) {
  const navigate = useNavigate();
  const flow = useReactFlow();
  const [doc, setDocState] = useState(initial);
  const [lastGood, setLastGood] = useState(initial.ok ? initial : RoomDocument.create('my-room'));
  const [history, setHistory] = useState<RoomDocument[]>([]);
  const [tab, setTab] = useState<'canvas' | 'yaml'>('canvas');
  const [selection, setSelection] = useState<Selection[]>([]);
  const [dragging, setDragging] = useState<Record<string, XYPosition>>({});
  const [measured, setMeasured] = useState<Record<string, Dimensions>>({});
  const [serverErrors, setServerErrors] = useState<Record<string, string[]>>({});
  const [applying, setApplying] = useState(false);
  const [message, setMessage] = useState<{ kind: 'error' | 'info'; text: string } | null>(null);
  const templates = useTemplates();
  // Edits not yet applied are lost on leaving: ask first (issue 17). A successful apply navigates away itself.
  useUnsavedChangesGuard(doc.text !== initial.text && !applying, 'The room has changes you have not applied. Leave the designer and lose them?');

  /** A canvas or panel edit: remembered for undo; `clear` drops server errors of the paths it fixes. */
  const edit = useCallback(
    (next: RoomDocument, clear?: (path: string) => boolean) => {
      if (next === doc) return;
      setHistory((h) => [...h.slice(-49), doc]);
      setDocState(next);
      if (next.ok) setLastGood(next);
      if (clear) setServerErrors((errors) => Object.fromEntries(Object.entries(errors).filter(([path]) => !clear(path))));
      setMessage(null);
    },
    [doc],
  );

  /** A change in the YAML view: no undo entry per keystroke; the canvas keeps the last valid document. */
  const editText = (text: string) => {
    const next = RoomDocument.parse(text);
    setDocState(next);
    if (next.ok) setLastGood(next);
  };

  const undo = () => {
    const previous = history[history.length - 1];
    if (!previous) return;
    setHistory((h) => h.slice(0, -1));
    setDocState(previous);
    if (previous.ok) setLastGood(previous);
  };

  // The canvas and panel work on the last document that parsed, so a half-typed YAML line does not blank them.
  const current = doc.ok ? doc : lastGood;
  const graph = current.graph();
  const errors = useMemo(() => mapValidationErrors(serverErrors, graph), [serverErrors, graph]);
  const selectedIds = useMemo(
    () => new Set(selection.map((s) => refId(graph, s)).filter((id): id is string => id !== undefined)),
    [selection, graph],
  );
  const { nodes, edges } = useMemo(() => {
    const result = toFlow(graph, { errors, dragging, selected: selectedIds });
    return { nodes: result.nodes.map((n) => ({ ...n, measured: measured[n.id] })), edges: result.edges };
  }, [graph, errors, dragging, selectedIds, measured]);

  const select = (id: string, on: boolean, list: Selection[]): Selection[] => {
    const ref = refOf(graph, id);
    if (!ref) return list;
    const key = JSON.stringify(ref);
    const rest = list.filter((s) => JSON.stringify(s) !== key);
    return on ? [...rest, ref] : rest;
  };

  const onNodesChange = (changes: NodeChange<TopologyNode>[]) => {
    let nextSelection = selection;
    for (const change of changes) {
      if (change.type === 'position' && change.position) {
        const position = change.position;
        setDragging((d) => ({ ...d, [change.id]: position }));
      } else if (change.type === 'dimensions' && change.dimensions) {
        const dimensions = change.dimensions;
        setMeasured((m) => ({ ...m, [change.id]: dimensions }));
      } else if (change.type === 'select') {
        nextSelection = select(change.id, change.selected, nextSelection);
      }
    }
    if (nextSelection !== selection) setSelection(nextSelection);
  };

  const onEdgesChange = (changes: EdgeChange<NicEdge>[]) => {
    let nextSelection = selection;
    for (const change of changes) {
      if (change.type === 'select') nextSelection = select(change.id, change.selected, nextSelection);
    }
    if (nextSelection !== selection) setSelection(nextSelection);
  };

  const onNodeDragStop = (_: unknown, __: TopologyNode, moved: TopologyNode[]) => {
    const moves = moved.flatMap((node) => {
      const ref = refOf(graph, node.id);
      if (!ref || ref.kind === 'nic') return [];
      return [{ ...ref, position: { x: Math.round(node.position.x), y: Math.round(node.position.y) } }];
    });
    setDragging({});
    if (moves.length > 0 && doc.ok) edit(doc.moveNodes(moves));
  };

  const endpoints = (connection: Connection | NicEdge) => {
    const ends = [connection.source, connection.target].map((id) => refOf(graph, id));
    const machine = ends.find((r) => r?.kind === 'machine') as ElementRef | undefined;
    const network = ends.find((r) => r?.kind === 'network') as ElementRef | undefined;
    return machine && network ? { machine: graph.machines[machine.index], network: graph.networks[network.index] } : null;
  };

  const isValidConnection = (connection: Connection | NicEdge) => {
    const ends = endpoints(connection);
    return ends !== null && !ends.machine.nics.some((n) => n.network === ends.network.name);
  };

  const onConnect = (connection: Connection) => {
    const ends = endpoints(connection);
    if (!ends || !doc.ok) return;
    const next = doc.connect(ends.machine.index, ends.network.name);
    edit(next);
    setSelection([{ kind: 'nic', machineIndex: ends.machine.index, nicIndex: ends.machine.nics.length }]);
  };

  const onDelete = ({ nodes: goneNodes, edges: goneEdges }: { nodes: TopologyNode[]; edges: NicEdge[] }) => {
    if (!doc.ok) return;
    const refs = [...goneNodes, ...goneEdges].map((e) => refOf(graph, e.id)).filter((r): r is Selection => r !== undefined);
    edit(
      doc.deleteElements({
        machines: refs.flatMap((r) => (r.kind === 'machine' ? [r.index] : [])),
        networks: refs.flatMap((r) => (r.kind === 'network' ? [r.index] : [])),
        nics: refs.flatMap((r): [number, number][] => (r.kind === 'nic' ? [[r.machineIndex, r.nicIndex]] : [])),
      }),
      () => true,
    );
    setSelection([]);
  };

  const addFromPalette = (item: PaletteItem, position?: XYPosition) => {
    if (!doc.ok) return;
    if (item.kind === 'machine') {
      const next = doc.addMachine({ template: item.template, position });
      edit(next, () => true);
      setSelection([{ kind: 'machine', index: next.graph().machines.length - 1 }]);
    } else {
      const next = doc.addNetwork({ cidr: item.cidr || undefined, position });
      edit(next, () => true);
      setSelection([{ kind: 'network', index: next.graph().networks.length - 1 }]);
    }
  };

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    const raw = event.dataTransfer.getData(PALETTE_MIME);
    if (!raw) return;
    const position = flow.screenToFlowPosition({ x: event.clientX, y: event.clientY });
    addFromPalette(JSON.parse(raw) as PaletteItem, { x: Math.round(position.x), y: Math.round(position.y) });
  };

  const apply = async () => {
    if (!doc.ok) {
      setMessage({ kind: 'error', text: 'Fix the YAML errors first.' });
      return;
    }
    const name = graph.name;
    const target = roomId ?? name;
    if (!target) {
      setMessage({ kind: 'error', text: 'Give the room a name first.' });
      return;
    }
    setApplying(true);
    setMessage(null);
    try {
      const task = (await api.put('/api/v1/rooms/{room}', {
        path: { room: target },
        raw: { text: doc.text, contentType: 'application/yaml' },
      })) as TaskInfo;
      setServerErrors({});
      navigate(`/rooms/${encodeURIComponent(roomId ?? name)}`, { state: { task } });
    } catch (e) {
      if (e instanceof ApiError && e.status === 400) {
        setServerErrors(e.fieldErrors);
        setMessage({ kind: 'error', text: `${e.problem?.title ?? 'The room is not valid.'} The problems are marked on the elements.` });
        setTab('canvas');
      } else {
        setMessage({ kind: 'error', text: errorText(e) });
      }
    } finally {
      setApplying(false);
    }
  };

  const primary = selection.length === 1 ? selection[0] : undefined;

  return (
    <main className="designer">
      <h1 className="sr-only">Designer: {roomId ? roomName : 'new room'}</h1>
      <div className="designer-toolbar">
        <label>
          Room name{' '}
          <input
            value={graph.name}
            disabled={!doc.ok}
            onChange={(e) => edit(doc.setMetadata({ name: e.target.value }), (p) => p.startsWith('metadata.name'))}
            aria-describedby="room-name-help"
          />
        </label>
        <span id="room-name-help" className="muted small">
          {roomId ? `editing ${roomName}` : 'new room'}
        </span>
        <div role="tablist" aria-label="View" className="tabs">
          <button role="tab" type="button" aria-selected={tab === 'canvas'} onClick={() => setTab('canvas')}>
            Canvas
          </button>
          <button role="tab" type="button" aria-selected={tab === 'yaml'} onClick={() => setTab('yaml')}>
            YAML
          </button>
        </div>
        <button type="button" onClick={undo} disabled={history.length === 0}>
          Undo
        </button>
        <button type="button" className="primary" onClick={() => void apply()} disabled={applying || !doc.ok}>
          {applying ? 'Applying…' : roomId ? 'Apply changes' : 'Create room'}
        </button>
        {roomId && <Link to={`/rooms/${encodeURIComponent(roomId)}`}>Back to the room</Link>}
      </div>
      {message && (
        <div role={message.kind === 'error' ? 'alert' : 'status'} className={message.kind === 'error' ? 'error-box' : 'info-box'}>
          {message.text}
        </div>
      )}
      <RoomErrors errors={errors} />
      {tab === 'canvas' ? (
        <div className="designer-body">
          <Palette templates={templates} onAdd={addFromPalette} disabled={!doc.ok} />
          <div className="canvas" onDragOver={(e) => e.preventDefault()} onDrop={onDrop} aria-label="Topology canvas">
            {!doc.ok && (
              <div className="canvas-overlay" role="alert">
                The YAML has errors; the canvas shows the last valid version. Fix them in the YAML view.
              </div>
            )}
            <ReactFlow
              nodes={nodes}
              edges={edges}
              nodeTypes={nodeTypes}
              edgeTypes={edgeTypes}
              onNodesChange={onNodesChange}
              onEdgesChange={onEdgesChange}
              onNodeDragStop={onNodeDragStop}
              onConnect={onConnect}
              isValidConnection={isValidConnection}
              onDelete={onDelete}
              connectionMode={ConnectionMode.Loose}
              deleteKeyCode={['Delete', 'Backspace']}
              nodesDraggable={doc.ok}
              nodesConnectable={doc.ok}
              fitView
              fitViewOptions={{ padding: 0.2, maxZoom: 1.2 }}
              minZoom={0.1}
            >
              <Background gap={20} />
              <Controls />
            </ReactFlow>
          </div>
          <SidePanel
            doc={current}
            selection={primary}
            count={selection.length}
            errors={errors}
            templates={templates}
            editable={doc.ok}
            onEdit={edit}
            onSelect={(s) => setSelection(s ? [s] : [])}
          />
        </div>
      ) : (
        <YamlView text={doc.text} issues={doc.issues} onChange={editText} />
      )}
    </main>
  );
}

function useTemplates(): TemplateInfo[] {
  const [templates, setTemplates] = useState<TemplateInfo[]>([]);
  useEffect(() => {
    api.get('/api/v1/templates').then(setTemplates, () => setTemplates([]));
  }, []);
  return templates;
}

function RoomErrors({ errors }: { errors: MappedErrors }) {
  if (errors.room.length === 0) return null;
  return (
    <div role="alert" className="error-box">
      <strong>Room:</strong>
      <ul>
        {errors.room.map((e, i) => (
          <li key={i}>{e.path === 'document' ? e.message : `${e.path}: ${e.message}`}</li>
        ))}
      </ul>
    </div>
  );
}

type PaletteItem = { kind: 'machine'; template: string } | { kind: 'network'; cidr: string };

function Palette({ templates, onAdd, disabled }: { templates: TemplateInfo[]; onAdd: (item: PaletteItem) => void; disabled: boolean }) {
  const [cidr, setCidr] = useState('');
  const [custom, setCustom] = useState('');
  const drag = (item: PaletteItem) => (e: DragEvent) => {
    e.dataTransfer.setData(PALETTE_MIME, JSON.stringify(item));
    e.dataTransfer.effectAllowed = 'copy';
  };
  return (
    <aside className="palette" aria-label="Palette">
      <h2>Machines</h2>
      <p className="muted small">Drag onto the canvas, or press to add.</p>
      {templates.length === 0 && <p className="muted small">No templates on the Server yet.</p>}
      {templates.map((t) => (
        <button
          type="button"
          key={t.name}
          className="palette-item"
          draggable={!disabled}
          disabled={disabled}
          onDragStart={drag({ kind: 'machine', template: t.name })}
          onClick={() => onAdd({ kind: 'machine', template: t.name })}
          title={`${t.defaultCpus} CPU, ${formatBytes(num(t.defaultMemoryBytes))} by default`}
        >
          🖥 {t.name}
        </button>
      ))}
      <form
        className="palette-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (custom.trim()) onAdd({ kind: 'machine', template: custom.trim() });
        }}
      >
        <label>
          Other template <input value={custom} onChange={(e) => setCustom(e.target.value)} placeholder="name" />
        </label>
        <button type="submit" disabled={disabled || !custom.trim()}>
          Add machine
        </button>
      </form>
      <h2>Networks</h2>
      <button
        type="button"
        className="palette-item"
        draggable={!disabled}
        disabled={disabled}
        onDragStart={drag({ kind: 'network', cidr })}
        onClick={() => onAdd({ kind: 'network', cidr })}
      >
        ⎯ Network
      </button>
      <label className="small">
        CIDR (empty: next free /24){' '}
        <input value={cidr} onChange={(e) => setCidr(e.target.value)} placeholder="10.0.1.0/24" />
      </label>
      <p className="muted small">Connect a machine to a network by dragging from a machine's dot to a network.</p>
    </aside>
  );
}

interface SidePanelProps {
  doc: RoomDocument;
  selection?: Selection;
  count: number;
  errors: MappedErrors;
  templates: TemplateInfo[];
  editable: boolean;
  onEdit: (next: RoomDocument, clear?: (path: string) => boolean) => void;
  onSelect: (selection?: Selection) => void;
}

function FieldErrors({ errors, field }: { errors?: { field: string; message: string }[]; field: string }) {
  const mine = errors?.filter((e) => e.field === field || e.field.startsWith(`${field}.`)) ?? [];
  if (mine.length === 0) return null;
  return (
    <span className="field-error" role="alert">
      {mine.map((e) => e.message).join('; ')}
    </span>
  );
}

function SidePanel({ doc, selection, count, errors, templates, editable, onEdit, onSelect }: SidePanelProps) {
  const graph = doc.graph();
  if (count > 1) {
    return (
      <aside className="side-panel" aria-label="Properties">
        <p>{count} elements selected. Press Delete to remove them.</p>
      </aside>
    );
  }
  if (!selection) {
    return (
      <aside className="side-panel" aria-label="Properties">
        <h2>Room</h2>
        <label>
          Description
          <textarea
            value={graph.description ?? ''}
            disabled={!editable}
            rows={3}
            onChange={(e) => onEdit(doc.setMetadata({ description: e.target.value }))}
          />
        </label>
        <p className="muted small">
          {graph.machines.length} machines, {graph.networks.length} networks. Select an element to edit it.
        </p>
      </aside>
    );
  }

  if (selection.kind === 'network') {
    const network = graph.networks[selection.index];
    if (!network) return <aside className="side-panel" />;
    const mine = errors.byNode[network.id];
    const prefix = `networks[${network.index}].`;
    return (
      <aside className="side-panel" aria-label="Network properties">
        <h2>Network</h2>
        <label>
          Name
          <input
            value={network.name}
            disabled={!editable}
            onChange={(e) => onEdit(doc.updateNetwork(network.index, { name: e.target.value }), (p) => p === `${prefix}name`)}
          />
          <FieldErrors errors={mine} field="name" />
        </label>
        <label>
          CIDR
          <input
            value={network.cidr}
            disabled={!editable}
            onChange={(e) => onEdit(doc.updateNetwork(network.index, { cidr: e.target.value }), (p) => p === `${prefix}cidr`)}
          />
          <FieldErrors errors={mine} field="cidr" />
        </label>
        <label>
          MTU
          <input
            type="number"
            value={network.mtu ?? ''}
            placeholder="1450"
            disabled={!editable}
            onChange={(e) =>
              onEdit(doc.updateNetwork(network.index, { mtu: e.target.value === '' ? null : Number(e.target.value) }), (p) => p === `${prefix}mtu`)
            }
          />
          <FieldErrors errors={mine} field="mtu" />
        </label>
        <FieldErrors errors={mine} field="" />
        <button type="button" className="danger" disabled={!editable} onClick={() => (onEdit(doc.deleteNetwork(network.index), () => true), onSelect())}>
          Delete network
        </button>
      </aside>
    );
  }

  const machineIndex = selection.kind === 'machine' ? selection.index : selection.machineIndex;
  const machine = graph.machines[machineIndex];
  if (!machine) return <aside className="side-panel" />;
  const mine = errors.byNode[machine.id];
  const prefix = `machines[${machine.index}].`;
  const template = templates.find((t) => t.name === machine.template);
  const free = graph.networks.filter((n) => !machine.nics.some((nic) => nic.network === n.name));

  return (
    <aside className="side-panel" aria-label="Machine properties">
      <h2>Machine</h2>
      <label>
        Name
        <input
          value={machine.name}
          disabled={!editable}
          onChange={(e) => onEdit(doc.updateMachine(machine.index, { name: e.target.value }), (p) => p === `${prefix}name`)}
        />
        <FieldErrors errors={mine} field="name" />
      </label>
      <label>
        Template
        <select
          value={machine.template}
          disabled={!editable}
          onChange={(e) => onEdit(doc.updateMachine(machine.index, { template: e.target.value }), (p) => p === `${prefix}template`)}
        >
          {!template && <option value={machine.template}>{machine.template || '(none)'}</option>}
          {templates.map((t) => (
            <option key={t.name} value={t.name}>
              {t.name}
            </option>
          ))}
        </select>
        <FieldErrors errors={mine} field="template" />
      </label>
      <label>
        CPUs
        <input
          type="number"
          min={1}
          max={64}
          value={machine.cpus ?? ''}
          placeholder={template ? `${template.defaultCpus} (template)` : 'template default'}
          disabled={!editable}
          onChange={(e) =>
            onEdit(doc.updateMachine(machine.index, { cpus: e.target.value === '' ? null : Number(e.target.value) }), (p) => p === `${prefix}cpus`)
          }
        />
        <FieldErrors errors={mine} field="cpus" />
      </label>
      <label>
        Memory
        <input
          value={machine.memory ?? ''}
          placeholder={template ? `${formatBytes(num(template.defaultMemoryBytes))} (template)` : 'e.g. 256Mi'}
          disabled={!editable}
          onChange={(e) => onEdit(doc.updateMachine(machine.index, { memory: e.target.value || null }), (p) => p === `${prefix}memory`)}
        />
        <FieldErrors errors={mine} field="memory" />
      </label>
      <label>
        Node
        <input
          value={machine.node ?? ''}
          placeholder="any (the scheduler chooses)"
          disabled={!editable}
          onChange={(e) => onEdit(doc.updateMachine(machine.index, { node: e.target.value || null }), (p) => p === `${prefix}node`)}
        />
        <FieldErrors errors={mine} field="node" />
      </label>
      {machine.nodeLabels && (
        <p className="small muted">
          Node labels: {Object.entries(machine.nodeLabels).map(([k, v]) => `${k}=${v}`).join(', ')} (edit in YAML)
        </p>
      )}
      <FieldErrors errors={mine} field="" />
      <fieldset>
        <legend>Network interfaces</legend>
        {machine.nics.length === 0 && <p className="muted small">None.</p>}
        {machine.nics.map((nic) => {
          const suggestion = doc.suggestIp(nic.network);
          const active = selection.kind === 'nic' && selection.nicIndex === nic.index;
          const nicPath = `${prefix}nics[${nic.index}]`;
          return (
            <div key={nic.index} className={`nic-row${active ? ' active' : ''}`}>
              <span className="nic-name">
                eth{nic.index} → {nic.network || <em>?</em>}
                {!graph.networks.some((n) => n.name === nic.network) && <span className="field-error"> (unknown network)</span>}
              </span>
              <label>
                IP of eth{nic.index}
                <input
                  value={nic.ip ?? ''}
                  placeholder={suggestion ?? 'none'}
                  disabled={!editable}
                  onFocus={() => onSelect({ kind: 'nic', machineIndex: machine.index, nicIndex: nic.index })}
                  onChange={(e) => onEdit(doc.updateNic(machine.index, nic.index, { ip: e.target.value || null }), (p) => p.startsWith(`${nicPath}.ip`))}
                />
              </label>
              {!nic.ip && suggestion && (
                <button type="button" disabled={!editable} onClick={() => onEdit(doc.updateNic(machine.index, nic.index, { ip: suggestion }))}>
                  Use {suggestion}
                </button>
              )}
              <button
                type="button"
                className="danger"
                aria-label={`Remove eth${nic.index}`}
                disabled={!editable}
                onClick={() => (onEdit(doc.deleteNic(machine.index, nic.index), () => true), onSelect({ kind: 'machine', index: machine.index }))}
              >
                ✕
              </button>
              <FieldErrors errors={mine} field={`nics[${nic.index}]`} />
            </div>
          );
        })}
        {free.length > 0 && (
          <label>
            Connect to{' '}
            <select
              value=""
              disabled={!editable}
              onChange={(e) => e.target.value && onEdit(doc.connect(machine.index, e.target.value))}
            >
              <option value="">choose a network…</option>
              {free.map((n) => (
                <option key={n.name} value={n.name}>
                  {n.name} ({n.cidr})
                </option>
              ))}
            </select>
          </label>
        )}
      </fieldset>
      <button type="button" className="danger" disabled={!editable} onClick={() => (onEdit(doc.deleteMachine(machine.index), () => true), onSelect())}>
        Delete machine
      </button>
      {mine && mine.length > 0 && (
        <details open>
          <summary>All problems of this machine</summary>
          <ul>
            {mine.map((e, i) => (
              <li key={i}>{describeError(e)}</li>
            ))}
          </ul>
        </details>
      )}
    </aside>
  );
}

function YamlView({ text, issues, onChange }: { text: string; issues: readonly { message: string; line?: number }[]; onChange: (text: string) => void }) {
  return (
    <div className="yaml-view">
      <label htmlFor="yaml-editor" className="sr-only">
        room.yaml
      </label>
      <textarea id="yaml-editor" spellCheck={false} value={text} onChange={(e) => onChange(e.target.value)} aria-invalid={issues.length > 0} />
      {issues.length > 0 ? (
        <ul role="alert" className="error-box">
          {issues.map((issue, i) => (
            <li key={i}>{issue.message.split('\n')[0]}</li>
          ))}
        </ul>
      ) : (
        <p className="muted small">Valid YAML. Changes here show on the canvas, and canvas changes show here.</p>
      )}
    </div>
  );
}
