// An admin adds a local account in the browser (POST /users, issue 17 Deliver 3): without a password the Server makes
// one and returns it once, shown here for the admin to hand over.

import { useState, type FormEvent } from 'react';
import { api } from '../../api/api';
import { ErrorBox } from '../../components/common';

export const ROLES = ['student', 'teacher', 'admin'] as const;

export function AddUserForm({ onAdded }: { onAdded: () => void }) {
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [role, setRole] = useState<string>('student');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<{ username: string; password: string | null }>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    try {
      const created = await api.post('/api/v1/users', {
        body: { username: username.trim(), role, displayName: displayName.trim() || null, password: password === '' ? null : password },
      });
      setDone({ username: created.user.username, password: created.initialPassword });
      setUsername('');
      setDisplayName('');
      setPassword('');
      onAdded();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form aria-labelledby="add-user-heading" onSubmit={(e) => void submit(e)}>
      <h3 id="add-user-heading">Add a user</h3>
      <div className="form-row">
        <label>
          Username
          <input value={username} onChange={(e) => setUsername(e.target.value)} required autoComplete="off" />
        </label>
        <label>
          Name
          <input value={displayName} onChange={(e) => setDisplayName(e.target.value)} autoComplete="off" />
        </label>
        <label>
          Role
          <select value={role} onChange={(e) => setRole(e.target.value)}>
            {ROLES.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </label>
        <label>
          Password (empty: generate one)
          <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" />
        </label>
        <button type="submit" className="primary" disabled={busy || username.trim() === ''}>
          Add user
        </button>
      </div>
      {done && (
        <p role="status">
          Added {done.username}.
          {done.password && (
            <>
              {' '}
              Their password, shown only now: <code>{done.password}</code>
            </>
          )}
        </p>
      )}
      <ErrorBox error={error} />
    </form>
  );
}
