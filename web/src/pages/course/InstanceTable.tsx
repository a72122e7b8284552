import { useState } from 'react';
import { Link } from 'react-router';
import { api } from '../../api/api';
import { num } from '../../api/client';
import type { RoomDetails, StudentInfo } from '../../api/types';
import { ErrorBox, PhaseBadge } from '../../components/common';

export interface InstanceRow {
  student: StudentInfo;
  /** The instance's room with its machines, or null (no instance, or it could not be read). */
  room: RoomDetails | null;
}

const roomPath = (id: string) => `/rooms/${encodeURIComponent(id)}`;

/**
 * An instance's latest check run (ADR 0042; src/SkillVL.Core/Api/Checks/CheckSummary.cs), written by hand until the
 * generated contract has CourseInstanceInfo.checks.
 */
export interface CheckSummary {
  passed: number;
  total: number;
  at: string;
}

function ChecksCell({ summary }: { summary: CheckSummary | null | undefined }) {
  if (!summary) return <span className="muted">not run yet</span>;
  const all = num(summary.passed) === num(summary.total);
  return (
    <>
      <span className={`badge ${all ? 'task-state-succeeded' : 'task-state-failed'}`}>
        {num(summary.passed)} / {num(summary.total)} passed
      </span>
      <span className="muted small"> {new Date(summary.at).toLocaleString()}</span>
    </>
  );
}

/**
 * One row per student: their instance, each machine's state and node with a link to its screen, their latest check
 * results (passed of total, when), reset and upgrade.
 */
export function InstanceTable({ rows, latestVersion, onChanged }: { rows: InstanceRow[]; latestVersion: number; onChanged: (message: string) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  const act = async (what: string, student: string, call: () => Promise<{ id: string } | undefined | void>) => {
    setBusy(true);
    setError(undefined);
    try {
      const task = await call();
      onChanged(`${what} of ${student}'s instance started${task ? ` (task ${task.id})` : ''}.`);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  if (rows.length === 0) return <p className="muted">No students enrolled yet.</p>;
  return (
    <>
      <ErrorBox error={error} />
      <table className="table">
        <caption className="sr-only">Students' instances</caption>
        <thead>
          <tr>
            <th scope="col">Student</th>
            <th scope="col">Instance</th>
            <th scope="col">Version</th>
            <th scope="col">Machines (state, node, screen)</th>
            <th scope="col">Checks</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ student, room }) => {
            const instance = student.instance;
            return (
              <tr key={student.userId}>
                <th scope="row">{student.username}</th>
                <td>
                  {instance ? (
                    <>
                      <Link to={roomPath(instance.roomId)}>{instance.roomName}</Link> <PhaseBadge phase={instance.phase} />
                    </>
                  ) : (
                    <span className="muted">no instance</span>
                  )}
                </td>
                <td>{instance ? `v${num(instance.version)}` : '—'}</td>
                <td>
                  {room ? (
                    <ul className="machine-list">
                      {room.machines.map((m) => (
                        <li key={m.id}>
                          <Link
                            to={`${roomPath(room.id)}/machines/${encodeURIComponent(m.name)}/console`}
                            aria-label={`Open the screen of ${student.username}'s ${m.name}`}
                          >
                            {m.name}
                          </Link>
                          <span className={`state state-${m.state}`}>{m.state}</span>
                          <span className="muted small"> on {m.node || '—'}</span>
                        </li>
                      ))}
                    </ul>
                  ) : instance ? (
                    `${num(instance.machinesRunning)} / ${num(instance.machines)} running`
                  ) : (
                    '—'
                  )}
                </td>
                <td>{instance ? <ChecksCell summary={(instance as { checks?: CheckSummary | null }).checks} /> : '—'}</td>
                <td>
                  {instance && (
                    <div className="actions">
                      <button
                        type="button"
                        disabled={busy}
                        aria-label={`Reset ${student.username}'s instance`}
                        onClick={() => {
                          if (window.confirm(`Reset ${student.username}'s instance? Its machines get fresh disks from version ${num(instance.version)}.`)) {
                            void act('Reset', student.username, () => api.post('/api/v1/rooms/{room}/reset', { path: { room: instance.roomId } }));
                          }
                        }}
                      >
                        Reset
                      </button>
                      {num(instance.version) < latestVersion && (
                        <button
                          type="button"
                          disabled={busy}
                          aria-label={`Upgrade ${student.username}'s instance to version ${latestVersion}`}
                          onClick={() => void act('Upgrade', student.username, () => api.post('/api/v1/rooms/{room}/upgrade', { path: { room: instance.roomId } }))}
                        >
                          Upgrade to v{latestVersion}
                        </button>
                      )}
                    </div>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}
