// A student joins a course with the code the teacher handed out (POST /invites/redeem): enrolment and, if the course
// has a published room, the student's own instance of it.

import { useState, type FormEvent } from 'react';
import { api } from '../../api/api';
import { num } from '../../api/client';
import { ErrorBox } from '../../components/common';

export function JoinCourseForm({ onJoined }: { onJoined: () => void }) {
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [joined, setJoined] = useState('');

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    setJoined('');
    try {
      const answer = await api.post('/api/v1/invites/redeem', { body: { code: code.trim() } });
      setCode('');
      setJoined(`You joined ${answer.title ?? answer.name}.${num(answer.latestVersion) > 0 ? ' Your room for it is being made; it shows on Home.' : ''}`);
      onJoined();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form aria-labelledby="join-heading" onSubmit={(e) => void submit(e)}>
      <h2 id="join-heading">Join a course</h2>
      <div className="form-row">
        <label>
          Invite code
          <input value={code} onChange={(e) => setCode(e.target.value)} autoComplete="off" spellCheck={false} />
        </label>
        <button type="submit" disabled={busy || code.trim() === ''}>
          Join
        </button>
      </div>
      <p role="status" aria-live="polite">
        {joined}
      </p>
      <ErrorBox error={error} />
    </form>
  );
}
