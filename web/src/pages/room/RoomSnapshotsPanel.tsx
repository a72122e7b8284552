// A room's snapshots (issue 18, ADR 0051): one name taken on every machine, one after another, all or none; revert and
// delete by that name for the whole room. Shown per name with how many machines hold it and what it counts in the quota.

import { useCallback, useEffect, useState } from 'react';
import { api } from '../../api/api';
import { num } from '../../api/client';
import { ErrorBox, formatBytes } from '../../components/common';
import type { Snapshot } from './SnapshotsPanel';

const SNAPSHOTS = '/api/v1/rooms/{room}/snapshots';

type RoomSnapshot = { name: string; machines: string[]; withRam: boolean; sizeBytes: number; createdAt: string; createdBy: string };

/** The machines' snapshots grouped by name, oldest first: a room snapshot is the same name on each machine. */
export function byName(snapshots: Snapshot[]): RoomSnapshot[] {
  const groups = new Map<string, RoomSnapshot>();
  for (const s of snapshots) {
    const group = groups.get(s.name);
    if (group) {
      group.machines.push(s.machine);
      group.withRam &&= s.withRam;
      group.sizeBytes += num(s.sizeBytes);
      if (s.createdAt < group.createdAt) group.createdAt = s.createdAt;
    } else {
      groups.set(s.name, { name: s.name, machines: [s.machine], withRam: s.withRam, sizeBytes: num(s.sizeBytes), createdAt: s.createdAt, createdBy: s.createdBy });
    }
  }
  return [...groups.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

export function RoomSnapshotsPanel({ roomId, machineCount }: { roomId: string; machineCount: number }) {
  const [snapshots, setSnapshots] = useState<RoomSnapshot[] | null>(null);
  const [name, setName] = useState('');
  const [ram, setRam] = useState(true);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>();

  const load = useCallback(
    (signal?: AbortSignal) =>
      api.get(SNAPSHOTS, { path: { room: roomId }, signal }).then(
        (all: Snapshot[]) => setSnapshots(byName(all)),
        (e: unknown) => {
          if (!signal?.aborted) setError(e);
        },
      ),
    [roomId],
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
      await api.post(SNAPSHOTS, { path: { room: roomId }, body: { name: name.trim(), ram } });
      setName('');
    });
  const revert = (s: RoomSnapshot) => {
    if (!window.confirm(`Revert every machine of this room (${s.machines.join(', ')}) to snapshot ${s.name}? What changed since is lost.`)) return;
    void run(s.name, () => api.post(`${SNAPSHOTS}/{name}/revert`, { path: { room: roomId, name: s.name } }));
  };
  const remove = (s: RoomSnapshot) => {
    if (!window.confirm(`Delete snapshot ${s.name} of every machine of this room?`)) return;
    void run(s.name, () => api.delete(`${SNAPSHOTS}/{name}`, { path: { room: roomId, name: s.name } }));
  };

  return (
    <section className="room-snapshots" aria-label="Room snapshots">
      <h2>Room snapshots</h2>
      <p className="muted small">
        One name on every machine, taken one machine after another (seconds apart, not one instant); a machine with snapshots
        stays on its node until they are deleted.
      </p>
      {snapshots && snapshots.length === 0 && <p className="muted">No snapshots yet.</p>}
      {snapshots && snapshots.length > 0 && (
        <ul aria-label="Snapshots of the room">
          {snapshots.map((s) => (
            <li key={s.name}>
              <strong>{s.name}</strong> {s.withRam ? 'with RAM' : 'disk only'} · {s.machines.length} of {machineCount} machines ·{' '}
              {formatBytes(s.sizeBytes)} · {new Date(s.createdAt).toLocaleString()} by {s.createdBy}{' '}
              <button type="button" disabled={busy !== null} onClick={() => revert(s)}>
                {busy === s.name ? 'Working…' : 'Revert room'}
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
          {busy === 'take' ? 'Taking…' : 'Snapshot every machine'}
        </button>
      </form>
      <ErrorBox error={error} />
    </section>
  );
}
