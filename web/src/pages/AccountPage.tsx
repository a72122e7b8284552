// Your account: who you are, and changing your own password (local accounts). The Server ends every session of the
// account on a change (issue 11), this one included, so a success sends you to sign in again.

import { useState, type FormEvent } from 'react';
import { api } from '../api/api';
import { ErrorBox, Loading } from '../components/common';
import { signIn, signOut } from '../auth/session';
import { useAsync } from '../hooks/useAsync';

export function AccountPage() {
  const me = useAsync((signal) => api.get('/api/v1/me', { signal }), []);
  const signInAgain = async () => {
    // The tokens this tab holds were revoked with the sessions: drop them, then the issuer's login page (or, if it
    // cannot be reached, a fresh load of the app, which then shows Sign in).
    await signOut();
    await signIn('/').catch(() => window.location.assign('/'));
  };
  return (
    <main className="page narrow">
      <h1>Your account</h1>
      <ErrorBox error={me.error} />
      {!me.data ? (
        <Loading what="your account" />
      ) : (
        <>
          <p>
            {me.data.user.username} ({me.data.user.role})
          </p>
          {me.data.user.source === 'local' ? (
            <ChangePasswordForm onChanged={signInAgain} />
          ) : (
            <p className="muted">Your account belongs to an external identity provider; change your password there.</p>
          )}
        </>
      )}
    </main>
  );
}

/** POST /api/v1/me/password; `onChanged` runs after a success (every session of the account has ended). */
export function ChangePasswordForm({ onChanged }: { onChanged: () => void | Promise<void> }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const fields = new FormData(event.currentTarget);
    setBusy(true);
    setError(undefined);
    try {
      await api.post('/api/v1/me/password', {
        body: {
          currentPassword: String(fields.get('currentPassword') ?? ''),
          newPassword: String(fields.get('newPassword') ?? ''),
          revokeApiTokens: fields.get('revokeApiTokens') === 'on',
        },
      });
    } catch (e) {
      setError(e);
      setBusy(false);
      return;
    }
    await onChanged();
  };

  return (
    <form aria-labelledby="password-heading" onSubmit={(e) => void submit(e)}>
      <h2 id="password-heading">Change password</h2>
      <p className="muted small">Changing it signs you out everywhere, here too: sign in again with the new password.</p>
      <div className="form-row">
        <label>
          Current password
          <input name="currentPassword" type="password" required autoComplete="current-password" />
        </label>
        <label>
          New password
          <input name="newPassword" type="password" required autoComplete="new-password" />
        </label>
      </div>
      <label>
        <input name="revokeApiTokens" type="checkbox" /> Also revoke my API tokens (the CLI and scripts must then log in again)
      </label>
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Changing…' : 'Change password'}
        </button>
      </div>
      <ErrorBox error={error} />
    </form>
  );
}
