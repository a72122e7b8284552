import { useState, type FormEvent } from 'react';
import { api } from '../../api/api';
import { ErrorBox } from '../../components/common';
import { useAsync } from '../../hooks/useAsync';

/**
 * Enrols existing users; each gets an instance of the latest published version. An admin picks them from the user
 * list (issue 17); a teacher, whom the Server does not show the user list (403), types their usernames, or hands out
 * an invite code instead.
 */
export function EnrolForm({ course, enrolled, onChanged }: { course: string; enrolled: string[]; onChanged: (message: string) => void }) {
  const users = useAsync((signal) => api.get('/api/v1/users', { signal }).catch(() => null), []);
  const [names, setNames] = useState('');
  const [picked, setPicked] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const candidates = (users.data ?? []).filter((u) => !enrolled.includes(u.username));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const usernames = [...new Set([...picked, ...names.split(/[\s,]+/).filter(Boolean)])];
    if (usernames.length === 0) return;
    setBusy(true);
    setError(undefined);
    try {
      await api.post('/api/v1/courses/{course}/students', { path: { course }, body: { usernames } });
      setNames('');
      setPicked([]);
      onChanged(`Enrolled ${usernames.join(', ')}.`);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="form-row" aria-label="Enrol students" onSubmit={(e) => void submit(e)}>
      {candidates.length > 0 && (
        <label>
          Pick users
          <select multiple value={picked} onChange={(e) => setPicked([...e.target.selectedOptions].map((o) => o.value))} size={Math.min(6, candidates.length)}>
            {candidates.map((u) => (
              <option key={u.id} value={u.username}>
                {u.username}
                {u.displayName ? ` (${u.displayName})` : ''} — {u.role}
              </option>
            ))}
          </select>
        </label>
      )}
      <label>
        Enrol students (usernames)
        <input value={names} onChange={(e) => setNames(e.target.value)} placeholder="sam, alex" />
      </label>
      <button type="submit" disabled={busy || (names.trim() === '' && picked.length === 0)}>
        Enrol
      </button>
      <ErrorBox error={error} />
    </form>
  );
}
