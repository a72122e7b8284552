import { useState } from 'react';
import { Link } from 'react-router';
import { api } from '../../api/api';
import { num } from '../../api/client';
import type { CheckResultInfo, CourseInstanceInfo, RoomDetails, StudentInfo } from '../../api/types';
import { ErrorBox, PhaseBadge } from '../../components/common';
import { ClassActions } from './ClassActions';

export interface InstanceRow {
  student: StudentInfo;
  /** The instance's room with its machines, or null (no instance, or it could not be read). */
  room: RoomDetails | null;
}

const roomPath = (id: string) => `/rooms/${encodeURIComponent(id)}`;

/** The class view's one word for an instance: running, stopped, starting (converging) or error. */
export function instanceState(instance: CourseInstanceInfo): 'running' | 'stopped' | 'starting' | 'error' | 'deleting' {
  const running = num(instance.machinesRunning);
  switch (instance.phase) {
    case 'Degraded':
      return 'error';
    case 'Deleting':
      return 'deleting';
    case 'Stopped':
      return 'stopped';
    case 'Ready':
      return running === num(instance.machines) ? 'running' : 'starting';
    default:
      return running === 0 && instance.phase !== 'Pending' ? 'stopped' : 'starting';
  }
}

/** An instance's latest check run: passed of total and when; a click shows each check's result. */
function ChecksCell({ instance, student }: { instance: CourseInstanceInfo; student: string }) {
  const [open, setOpen] = useState(false);
  const [details, setDetails] = useState<CheckResultInfo[] | null>(null);
  const [error, setError] = useState<unknown>();
  const summary = instance.checks;
  if (!summary) return <span className="muted">not run yet</span>;
  const all = num(summary.passed) === num(summary.total);
  const toggle = async () => {
    setOpen(!open);
    if (open) return;
    setError(undefined);
    try {
      setDetails(await api.get('/api/v1/rooms/{room}/checks', { path: { room: instance.roomId } }));
    } catch (e) {
      setError(e);
    }
  };
  return (
    <>
      <button
        type="button"
        className={`badge link-button ${all ? 'task-state-succeeded' : 'task-state-failed'}`}
        aria-expanded={open}
        aria-label={`${num(summary.passed)} / ${num(summary.total)} passed: show ${student}'s check results`}
        onClick={() => void toggle()}
      >
        {num(summary.passed)} / {num(summary.total)} passed
      </button>
      <span className="muted small"> {new Date(summary.at).toLocaleString()}</span>
      {open && (
        <>
          <ErrorBox error={error} />
          {details && (
            <ul className="check-details" aria-label={`${student}'s check results`}>
              {details.map((c) => (
                <li key={c.name}>
                  <span className={c.passed ? 'state-running' : 'state-error'}>{c.passed ? 'passed' : 'failed'}</span> <strong>{c.name}</strong>{' '}
                  <span className="muted small">{c.detail}</span>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </>
  );
}

/**
 * The class view (issue 17, ADR 0045): one row per enrolled student — their instance (a link to its room view, named
 * OWNER/ROOM), its state and each machine's with one click to its screen, the last activity, the latest check results
 * (detail on click), per-row reset and upgrade — and a selection for start / stop / reset / run checks at once.
 */
export function InstanceTable({
  course,
  rows,
  latestVersion,
  onChanged,
}: {
  course: string;
  rows: InstanceRow[];
  latestVersion: number;
  onChanged: (message: string) => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [selected, setSelected] = useState<string[]>([]);
  const usernames = rows.map((r) => r.student.username);
  // Selected students who left the course are dropped, so an action never names one the server no longer knows.
  const selection = selected.filter((s) => usernames.includes(s));

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
  const toggle = (username: string) =>
    setSelected(selection.includes(username) ? selection.filter((s) => s !== username) : [...selection, username]);

  if (rows.length === 0) return <p className="muted">No students enrolled yet.</p>;
  const allSelected = selection.length === rows.length;
  return (
    <>
      <ClassActions course={course} selected={selection} total={rows.length} onDone={onChanged} />
      <ErrorBox error={error} />
      <table className="table">
        <caption className="sr-only">Students' instances</caption>
        <thead>
          <tr>
            <th scope="col">
              <input
                type="checkbox"
                aria-label="Select all students"
                checked={allSelected}
                onChange={() => setSelected(allSelected ? [] : usernames)}
              />
            </th>
            <th scope="col">Student</th>
            <th scope="col">Instance</th>
            <th scope="col">Version</th>
            <th scope="col">State (machines: screen, state, node)</th>
            <th scope="col">Last activity</th>
            <th scope="col">Checks</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ student, room }) => {
            const instance = student.instance;
            return (
              <tr key={student.userId}>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Select ${student.username}`}
                    checked={selection.includes(student.username)}
                    onChange={() => toggle(student.username)}
                  />
                </td>
                <th scope="row">{student.username}</th>
                <td>
                  {instance ? (
                    <>
                      <Link to={roomPath(instance.roomId)} aria-label={`Open room ${student.username}/${instance.roomName}`}>
                        {student.username}/{instance.roomName}
                      </Link>{' '}
                      <PhaseBadge phase={instance.phase} />
                    </>
                  ) : (
                    <span className="muted">no instance</span>
                  )}
                </td>
                <td>{instance ? `v${num(instance.version)}` : '—'}</td>
                <td>
                  {instance ? (
                    <>
                      <span className={`state state-${instanceState(instance)}`}>{instanceState(instance)}</span>{' '}
                      <span className="muted small">
                        {num(instance.machinesRunning)} / {num(instance.machines)} running
                      </span>
                      {room && (
                        <ul className="machine-list">
                          {room.machines.map((m) => (
                            <li key={m.id}>
                              <Link
                                to={`${roomPath(room.id)}/machines/${encodeURIComponent(m.name)}/console`}
                                aria-label={`Open the screen of ${student.username}'s ${m.name}`}
                              >
                                {m.name}
                              </Link>{' '}
                              <Link
                                className="small"
                                to={`${roomPath(room.id)}/machines/${encodeURIComponent(m.name)}/console?watch=1`}
                                aria-label={`Watch the screen of ${student.username}'s ${m.name} (watch only)`}
                              >
                                watch
                              </Link>
                              <span className={`state state-${m.state}`}>{m.state}</span>
                              <span className="muted small"> on {m.node || '—'}</span>
                            </li>
                          ))}
                        </ul>
                      )}
                    </>
                  ) : (
                    '—'
                  )}
                </td>
                <td>
                  {instance?.lastActivity ? (
                    <>
                      {new Date(instance.lastActivity).toLocaleString()}
                      <span className="muted small"> {instance.lastActivityWhat}</span>
                    </>
                  ) : (
                    '—'
                  )}
                </td>
                <td>{instance ? <ChecksCell instance={instance} student={student.username} /> : '—'}</td>
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
