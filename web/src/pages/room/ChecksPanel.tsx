// "Check my work" (issue 17, ADR 0042): the room's checks from its room.yaml, a button that runs them, and each one's
// latest result. Results are typed by the generated contract; a check stays typed here as room.yaml writes it (the
// generated CheckDefinition makes every field optional and its exit a string or number).
import { useEffect, useState } from 'react';
import { api } from '../../api/api';
import type { components } from '../../api/schema';
import { ErrorBox } from '../../components/common';

/** A check as room.yaml writes it (src/SkillVL.Core/Rooms/CheckDefinition.cs). */
export interface RoomCheck {
  name: string;
  machine: string;
  run?: string | null;
  expect?: { exit?: number | null; output?: string | null } | null;
  reaches?: string | null;
}

/** One check's latest result (the Server's CheckResultInfo). */
export type CheckResultInfo = components['schemas']['CheckResultInfo'];

const checksUrl = (roomId: string) => `/api/v1/rooms/${encodeURIComponent(roomId)}/checks`;

/** The checks of a room definition, which the generated RoomDefinition does not type yet. */
export function checksOf(definition: unknown): RoomCheck[] {
  const checks = (definition as { checks?: RoomCheck[] | null } | null)?.checks;
  return Array.isArray(checks) ? checks : [];
}

/** What a check looks at, in words. */
function describe(check: RoomCheck): string {
  if (check.reaches) return `${check.machine} reaches ${check.reaches}`;
  const wanted = [`exit ${check.expect?.exit ?? 0}`, check.expect?.output ? `output contains "${check.expect.output}"` : null].filter(Boolean);
  return `on ${check.machine}: ${check.run ?? ''} (${wanted.join(', ')})`;
}

export function ChecksPanel({ roomId, checks }: { roomId: string; checks: RoomCheck[] }) {
  const [results, setResults] = useState<CheckResultInfo[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  useEffect(() => {
    const abort = new AbortController();
    api.getUntyped<CheckResultInfo[]>(checksUrl(roomId), abort.signal).then(setResults, (e: unknown) => {
      if (!abort.signal.aborted) setError(e);
    });
    return () => abort.abort();
  }, [roomId]);

  const runChecks = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setResults(await api.postUntyped<CheckResultInfo[]>(checksUrl(roomId)));
    } catch (e) {
      // A 429 says when to try again; a 409 that a run is going: both in the Server's words.
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const byName = new Map((results ?? []).map((r) => [r.name, r]));
  const passed = (results ?? []).filter((r) => r.passed).length;
  const at = results?.[0]?.at;
  return (
    <section className="checks" aria-labelledby="checks-title">
      <h2 id="checks-title">Checks</h2>
      <div className="actions">
        <button type="button" disabled={busy} onClick={() => void runChecks()}>
          {busy ? 'Checking…' : 'Check my work'}
        </button>
        <span aria-live="polite" className="muted">
          {results && results.length > 0 && at
            ? `${passed} of ${results.length} passed · checked ${new Date(at).toLocaleString()}`
            : results
              ? 'Not checked yet.'
              : null}
        </span>
      </div>
      <ErrorBox error={error} />
      <table className="table">
        <caption className="sr-only">Checks of this room</caption>
        <thead>
          <tr>
            <th scope="col">Check</th>
            <th scope="col">What it looks at</th>
            <th scope="col">Result</th>
          </tr>
        </thead>
        <tbody>
          {checks.map((check) => {
            const result = byName.get(check.name);
            return (
              <tr key={check.name}>
                <th scope="row">{check.name}</th>
                <td>
                  <code>{describe(check)}</code>
                </td>
                <td>
                  {result ? (
                    <>
                      <span className={`badge ${result.passed ? 'task-state-succeeded' : 'task-state-failed'}`}>{result.passed ? 'passed' : 'failed'}</span>{' '}
                      {result.detail}
                    </>
                  ) : (
                    <span className="muted">not run yet</span>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
