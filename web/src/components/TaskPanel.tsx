import { useEffect, useState } from 'react';
import { api } from '../api/api';
import { num } from '../api/client';
import type { TaskInfo } from '../api/types';
import { ErrorBox, LogLines, ProgressBar } from './common';

/** Does the task act on this room (target "room/NAME" or "machine/NAME/MACHINE")? */
export function isTaskOfRoom(task: Pick<TaskInfo, 'target'>, roomName: string): boolean {
  return task.target === `room/${roomName}` || task.target.startsWith(`machine/${roomName}/`);
}

const ACTIVE = new Set(['queued', 'running']);

/**
 * The room's tasks, newest first, with progress bars; a task's log opens on demand. `tick` changes whenever the
 * room changed (an event or a poll), which refetches; `started` are tasks this page just started (202 answers).
 */
export function TaskPanel({ roomName, tick, started }: { roomName: string; tick: number; started: TaskInfo[] }) {
  const [tasks, setTasks] = useState<TaskInfo[]>([]);
  const [error, setError] = useState<unknown>();
  const [open, setOpen] = useState<string | null>(null);
  const [detail, setDetail] = useState<TaskInfo | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    api
      .get('/api/v1/tasks', { query: { limit: 100 }, signal: controller.signal })
      .then((list) => {
        setTasks(list.filter((t) => isTaskOfRoom(t, roomName)));
        setError(undefined);
      })
      .catch((e: unknown) => !controller.signal.aborted && setError(e));
    return () => controller.abort();
  }, [roomName, tick]);

  useEffect(() => {
    if (!open) {
      setDetail(null);
      return;
    }
    const controller = new AbortController();
    api
      .get('/api/v1/tasks/{task}', { path: { task: open }, signal: controller.signal })
      .then(setDetail)
      .catch((e: unknown) => !controller.signal.aborted && setError(e));
    return () => controller.abort();
  }, [open, tick]);

  // Tasks just started may not be in the list yet; the list's copy wins once it is.
  const known = new Set(tasks.map((t) => t.id));
  const all = [...started.filter((t) => !known.has(t.id)), ...tasks];
  const shown = [...all.filter((t) => ACTIVE.has(t.state)), ...all.filter((t) => !ACTIVE.has(t.state)).slice(0, 8)];

  return (
    <section className="task-panel" aria-labelledby="tasks-heading">
      <h2 id="tasks-heading">Tasks</h2>
      <ErrorBox error={error} />
      {shown.length === 0 && <p className="muted">No tasks yet.</p>}
      <ul>
        {shown.map((task) => (
          <li key={task.id} className={`task task-${task.state}`}>
            <button
              type="button"
              className="link-button"
              aria-expanded={open === task.id}
              onClick={() => setOpen(open === task.id ? null : task.id)}
            >
              {task.kind} <span className="muted">{task.target}</span>
            </button>
            <span className={`badge task-state-${task.state}`}>{task.state}</span>
            <ProgressBar value={num(task.progress)} label={`${task.kind} progress`} />
            {task.outcome && <div className="task-outcome">{task.outcome}</div>}
            {open === task.id && detail?.id === task.id && (
              <LogLines log={detail.log} label={`Log of ${task.kind}`} />
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
