// The placement advisor's recommendations where the student works (issue 14, Deliver 4; ADR 0027, 0030, 0035): in the
// room view (that room's machines) and a short list on the home page. Each says what the move gains and costs — "Run on my
// computer: console 40 ms → 1 ms, about 45 s to move" — with Accept (the Server checks it again; a 409 shows what changed)
// and Dismiss (kept in this browser until the recommendation changes, see api/placement.ts).

import { useEffect, useId, useState } from 'react';
import { Link } from 'react-router';
import type { Migration } from '../api/migrations';
import {
  acceptRecommendation,
  dismiss,
  forgetStaleDismissals,
  isDismissed,
  listRecommendations,
  recommendationText,
  type Recommendation,
} from '../api/placement';
import { useAsync } from '../hooks/useAsync';
import { ErrorBox } from './common';

export interface RecommendationListProps {
  /** Only this room's machines (the room view); all the caller's otherwise (the home page). */
  roomId?: string;
  /** At most this many (the home page's short list), with a note on how many more there are. */
  limit?: number;
  /** How often the recommendations are read again; the controller evaluates every 30 s by default. */
  pollMs?: number;
  /** Called when an accepted move started (the room view reads the room again). */
  onAccepted?: () => void;
}

const key = (r: Recommendation) => `${r.machineId}→${r.to}`;

export function RecommendationList({ roomId, limit, pollMs = 15000, onAccepted }: RecommendationListProps) {
  const list = useAsync((signal) => listRecommendations(signal), [], pollMs);
  // Dismissals are in localStorage; this only renders the list again after one.
  const [, setDismissals] = useState(0);
  const [started, setStarted] = useState<Record<string, Migration>>({});
  const [errors, setErrors] = useState<Record<string, unknown>>({});
  const [busy, setBusy] = useState<string | null>(null);
  const headingId = useId();

  // The Server's whole list for the caller, whatever this view shows of it: moves no longer recommended lose their dismissal.
  useEffect(() => {
    if (list.data) forgetStaleDismissals(list.data);
  }, [list.data]);

  const shown = (list.data ?? []).filter((r) => r.recommended && (roomId === undefined || r.roomId === roomId) && (started[key(r)] || !isDismissed(r)));
  const visible = limit === undefined ? shown : shown.slice(0, limit);

  const accept = async (r: Recommendation) => {
    setBusy(key(r));
    setErrors((e) => ({ ...e, [key(r)]: undefined }));
    try {
      const migration = await acceptRecommendation(r);
      setStarted((s) => ({ ...s, [key(r)]: migration }));
      onAccepted?.();
    } catch (e) {
      setErrors((all) => ({ ...all, [key(r)]: e }));
    } finally {
      setBusy(null);
    }
  };

  // Nothing to say: no section at all (a failed read shows, so that an empty list is not mistaken for "nothing better").
  if (visible.length === 0 && !list.error) return null;
  return (
    <section aria-labelledby={headingId} className="recommendations">
      <h2 id={headingId}>Where your machines would run better</h2>
      <ErrorBox error={list.error} />
      <p className="muted small">Accepting moves the machine live; Dismiss hides a suggestion in this browser until it changes.</p>
      <ul>
        {visible.map((r) => {
          const k = key(r);
          const migration = started[k];
          return (
            <li key={k}>
              <p>
                <strong>{r.machine}</strong> — {recommendationText(r)}
              </p>
              <p className="muted small">{r.reason}</p>
              {migration ? (
                <p aria-live="polite">
                  Moving {r.machine} to {r.to}. <Link to={`/migrations/${encodeURIComponent(migration.id)}`}>Follow the move</Link>
                </p>
              ) : (
                <div className="actions">
                  <button type="button" className="primary" disabled={busy !== null} onClick={() => void accept(r)} aria-label={`Accept: ${r.machine} to ${r.to}`}>
                    {busy === k ? 'Accepting…' : 'Accept'}
                  </button>
                  <button
                    type="button"
                    disabled={busy !== null}
                    aria-label={`Dismiss: ${r.machine} to ${r.to}`}
                    onClick={() => {
                      dismiss(r);
                      setDismissals((n) => n + 1);
                    }}
                  >
                    Dismiss
                  </button>
                </div>
              )}
              <ErrorBox error={errors[k]} />
            </li>
          );
        })}
      </ul>
      {limit !== undefined && shown.length > limit && (
        <p className="muted small">
          {shown.length - limit} more in your rooms.
        </p>
      )}
    </section>
  );
}
