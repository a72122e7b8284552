// Quick start: pick a common room, name it, and create it at once or refine it in the designer.
import { Background, ReactFlow, ReactFlowProvider } from '@xyflow/react';
import { useEffect, useMemo, useState } from 'react';
import { useNavigate } from 'react-router';
import { api } from '../api/api';
import type { TaskInfo, TemplateInfo } from '../api/types';
import { ErrorBox } from '../components/common';
import { WIZARDS, wizardRoom, type WizardKind } from '../model/wizards';
import { edgeTypes, nodeTypes, toFlow } from '../topology/flow';

const NAME = /^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$/;

export function WizardPage() {
  const navigate = useNavigate();
  const [kind, setKind] = useState<WizardKind>('client-server');
  const [name, setName] = useState('my-lab');
  const [templates, setTemplates] = useState<TemplateInfo[]>([]);
  const [template, setTemplate] = useState('tiny');
  const [memory, setMemory] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api.get('/api/v1/templates').then((list) => {
      setTemplates(list);
      if (list.length > 0 && !list.some((t) => t.name === 'tiny')) setTemplate(list[0].name);
    }, setError);
  }, []);

  const doc = useMemo(() => wizardRoom(kind, { name, template, memory: memory || undefined }), [kind, name, template, memory]);
  const flow = useMemo(() => toFlow(doc.graph()), [doc]);
  const nameOk = NAME.test(name);

  const create = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const task = (await api.put('/api/v1/rooms/{room}', {
        path: { room: name },
        raw: { text: doc.text, contentType: 'application/yaml' },
      })) as TaskInfo;
      navigate(`/rooms/${encodeURIComponent(name)}`, { state: { task } });
    } catch (e) {
      setError(e); // a 400 lists its field errors; "Open in the designer" shows them on the elements
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="page wizard">
      <h1>Quick start</h1>
      <fieldset className="wizard-kinds">
        <legend>What do you need?</legend>
        {WIZARDS.map((w) => (
          <label key={w.kind} className={`wizard-card${kind === w.kind ? ' chosen' : ''}`}>
            <input type="radio" name="kind" value={w.kind} checked={kind === w.kind} onChange={() => setKind(w.kind)} />
            <strong>{w.title}</strong>
            <span className="muted small">{w.summary}</span>
          </label>
        ))}
      </fieldset>
      <div className="form-row">
        <label>
          Room name
          <input value={name} onChange={(e) => setName(e.target.value)} aria-invalid={!nameOk} aria-describedby="name-help" />
        </label>
        <span id="name-help" className={nameOk ? 'muted small' : 'field-error'}>
          lowercase letters, digits and hyphens
        </span>
        <label>
          Operating system (template)
          <select value={template} onChange={(e) => setTemplate(e.target.value)}>
            {!templates.some((t) => t.name === template) && <option value={template}>{template}</option>}
            {templates.map((t) => (
              <option key={t.name} value={t.name}>
                {t.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Memory per machine
          <input value={memory} onChange={(e) => setMemory(e.target.value)} placeholder="template default" />
        </label>
      </div>
      <div className="wizard-preview" aria-label="Preview">
        <ReactFlowProvider>
          <ReactFlow
            nodes={flow.nodes}
            edges={flow.edges}
            nodeTypes={nodeTypes}
            edgeTypes={edgeTypes}
            nodesDraggable={false}
            nodesConnectable={false}
            elementsSelectable={false}
            fitView
            fitViewOptions={{ padding: 0.15 }}
          >
            <Background gap={20} />
          </ReactFlow>
        </ReactFlowProvider>
      </div>
      <details>
        <summary>room.yaml</summary>
        <pre>{doc.text}</pre>
      </details>
      <ErrorBox error={error} />
      <div className="actions">
        <button type="button" className="primary" disabled={!nameOk || busy} onClick={() => void create()}>
          {busy ? 'Creating…' : 'Create and start'}
        </button>
        <button type="button" disabled={!nameOk} onClick={() => navigate('/rooms/new', { state: { yaml: doc.text } })}>
          Open in the designer
        </button>
      </div>
    </main>
  );
}
