import { useState, type FormEvent } from 'react';
import { api } from '../../api/api';
import { ErrorBox } from '../../components/common';

/** Enrols existing users by username; each gets an instance of the latest published version. */
export function EnrolForm({ course, onChanged }: { course: string; onChanged: (message: string) => void }) {
  const [names, setNames] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const usernames = names.split(/[\s,]+/).filter(Boolean);
    if (usernames.length === 0) return;
    setBusy(true);
    setError(undefined);
    try {
      await api.post('/api/v1/courses/{course}/students', { path: { course }, body: { usernames } });
      setNames('');
      onChanged(`Enrolled ${usernames.join(', ')}.`);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="form-row" onSubmit={(e) => void submit(e)}>
      <label>
        Enrol students (usernames)
        <input value={names} onChange={(e) => setNames(e.target.value)} placeholder="sam, alex" />
      </label>
      <button type="submit" disabled={busy || names.trim() === ''}>
        Enrol
      </button>
      <ErrorBox error={error} />
    </form>
  );
}
