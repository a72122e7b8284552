// Snapshots (issue 18, ADR 0051) of a machine, or of a whole room (one name on every machine, taken one machine after
// another, all or none): take one (disk only, or with RAM so that running processes come back), go back to one, delete
// one. The Server answers when the node is done (seconds); its refusals (a bad name, the limit, the quota, a machine
// checked out or migrating) are shown in its own words.

import { useCallback, useEffect, useMemo, useState } from 'react';
import { api } from '../../api/api';
import { num } from '../../api/client';
import type { components } from '../../api/schema';
import { ErrorBox, formatBytes } from '../../components/common';

export type Snapshot = components['schemas']['SnapshotInfo'];

/** A row of the list: one machine's snapshot, or a room snapshot (the same name on several machines). */
type Row = { name: string; machines: string[]; withRam: boolean; sizeBytes: number; createdAt: string; createdBy: string };

const MACHINE = '/api/v1/rooms/{room}/machines/{machine}/snapshots';
const ROOM = '/api/v1/rooms/{room}/snapshots';

/** The machines' snapshots grouped by name, oldest first: a room snapshot is the same name on each machine. */
export function byName(snapshots: Snapshot[]): Row[] {
  const groups = new Map<string, Row>();
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

/** What a panel does, for its scope: a machine's routes or the room's (typed per route, the same shape). */
type Calls = {
  list: (signal?: AbortSignal) => Promise<Snapshot[]>;
  take: (name: string, ram: boolean) => Promise<unknown>;
  revert: (name: string) => Promise<unknown>;
  remove: (name: string) => Promise<unknown>;
};

/** A machine's snapshots, in its panel of the room view. */
export function SnapshotsPanel({ roomId, machineName }: { roomId: string; machineName: string }) {
  const calls = useMemo<Calls>(() => {
    const path = { room: roomId, machine: machineName };
    return {
      list: (signal) => api.get(MACHINE, { path, signal }),
      take: (name, ram) => api.post(MACHINE, { path, body: { name, ram } }),
      revert: (name) => api.post(`${MACHINE}/{name}/revert`, { path: { ...path, name } }),
      remove: (name) => api.delete(`${MACHINE}/{name}`, { path: { ...path, name } }),
    };
  }, [roomId, machineName]);
  return <SnapshotList calls={calls} machineName={machineName} />;
}

/** A room's snapshots: one name on every machine (for "2 of 3 machines", the room's count of machines). */
export function RoomSnapshotsPanel({ roomId, machineCount }: { roomId: string; machineCount: number }) {
  const calls = useMemo<Calls>(() => {
    const path = { room: roomId };
    return {
      list: (signal) => api.get(ROOM, { path, signal }),
      take: (name, ram) => api.post(ROOM, { path, body: { name, ram } }),
      revert: (name) => api.post(`${ROOM}/{name}/revert`, { path: { ...path, name } }),
      remove: (name) => api.delete(`${ROOM}/{name}`, { path: { ...path, name } }),
    };
  }, [roomId]);
  return <SnapshotList calls={calls} machineCount={machineCount} />;
}

/** The list and the form, for a machine (with <c>machineName</c>) or a room (with <c>machineCount</c>). */
function SnapshotList({ calls, machineName, machineCount = 0 }: { calls: Calls; machineName?: string; machineCount?: number }) {
  const [rows, setRows] = useState<Row[] | null>(null);
  const [name, setName] = useState('');
  const [ram, setRam] = useState(true);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>();
  const room = machineName === undefined;
  const what = room ? 'every machine of this room' : machineName;

  const load = useCallback(
    (signal?: AbortSignal) =>
      calls.list(signal).then(
        (all) => setRows(byName(all)),
        (e: unknown) => {
          if (!signal?.aborted) setError(e);
        },
      ),
    [calls],
  );

  useEffect(() => {
    const abort = new AbortController();
    void load(abort.signal);
    return () => abort.abort();
  }, [load]);

  const run = async (key: string, action: () => Promise<unknown>) => {
    setBusy(key);
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
      await calls.take(name.trim(), ram);
      setName('');
    });
  const revert = (s: Row) => {
    const how = room ? `(${s.machines.join(', ')})` : s.withRam ? 'its memory and disk' : 'its disk (a running machine boots again)';
    if (!window.confirm(`Revert ${what} to snapshot ${s.name}, ${how}? What changed since is lost.`)) return;
    void run(s.name, () => calls.revert(s.name));
  };
  const remove = (s: Row) => {
    if (!window.confirm(`Delete snapshot ${s.name} of ${what}?`)) return;
    void run(s.name, () => calls.remove(s.name));
  };

  const Heading = room ? 'h2' : 'h3';
  return (
    <section className={room ? 'room-snapshots' : 'snapshots'} aria-label={room ? 'Room snapshots' : undefined}>
      <Heading>{room ? 'Room snapshots' : 'Snapshots'}</Heading>
      {room && (
        <p className="muted small">
          One name on every machine, taken one machine after another (seconds apart, not one instant); a machine with
          snapshots stays on its node until they are deleted.
        </p>
      )}
      {rows && rows.length === 0 && <p className="muted">No snapshots yet.</p>}
      {rows && rows.length > 0 && (
        <ul aria-label={room ? 'Snapshots of the room' : `Snapshots of ${machineName}`}>
          {rows.map((s) => (
            <li key={s.name}>
              <strong>{s.name}</strong> {s.withRam ? 'with RAM' : 'disk only'} · {room && `${s.machines.length} of ${machineCount} machines · `}
              {formatBytes(s.sizeBytes)} · {new Date(s.createdAt).toLocaleString()} by {s.createdBy}{' '}
              <button type="button" disabled={busy !== null} onClick={() => revert(s)}>
                {busy === s.name ? 'Working…' : room ? 'Revert room' : 'Revert'}
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
          {busy === 'take' ? 'Taking…' : room ? 'Snapshot every machine' : 'Take snapshot'}
        </button>
      </form>
      <ErrorBox error={error} />
    </section>
  );
}
