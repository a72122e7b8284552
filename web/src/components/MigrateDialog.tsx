// Moves a running machine to another node, live (issue 6): target node, optional bandwidth cap and downtime limit,
// then the migration's phase and progress until it ends.

import { useEffect, useRef, useState, type FormEvent } from 'react';
import { createPortal } from 'react-dom';
import { Link } from 'react-router';
import { api } from '../api/api';
import { ApiError, num } from '../api/client';
import { getMigration, isFinal, startMigration, type Migration } from '../api/migrations';
import type { MachineStatus } from '../api/types';
import { useAsync } from '../hooks/useAsync';
import { ErrorBox, formatBytes } from './common';
import { MigrationMetricsTable } from './MigrationMetricsTable';
import { MigrationProgressView } from './MigrationProgressView';

export interface MigrateDialogProps {
  machine: MachineStatus;
  onClose: () => void;
  /** How often the migration is read while it runs. */
  pollMs?: number;
}

export function MigrateDialog({ machine, onClose, pollMs = 1000 }: MigrateDialogProps) {
  const nodes = useAsync((signal) => api.get('/api/v1/nodes', { signal }), []);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [migration, setMigration] = useState<Migration | null>(null);
  const first = useRef<HTMLSelectElement>(null);
  // A student's or teacher's view of the nodes (allocation 'yours') has no free figure, and of the client nodes they may
  // use only their own (issue 12: the Server shows them an owner on their own nodes only); an unowned client node takes
  // machines only from an admin (issue 11). The others are left out rather than offered to fail.
  const reduced = (nodes.data ?? []).some((n) => n.allocation === 'yours');
  const targets = (nodes.data ?? []).filter((n) => n.name !== machine.node && !(reduced && n.kind === 'client' && !n.owner));
  const host = useModalHost();

  useEffect(() => first.current?.focus(), [nodes.data]);
  useEffect(() => {
    const close = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', close);
    return () => window.removeEventListener('keydown', close);
  }, [onClose]);

  // Follow the migration until it ends.
  useEffect(() => {
    if (!migration || isFinal(migration)) return;
    const controller = new AbortController();
    const timer = window.setTimeout(() => {
      getMigration(migration.id, controller.signal).then(setMigration, (e: unknown) => !controller.signal.aborted && setError(e));
    }, pollMs);
    return () => {
      controller.abort();
      window.clearTimeout(timer);
    };
  }, [migration, pollMs]);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? '').trim();
    setBusy(true);
    setError(undefined);
    try {
      setMigration(
        await startMigration({
          machine: machine.id,
          to: text('to'),
          mode: 'live',
          ...(text('maxBandwidth') && { maxBandwidth: text('maxBandwidth') }),
          ...(text('downtimeLimit') && { downtimeLimit: text('downtimeLimit') }),
        }),
      );
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const fieldError = (field: string) => (error instanceof ApiError ? error.fieldErrors[field]?.join(' ') : undefined);

  return createPortal(
    <div className="dialog-backdrop">
      <div role="dialog" aria-modal="true" aria-labelledby="migrate-title" className="dialog">
        <h2 id="migrate-title">Migrate {machine.name}</h2>
        {!migration ? (
          <form onSubmit={(e) => void submit(e)}>
            <p className="muted small">
              Live: the machine keeps running while its disk and memory are copied to the target node; it pauses only for the final switch-over.
            </p>
            <label htmlFor="migrate-to">Target node</label>
            <select id="migrate-to" name="to" ref={first} required disabled={!nodes.data} aria-describedby="migrate-to-error">
              {targets.map((n) => (
                <option key={n.name} value={n.name} disabled={n.state !== 'ready' || n.drained}>
                  {n.name} ({n.state !== 'ready' ? n.state : n.drained ? 'drained' : reduced ? 'ready' : `${formatBytes(num(n.memoryBytes) - num(n.memoryBytesAllocated))} free`})
                </option>
              ))}
            </select>
            <FieldError id="migrate-to-error" text={nodes.data && targets.length === 0 ? 'There is no other node.' : fieldError('to')} />
            <label htmlFor="migrate-bandwidth">Max bandwidth (optional)</label>
            <input id="migrate-bandwidth" name="maxBandwidth" placeholder="50Mbit" aria-describedby="migrate-bandwidth-help migrate-bandwidth-error" />
            <span id="migrate-bandwidth-help" className="muted small">
              e.g. 50Mbit or 1Gbit; empty: what the Server's policy picks for the link.
            </span>
            <FieldError id="migrate-bandwidth-error" text={fieldError('maxBandwidth')} />
            <label htmlFor="migrate-downtime">Downtime limit (optional)</label>
            <input id="migrate-downtime" name="downtimeLimit" placeholder="300ms" aria-describedby="migrate-downtime-error" />
            <FieldError id="migrate-downtime-error" text={fieldError('downtimeLimit')} />
            <ErrorBox error={error} />
            <div className="actions">
              <button type="submit" className="primary" disabled={busy || targets.length === 0}>
                Start migration
              </button>
              <button type="button" onClick={onClose}>
                Cancel
              </button>
            </div>
          </form>
        ) : (
          <MigrationStatus migration={migration} error={error} onClose={onClose} />
        )}
      </div>
    </div>,
    host,
  );
}

/**
 * A container at the end of <body> for a modal: while it is open everything else is inert (no focus, no clicks,
 * hidden from screen readers), so Tab stays in the dialog; on close, focus goes back where it was.
 */
function useModalHost(): HTMLElement {
  const [host] = useState(() => document.createElement('div'));
  useEffect(() => {
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    document.body.appendChild(host);
    const others = [...document.body.children].filter((e) => e !== host && !e.hasAttribute('inert'));
    others.forEach((e) => e.setAttribute('inert', ''));
    return () => {
      others.forEach((e) => e.removeAttribute('inert'));
      host.remove();
      previous?.focus();
    };
  }, [host]);
  return host;
}

function FieldError({ id, text }: { id: string; text?: string }) {
  return (
    <span id={id} className="field-error">
      {text}
    </span>
  );
}

function MigrationStatus({ migration, error, onClose }: { migration: Migration; error: unknown; onClose: () => void }) {
  return (
    <div aria-live="polite">
      <MigrationProgressView migration={migration} />
      <ErrorBox error={error} />
      {isFinal(migration) && <MigrationMetricsTable migration={migration} level={3} />}
      <div className="actions">
        <Link to={`/migrations/${encodeURIComponent(migration.id)}`}>Details</Link>
        <button type="button" onClick={onClose}>
          {isFinal(migration) ? 'Close' : 'Hide (it goes on)'}
        </button>
      </div>
    </div>
  );
}
