// A machine's check-out in the room view (issue 12, ADR 0023): where it is checked out, since when, its last sync and
// what is not synced yet, its lease; and the actions — Check out to one of the caller's own computers, Sync now, Check in,
// Revive on the server (ADR 0025) — and the copies a revive fenced.
// Check-out and check-in are migrations: their phase and progress show here as the Migrate dialog shows a move's.

import { useEffect, useId, useState } from 'react';
import { Link } from 'react-router';
import { api } from '../api/api';
import { num } from '../api/client';
import { checkIn, checkOut, revive, syncNow, type Checkout, type CheckoutSync } from '../api/checkouts';
import { getMigration, isFinal, type Migration } from '../api/migrations';
import type { MachineStatus } from '../api/types';
import { useAsync } from '../hooks/useAsync';
import { ErrorBox, formatBytes } from './common';
import { FencedCopies } from './FencedCopies';
import { MigrationProgressView } from './MigrationProgressView';

export interface CheckoutSectionProps {
  roomId: string;
  machine: MachineStatus;
  /** Called when a check-out or check-in ended, or a sync did: the room's view is read again. */
  onChanged: () => void;
  /** How often a started check-out or check-in is read while it runs. */
  pollMs?: number;
}

const when = (time: string) => new Date(time).toLocaleString();

/** "Checked out to laptop1 since …, last sync … (unsynced 3 MiB), lease until …", the lease only when the Server sends one. */
export function checkoutText(checkout: Checkout): string {
  const sync = checkout.lastSyncAt ? `last sync ${when(checkout.lastSyncAt)}` : 'not synced yet';
  const unsynced = checkout.unsyncedBytes == null ? 'unsynced: not known' : `unsynced ${formatBytes(num(checkout.unsyncedBytes))}`;
  const lease = checkout.leaseExpiresAt ? `, lease until ${when(checkout.leaseExpiresAt)}` : '';
  return `Checked out to ${checkout.node} since ${when(checkout.since)}, ${sync} (${unsynced})${lease}.`;
}

export function CheckoutSection({ roomId, machine, onChanged, pollMs = 1000 }: CheckoutSectionProps) {
  const checkout: Checkout | null = machine.checkout ?? null;
  const nodes = useAsync((signal) => api.get('/api/v1/nodes', { signal }), []);
  const me = useAsync((signal) => api.get('/api/v1/me', { signal }), []);
  const [migration, setMigration] = useState<Migration | null>(null);
  const [synced, setSynced] = useState<CheckoutSync | null>(null);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [to, setTo] = useState('');
  const headingId = useId();
  const selectId = useId();
  const path = { room: roomId, machine: machine.name };

  // Only the caller's own computers: a check-out goes to the room owner's client node (ADR 0017, 0023). The Server shows
  // a node's owner only to admins and its owner, so compare user names (as "My computers" does).
  const username = me.data?.user.username;
  const mine = (nodes.data ?? []).filter((n) => n.kind === 'client' && username !== undefined && n.owner === username);
  const ready = mine.filter((n) => n.state === 'ready' && !n.drained);
  const choice = ready.some((n) => n.name === to) ? to : (ready[0]?.name ?? '');

  // A new machine selected in the panel: what was shown for the previous one goes.
  useEffect(() => {
    setMigration(null);
    setSynced(null);
    setError(undefined);
  }, [machine.id]);

  // Follow the check-out or check-in until it ends; then the room's view is read again.
  useEffect(() => {
    if (!migration) return;
    if (isFinal(migration)) {
      onChanged();
      return;
    }
    const controller = new AbortController();
    const timer = window.setTimeout(() => {
      getMigration(migration.id, controller.signal).then(setMigration, (e: unknown) => !controller.signal.aborted && setError(e));
    }, pollMs);
    return () => {
      controller.abort();
      window.clearTimeout(timer);
    };
  }, [migration, pollMs, onChanged]);

  const act = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const loaded = nodes.data !== undefined && me.data !== undefined;
  const moving = machine.state === 'migrating' || (migration !== null && !isFinal(migration));
  const disabled = busy || moving;
  let reason: string | null = null;
  if (!checkout) {
    if (machine.state !== 'running' && !moving) reason = 'Only a running machine can be checked out.';
    else if (loaded && ready.length === 0)
      reason = mine.length === 0 ? 'You have no computer of your own to check it out to.' : 'None of your computers is ready.';
  }

  return (
    <section aria-labelledby={headingId} className="checkout">
      <h3 id={headingId}>Check-out</h3>
      {checkout ? (
        <p aria-live="polite">
          {checkoutText(checkout)} The server keeps its copy on {checkout.retainedOn}.
        </p>
      ) : (
        <p className="muted small">Not checked out. A check-out moves it live to your own computer; the server keeps a copy that it syncs into.</p>
      )}
      {checkout ? (
        <div className="actions">
          <button
            type="button"
            disabled={disabled}
            onClick={() =>
              void act(async () => {
                setSynced(await syncNow(path));
                onChanged();
              })
            }
          >
            {busy && !migration ? 'Syncing…' : 'Sync now'}
          </button>
          <button type="button" disabled={disabled} onClick={() => void act(async () => setMigration(await checkIn(path)))}>
            Check in
          </button>
          <button
            type="button"
            disabled={disabled}
            onClick={() => {
              // Before the lease ran out a revive declares the computer lost (ADR 0025); the Server refuses it otherwise.
              const expired = checkout.leaseExpiresAt != null && new Date(checkout.leaseExpiresAt).getTime() <= Date.now();
              const question = expired
                ? `Revive ${machine.name} on the server from its last synced copy? What ${checkout.node} wrote after that sync stays there as a fenced copy.`
                : `${checkout.node}'s lease has not run out. Declare it lost and revive ${machine.name} on the server from its last synced copy now?`;
              if (window.confirm(question)) {
                void act(async () => {
                  await revive(path, !expired);
                  onChanged();
                });
              }
            }}
          >
            Revive on the server
          </button>
        </div>
      ) : reason ? (
        <p className="muted small">
          {reason}
          {mine.length === 0 && loaded && machine.state === 'running' && (
            <>
              {' '}
              <Link to="/computers">Add one under My computers</Link>.
            </>
          )}
        </p>
      ) : !loaded ? (
        // Which computers are the caller's is not known yet (or could not be read): nothing to offer.
        <ErrorBox error={nodes.error ?? me.error} />
      ) : (
        <div className="actions">
          <label htmlFor={selectId}>Check out to</label>
          <select id={selectId} value={choice} onChange={(e) => setTo(e.target.value)} disabled={disabled}>
            {ready.map((n) => (
              <option key={n.name} value={n.name}>
                {n.name}
              </option>
            ))}
          </select>
          <button type="button" disabled={disabled || !choice} onClick={() => void act(async () => setMigration(await checkOut(path, choice)))}>
            Check out
          </button>
        </div>
      )}
      {synced && (
        <p className="small" aria-live="polite">
          Synced {formatBytes(num(synced.bytesCopied))} in {(num(synced.elapsedMs) / 1000).toFixed(1)} s ({formatBytes(num(synced.tunnelBytes))} on the link)
          {synced.fullCopy && ': a full copy, as the written blocks could not be trusted'}.
        </p>
      )}
      {migration && (
        <div aria-live="polite">
          <MigrationProgressView migration={migration} />
          <Link to={`/migrations/${encodeURIComponent(migration.id)}`}>Details</Link>
        </div>
      )}
      <ErrorBox error={error} />
      <FencedCopies roomId={roomId} machineName={machine.name} copies={machine.fencedCopies} onChanged={onChanged} />
    </section>
  );
}
