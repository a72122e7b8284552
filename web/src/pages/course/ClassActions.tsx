import { useState } from 'react';
import { api } from '../../api/api';
import { num } from '../../api/client';
import type { InstanceActionOutcome } from '../../api/types';
import { ErrorBox } from '../../components/common';

export type ClassAction = 'start' | 'stop' | 'reset' | 'check';

const LABELS: Record<ClassAction, string> = { start: 'Start', stop: 'Stop', reset: 'Reset', check: 'Run checks' };

/** What the confirmation says each action does: a reset loses the students' work, so it says so. */
const CONSEQUENCES: Record<ClassAction, string> = {
  start: 'Their machines start.',
  stop: 'Their machines shut down.',
  reset: 'Their machines get fresh disks from the published version: work in them is lost.',
  check: "Their rooms' checks run in their machines.",
};

/** The confirmation's question starts with what is done to the instances. */
const QUESTIONS: Record<ClassAction, string> = {
  start: 'Start the instances of',
  stop: 'Stop the instances of',
  reset: 'Reset the instances of',
  check: 'Run the checks of the instances of',
};

const done = (o: InstanceActionOutcome) => o.outcome === 'accepted' || o.outcome === 'checked';

/**
 * The class view's bulk actions (issue 17, ADR 0045): start, stop, reset or run the checks of the selected students'
 * instances, or of everyone's when none is selected; a confirmation first, then each student's own outcome (some may
 * fail: which and why).
 */
export function ClassActions({
  course,
  selected,
  total,
  onDone,
}: {
  course: string;
  /** The selected usernames; empty: the action is for every student. */
  selected: string[];
  total: number;
  onDone: (message: string) => void;
}) {
  const [busy, setBusy] = useState<ClassAction | null>(null);
  const [error, setError] = useState<unknown>();
  const [results, setResults] = useState<{ action: ClassAction; outcomes: InstanceActionOutcome[] } | null>(null);
  const whom = selected.length === 0 ? `all ${total} students` : selected.length === 1 ? selected[0] : `${selected.length} selected students`;

  const run = async (action: ClassAction) => {
    const names = selected.length === 0 ? '' : ` (${selected.join(', ')})`;
    if (!window.confirm(`${QUESTIONS[action]} ${whom}${names}? ${CONSEQUENCES[action]}`)) return;
    setBusy(action);
    setError(undefined);
    setResults(null);
    try {
      const outcomes = await api.post('/api/v1/courses/{course}/instances/actions', { path: { course }, body: { action, students: selected } });
      setResults({ action, outcomes });
      onDone(`${LABELS[action]}: ${outcomes.filter(done).length} of ${outcomes.length} students done.`);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  };

  return (
    <div className="class-actions">
      <div className="actions" role="group" aria-label={`Actions for ${whom}`}>
        <span className="muted small">For {whom}:</span>
        {(Object.keys(LABELS) as ClassAction[]).map((action) => (
          <button key={action} type="button" disabled={busy !== null || total === 0} onClick={() => void run(action)}>
            {busy === action ? `${LABELS[action]}…` : LABELS[action]}
          </button>
        ))}
      </div>
      <ErrorBox error={error} />
      {results && (
        <section aria-label={`Results of ${LABELS[results.action]}`} className="class-results">
          <p>
            {LABELS[results.action]}: {results.outcomes.filter(done).length} of {results.outcomes.length} done
            {results.outcomes.some((o) => !done(o)) ? `, ${results.outcomes.filter((o) => !done(o)).length} not` : ''}.
          </p>
          <ul>
            {results.outcomes.map((o) => (
              <li key={o.student} className={done(o) ? 'outcome-ok' : 'outcome-failed'}>
                <strong>{o.student}</strong>{' '}
                <span className={`badge ${done(o) ? 'task-state-succeeded' : 'task-state-failed'}`}>
                  {done(o) ? (o.outcome === 'checked' ? 'checked' : 'started') : o.outcome === 'no-instance' ? 'no instance' : `failed (${num(o.status)})`}
                </span>{' '}
                {o.message}
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
