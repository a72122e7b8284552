// A machine's snapshots (issue 18, ADR 0051): take one (disk only, or with RAM so that running processes come back),
// go back to one, delete one. The Server answers when the node is done (seconds); its refusals (a bad name, the limit,
// the quota, a machine checked out or migrating) are shown in its own words.

import { useCallback, useEffect, useState } from 'react';
import { api } from '../../api/api';
import { num } from '../../api/client';
import type { components } from '../../api/schema';
import { ErrorBox, formatBytes } from '../../components/common';

export type Snapshot = components['schemas']['SnapshotInfo'];

const SNAPSHOTS = '/api/v1/rooms/{room}/machines/{machine}/snapshots';

export function SnapshotsPanel({ roomId, machineName }: { roomId: string; machineName: string }) {
  const path = { room: roomId, machine: machineName };
  const [snapshots, setSnapshots] = useState<Snapshot[] | null>(null);
  const [name, setName] = useState('');
  const [ram, setRam] = useState(true);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>();

  const load = useCallback(
    (signal?: AbortSignal) =>
      api.get(SNAPSHOTS, { path: { room: roomId, machine: machineName }, signal }).then(setSnapshots, (e: unknown) => {
        if (!signal?.aborted) setError(e);
      }),
    [roomId, machineName],
  );

  useEffect(() => {
    const abort = new AbortController();
    void load(abort.signal);
    return () => abort.abort();
  }, [load]);

  const run = async (what: string, action: () => Promise<unknown>) => {
    setBusy(what);
    setError(undefined);
    try {
      await action();
      await load();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  };

  const take = () =>
    run('take', async () => {
      await api.post(SNAPSHOTS, { path, body: { name: name.trim(), ram } });
      setName('');
    });
  const revert = (s: Snapshot) => {
    const how = s.withRam ? 'its memory and disk' : 'its disk (a running machine boots again)';
    if (!window.confirm(`Revert ${machineName} to snapshot ${s.name}, ${how}? What changed since is lost.`)) return;
    void run(s.name, () => api.post(`${SNAPSHOTS}/{name}/revert`, { path: { ...path, name: s.name } }));
  };
  const remove = (s: Snapshot) => {
    if (!window.confirm(`Delete snapshot ${s.name} of ${machineName}?`)) return;
    void run(s.name, () => api.delete(`${SNAPSHOTS}/{name}`, { path: { ...path, name: s.name } }));
  };

  return (
    <div className="snapshots">
      <h3>Snapshots</h3>
      {snapshots && snapshots.length === 0 && <p className="muted">No snapshots yet.</p>}
      {snapshots && snapshots.length > 0 && (
        <ul aria-label={`Snapshots of ${machineName}`}>
          {snapshots.map((s) => (
            <li key={s.name}>
              <strong>{s.name}</strong> {s.withRam ? 'with RAM' : 'disk only'} · {formatBytes(num(s.sizeBytes))} · {new Date(s.createdAt).toLocaleString()} by{' '}
              {s.createdBy}{' '}
              <button type="button" disabled={busy !== null} onClick={() => revert(s)}>
                {busy === s.name ? 'Working…' : 'Revert'}
              </button>{' '}
              <button type="button" disabled={busy !== null} onClick={() => remove(s)}>
                Delete
              </button>
            </li>
          ))}
        </ul>
      )}
      <form
        className="actions"
        onSubmit={(e) => {
          e.preventDefault();
          void take();
        }}
      >
        <label>
          Name <input value={name} onChange={(e) => setName(e.target.value)} placeholder="before-lab" maxLength={32} />
        </label>
        <label>
          <input type="checkbox" checked={ram} onChange={(e) => setRam(e.target.checked)} /> with RAM
        </label>
        <button type="submit" disabled={busy !== null || name.trim() === ''}>
          {busy === 'take' ? 'Taking…' : 'Take snapshot'}
        </button>
      </form>
      <ErrorBox error={error} />
    </div>
  );
}
