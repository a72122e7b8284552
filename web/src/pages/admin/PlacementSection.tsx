// Admin: placement (issue 14, Deliver 4; ADR 0030, 0035) — the nodes' live load as their agents report it with each
// heartbeat, the placement controller's recent decisions (acted, suggested, held back, and why), and a button that runs
// one evaluation now. The decision log is stored by the Server (ADR 0030, 2026-12-07): it outlives a restart.

import { useState } from 'react';
import { Link } from 'react-router';
import { api } from '../../api/api';
import { num } from '../../api/client';
import { evaluateNow, listDecisions, type NodeLoadSample, type PlacementDecision } from '../../api/placement';
import { ErrorBox, formatBytes, Loading } from '../../components/common';
import { useAsync } from '../../hooks/useAsync';

/** How many decisions the page shows (the Server keeps more; the newest come first). */
const DECISIONS_SHOWN = 50;

const percent = (v: number | string | null | undefined, scale: number) => (v == null ? '—' : `${Math.round(num(v) * scale)}%`);

/** "1.2 GiB free of 4 GiB", or a dash when the agent sent no memory figure. */
function memoryText(load: NodeLoadSample): string {
  if (load.memoryAvailableBytes == null || load.memoryTotalBytes == null) return '—';
  return `${formatBytes(num(load.memoryAvailableBytes))} free of ${formatBytes(num(load.memoryTotalBytes))}`;
}

/** PSI "some avg10" of CPU, memory and I/O; a kernel without PSI has none. */
function pressureText(load: NodeLoadSample): string {
  const parts = [
    ['CPU', load.cpuPressure],
    ['memory', load.memoryPressure],
    ['I/O', load.ioPressure],
  ].filter(([, v]) => v != null);
  return parts.length === 0 ? 'not reported' : parts.map(([name, v]) => `${name} ${num(v).toFixed(1)}%`).join(', ');
}

export function PlacementSection() {
  const nodes = useAsync((signal) => api.get('/api/v1/nodes', { signal }), [], 5000);
  const decisions = useAsync((signal) => listDecisions(DECISIONS_SHOWN, signal), [], 10000);
  const [evaluated, setEvaluated] = useState<PlacementDecision[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  const evaluate = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setEvaluated(await evaluateNow());
      decisions.reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <section aria-labelledby="load-heading">
        <h2 id="load-heading">Nodes' load</h2>
        <p className="muted small">As each node's agent last reported it with its heartbeat; a node that sends no sample shows dashes.</p>
        <ErrorBox error={nodes.error} />
        {!nodes.data ? (
          <Loading what="nodes" />
        ) : (
          <table className="table">
            <caption className="sr-only">Nodes' load</caption>
            <thead>
              <tr>
                <th scope="col">Node</th>
                <th scope="col">CPU</th>
                <th scope="col">Run queue</th>
                <th scope="col">Memory</th>
                <th scope="col">Pressure (some, 10 s)</th>
                <th scope="col">Reported</th>
              </tr>
            </thead>
            <tbody>
              {nodes.data.map((n) => {
                const load = n.load ?? {};
                return (
                  <tr key={n.name}>
                    <th scope="row">{n.name}</th>
                    <td>{percent(load.cpuUtilization, 100)}</td>
                    <td>{load.runQueue == null ? '—' : `${num(load.runQueue)}${load.loadAverage1 == null ? '' : ` (load ${num(load.loadAverage1).toFixed(2)})`}`}</td>
                    <td>{memoryText(load)}</td>
                    <td>{pressureText(load)}</td>
                    <td>{load.at ? new Date(load.at).toLocaleTimeString() : '—'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </section>

      <section aria-labelledby="decisions-heading">
        <h2 id="decisions-heading">Controller's decisions</h2>
        <div className="actions">
          <button type="button" disabled={busy} onClick={() => void evaluate()}>
            {busy ? 'Evaluating…' : 'Evaluate now'}
          </button>
          <span role="status" aria-live="polite" className="muted small">
            {evaluated && `Evaluated: ${evaluated.length === 0 ? 'nothing to decide' : `${evaluated.length} decision${evaluated.length === 1 ? '' : 's'}`}.`}
          </span>
        </div>
        <ErrorBox error={error ?? decisions.error} />
        {!decisions.data ? (
          <Loading what="decisions" />
        ) : decisions.data.length === 0 ? (
          <p className="muted">No decisions yet.</p>
        ) : (
          <DecisionTable decisions={decisions.data} />
        )}
      </section>
    </>
  );
}

function DecisionTable({ decisions }: { decisions: PlacementDecision[] }) {
  return (
    <table className="table">
      <caption className="sr-only">Controller's decisions, newest first</caption>
      <thead>
        <tr>
          <th scope="col">Time</th>
          <th scope="col">Machine</th>
          <th scope="col">From → to</th>
          <th scope="col">Action</th>
          <th scope="col">Reason</th>
        </tr>
      </thead>
      <tbody>
        {decisions.map((d) => (
          <tr key={`${d.at}|${d.machineId}|${d.to}`}>
            <td>{new Date(d.at).toLocaleString()}</td>
            <td>{d.machine}</td>
            <td>
              {d.from} → {d.to} <span className="muted small">({d.kind})</span>
            </td>
            <td>
              {d.outcome}
              {d.code !== d.outcome && <span className="muted small"> ({d.code})</span>}
              {d.migrationId && (
                <>
                  {' '}
                  <Link to={`/migrations/${encodeURIComponent(d.migrationId)}`}>move</Link>
                </>
              )}
            </td>
            <td>{d.reason}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
