// The migrations the caller may see, newest first (issue 6: migration history and metrics in the UI). The Server
// scopes the list to the machines the caller can see; the page reads it again every 2 s while one is still going.

import { Link } from 'react-router';
import { num } from '../api/client';
import { purposeText } from '../api/checkouts';
import { bytesMoved, formatMs, formatSeconds, isFinal, listMigrations, type Migration } from '../api/migrations';
import { ErrorBox, formatBytes, Loading } from '../components/common';
import { useAsync } from '../hooks/useAsync';

/** The Server's default page; older migrations stay readable through the API. */
const LIMIT = 100;

export function MigrationsPage({ pollMs = 2000 }: { pollMs?: number }) {
  const list = useAsync((signal) => listMigrations({ limit: LIMIT }, signal), [], pollMs, (all) => all.some((m) => !isFinal(m)));
  return (
    <main className="page">
      <h1 id="migrations-heading">Migrations</h1>
      <ErrorBox error={list.error} />
      {!list.data ? (
        list.loading && <Loading what="migrations" />
      ) : list.data.length === 0 ? (
        <p className="muted">No migrations yet. A running machine moves to another node with Migrate… in its room's view.</p>
      ) : (
        <MigrationTable migrations={list.data} />
      )}
    </main>
  );
}

function MigrationTable({ migrations }: { migrations: Migration[] }) {
  const now = Date.now();
  return (
    <table className="table" aria-labelledby="migrations-heading">
      <thead>
        <tr>
          <th scope="col">Migration</th>
          <th scope="col">Machine</th>
          <th scope="col">From → to</th>
          <th scope="col">Mode</th>
          <th scope="col">Purpose</th>
          <th scope="col">State</th>
          <th scope="col">Phase</th>
          <th scope="col">Started</th>
          <th scope="col">Total time</th>
          <th scope="col">Downtime</th>
          <th scope="col">Bytes moved</th>
        </tr>
      </thead>
      <tbody>
        {migrations.map((m) => {
          const moved = bytesMoved(m.metrics);
          const started = m.startedAt ?? m.createdAt;
          return (
            <tr key={m.id}>
              <td>
                <Link to={`/migrations/${encodeURIComponent(m.id)}`} className="mono">
                  {m.id}
                </Link>
              </td>
              <td>
                {/* By name: MigrationMachineRef has no room id. The Server resolves a name among the caller's own rooms
                    only, so for a teacher or an admin looking at someone else's room this link finds nothing. */}
                <Link to={`/rooms/${encodeURIComponent(m.machine.room)}`}>{m.machine.room}</Link>/{m.machine.name}
              </td>
              <td>
                {m.from} → {m.to}
              </td>
              <td>{m.mode}</td>
              <td>{purposeText(m.purpose)}</td>
              <td>
                <span className={`badge task-state-${m.state}`}>{m.state}</span>
              </td>
              <td>{m.phase}</td>
              <td>
                <time dateTime={started} title={started}>
                  {formatAge(started, now)}
                </time>
              </td>
              <td>{m.metrics.totalTimeMs == null ? '—' : formatSeconds(num(m.metrics.totalTimeMs))}</td>
              <td>{m.metrics.downtimeMs == null ? '—' : formatMs(num(m.metrics.downtimeMs))}</td>
              <td>{moved == null ? '—' : formatBytes(moved)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** "just now", "5 min ago", "3 h ago", then the local date and time; the ISO time is in the element's title. */
export function formatAge(iso: string, now: number): string {
  const seconds = (now - Date.parse(iso)) / 1000;
  if (seconds < 60) return 'just now';
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ago`;
  return new Date(iso).toLocaleString();
}
