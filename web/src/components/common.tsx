import { useId, type ReactNode } from 'react';
import { ApiError } from '../api/client';
import type { TaskLogLine } from '../api/types';

export function errorText(error: unknown): string {
  if (error instanceof ApiError) {
    const fields = Object.entries(error.fieldErrors).flatMap(([k, v]) => v.map((m) => `${k}: ${m}`));
    return [error.message, ...fields].join(' — ');
  }
  return error instanceof Error ? error.message : String(error);
}

export function ErrorBox({ error, children }: { error?: unknown; children?: ReactNode }) {
  if (!error && !children) return null;
  return (
    <div role="alert" className="error-box">
      {error ? errorText(error) : null}
      {children}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" aria-live="polite">
      Loading {what}…
    </p>
  );
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${UNITS[unit]}`;
}

export function PhaseBadge({ phase }: { phase: string }) {
  return <span className={`badge phase-${phase.toLowerCase()}`}>{phase}</span>;
}

export function ProgressBar({ value, label }: { value: number; label: string }) {
  const percent = Math.round(Math.max(0, Math.min(1, value)) * 100);
  return (
    <div className="progress" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
      <div className="progress-fill" style={{ width: `${percent}%` }} />
      <span className="progress-text">{percent}%</span>
    </div>
  );
}

/** A task's or a migration's log, one line per entry with its local time; it scrolls, so it takes focus (WCAG 2.1.1). */
export function LogLines({ log, label }: { log: TaskLogLine[]; label: string }) {
  return (
    <pre className="task-log" aria-label={label} tabIndex={0}>
      {log.length === 0 ? '(no log lines)' : log.map((l) => `${new Date(l.timestamp).toLocaleTimeString()}  ${l.message}`).join('\n')}
    </pre>
  );
}

/**
 * Figures under a heading, one row each with its name as the row header (the heading names the table for screen
 * readers); `note` instead when there are none yet.
 */
export function FactsSection({ title, level = 2, rows, note }: { title: string; level?: 2 | 3; rows: [string, ReactNode][] | null; note?: string }) {
  const id = useId();
  const Heading = level === 2 ? 'h2' : 'h3';
  return (
    <section aria-labelledby={id}>
      <Heading id={id}>{title}</Heading>
      {rows ? (
        <table className="table narrow" aria-labelledby={id}>
          <tbody>
            {rows.map(([name, value]) => (
              <tr key={name}>
                <th scope="row">{name}</th>
                <td>{value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">{note}</p>
      )}
    </section>
  );
}
