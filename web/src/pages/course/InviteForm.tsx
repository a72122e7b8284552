// A code for students to join the course with (POST /courses/{course}/invites): shown once here, with how long it
// lasts and how many may use it; students enter it on their Courses page.

import { useState, type FormEvent } from 'react';
import { api } from '../../api/api';
import { num } from '../../api/client';
import type { InviteInfo } from '../../api/types';
import { ErrorBox } from '../../components/common';

export function InviteForm({ course }: { course: string }) {
  const [hours, setHours] = useState('168');
  const [uses, setUses] = useState('100');
  const [invite, setInvite] = useState<InviteInfo>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      setInvite(await api.post('/api/v1/courses/{course}/invites', { path: { course }, body: { expiresInHours: Number(hours), maxUses: Number(uses) } }));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form aria-labelledby="invite-heading" onSubmit={(e) => void submit(e)}>
      <h3 id="invite-heading">Invite code</h3>
      <div className="form-row">
        <label>
          Valid for (hours)
          <input type="number" min={1} value={hours} onChange={(e) => setHours(e.target.value)} required />
        </label>
        <label>
          Uses
          <input type="number" min={1} value={uses} onChange={(e) => setUses(e.target.value)} required />
        </label>
        <button type="submit" disabled={busy}>
          New invite code
        </button>
      </div>
      {invite && (
        <p role="status">
          Code <code className="invite-code">{invite.code}</code> for {invite.course}: {num(invite.usesLeft)} uses, until{' '}
          {new Date(invite.expiresAt).toLocaleString()}. Students enter it under Courses → Join a course.
        </p>
      )}
      <ErrorBox error={error} />
    </form>
  );
}
