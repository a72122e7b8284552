// A course's placement policy on its page (issue 14, Deliver 4; ADR 0030): whether the controller moves the course's
// machines by itself (auto), only suggests (suggest) or leaves them (off), how patient it is, and the quiet windows (an
// exam) when nothing moves. The course's teacher and an admin may set it; a field left empty is not set at the course,
// and a less specific scope (global, or the Server's default) decides. A room's or a student's own policy wins over it.

import { useEffect, useId, useState } from 'react';
import { num } from '../../api/client';
import { deleteCoursePolicy, getCoursePolicy, putCoursePolicy, type PlacementPolicy, type PlacementPolicyRequest } from '../../api/placement';
import { ErrorBox, Loading } from '../../components/common';
import { useAsync } from '../../hooks/useAsync';

interface WindowDraft {
  from: string;
  to: string;
}

interface Draft {
  mode: string;
  hysteresis: string;
  minStay: string;
  windows: WindowDraft[];
}

/** An ISO instant as a datetime-local value in the browser's time zone ("2026-12-07T09:00"). */
function toLocalInput(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A datetime-local value (the browser's time zone) as the UTC instant the Server stores; null when empty. */
const fromLocalInput = (value: string) => (value ? new Date(value).toISOString() : null);

function draftOf(policy: PlacementPolicy | null): Draft {
  return {
    mode: policy?.mode ?? '',
    hysteresis: policy?.hysteresisEvaluations == null ? '' : String(num(policy.hysteresisEvaluations)),
    minStay: policy?.minStaySeconds == null ? '' : String(num(policy.minStaySeconds)),
    windows: (policy?.windows ?? []).map((w) => ({ from: toLocalInput(w.from), to: toLocalInput(w.to) })),
  };
}

/** The PUT body: empty fields are left out (not set at the course); numbers are sent as typed, the Server checks their range. */
export function requestOf(draft: Draft): PlacementPolicyRequest {
  return {
    mode: draft.mode || null,
    hysteresisEvaluations: draft.hysteresis === '' ? null : Number(draft.hysteresis),
    minStaySeconds: draft.minStay === '' ? null : Number(draft.minStay),
    windows: draft.windows.map((w) => ({ from: fromLocalInput(w.from), to: fromLocalInput(w.to) })),
  };
}

/**
 * `canEdit` false shows the policy read-only; the Server decides in any case (403 with its reason, shown as the error).
 */
export function PlacementPolicyPanel({ course, canEdit = true }: { course: string; canEdit?: boolean }) {
  const policy = useAsync((signal) => getCoursePolicy(course, signal), [course]);
  const [draft, setDraft] = useState<Draft>(() => draftOf(null));
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState('');
  const headingId = useId();

  useEffect(() => {
    if (policy.data !== undefined) setDraft(draftOf(policy.data));
  }, [policy.data]);

  const act = async (action: () => Promise<string>) => {
    setBusy(true);
    setError(undefined);
    try {
      setStatus(await action());
      policy.reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const setWindow = (i: number, change: Partial<WindowDraft>) =>
    setDraft((d) => ({ ...d, windows: d.windows.map((w, j) => (j === i ? { ...w, ...change } : w)) }));
  const disabled = busy || !canEdit;

  return (
    <section aria-labelledby={headingId}>
      <h2 id={headingId}>Placement policy</h2>
      <p className="muted small">
        Whether SkillVL moves this course's machines to where they run better by itself (auto), only suggests it to the students (suggest), or
        leaves them where they are (off). Empty fields are not set for the course: the global policy decides. Nothing moves in a quiet window.
      </p>
      {policy.data === undefined && !policy.error ? (
        <Loading what="the placement policy" />
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void act(async () => {
              await putCoursePolicy(course, requestOf(draft));
              return 'Placement policy saved.';
            });
          }}
        >
          <p className="muted small">
            {policy.data ? `Set by ${policy.data.updatedBy} at ${new Date(policy.data.updatedAt).toLocaleString()}.` : 'No policy set for this course.'}
          </p>
          <div className="form-row">
            <label>
              Mode
              <select value={draft.mode} disabled={disabled} onChange={(e) => setDraft((d) => ({ ...d, mode: e.target.value }))}>
                <option value="">not set (global decides)</option>
                <option value="off">off</option>
                <option value="suggest">suggest</option>
                <option value="auto">auto</option>
              </select>
            </label>
            <label>
              Evaluations a move must persist
              <input type="number" min={1} max={120} value={draft.hysteresis} disabled={disabled} onChange={(e) => setDraft((d) => ({ ...d, hysteresis: e.target.value }))} />
            </label>
            <label>
              Minimum stay after a move (seconds)
              <input type="number" min={0} max={604800} value={draft.minStay} disabled={disabled} onChange={(e) => setDraft((d) => ({ ...d, minStay: e.target.value }))} />
            </label>
          </div>
          <fieldset>
            <legend>Quiet windows (your local time)</legend>
            {draft.windows.length === 0 && <p className="muted small">None.</p>}
            {draft.windows.map((w, i) => (
              // Windows have no id of their own; their position is their identity while editing.
              <div className="actions" key={i}>
                <label>
                  From <input type="datetime-local" value={w.from} disabled={disabled} required onChange={(e) => setWindow(i, { from: e.target.value })} />
                </label>
                <label>
                  to <input type="datetime-local" value={w.to} disabled={disabled} required onChange={(e) => setWindow(i, { to: e.target.value })} />
                </label>
                <button type="button" disabled={disabled} onClick={() => setDraft((d) => ({ ...d, windows: d.windows.filter((_, j) => j !== i) }))}>
                  Remove window {i + 1}
                </button>
              </div>
            ))}
            <button type="button" disabled={disabled} onClick={() => setDraft((d) => ({ ...d, windows: [...d.windows, { from: '', to: '' }] }))}>
              Add a quiet window
            </button>
          </fieldset>
          {canEdit && (
            <div className="actions">
              <button type="submit" className="primary" disabled={busy}>
                Save placement policy
              </button>
              {policy.data && (
                <button
                  type="button"
                  disabled={busy}
                  onClick={() =>
                    void act(async () => {
                      await deleteCoursePolicy(course);
                      return 'Placement policy removed: the global policy decides.';
                    })
                  }
                >
                  Remove the course's policy
                </button>
              )}
            </div>
          )}
        </form>
      )}
      {/* Not role="status": the course page has its own status line, and one page should have one. */}
      <p aria-live="polite" className="muted small">
        {status}
      </p>
      <ErrorBox error={error ?? policy.error} />
    </section>
  );
}
