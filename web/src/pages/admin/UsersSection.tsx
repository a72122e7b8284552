import { useState } from 'react';
import { api } from '../../api/api';
import { num } from '../../api/client';
import type { UserInfo } from '../../api/types';
import { ErrorBox, formatBytes, Loading } from '../../components/common';
import { useAsync } from '../../hooks/useAsync';
import { AddUserForm } from './AddUserForm';

/** The platform's roles, highest first (PlatformRoles on the Server). */
const roles = ['admin', 'teacher', 'student'];

function quotaText(u: UserInfo): string {
  if (!u.quotaOverride) return 'role default';
  return [
    u.quotaOverride.cpus != null && `${num(u.quotaOverride.cpus)} CPU`,
    u.quotaOverride.memoryBytes != null && formatBytes(num(u.quotaOverride.memoryBytes)),
    u.quotaOverride.runningVms != null && `${num(u.quotaOverride.runningVms)} VMs`,
  ]
    .filter(Boolean)
    .join(', ');
}

/**
 * Users, adding one, resetting a local account's password (the Server makes a new one, shown once, and ends the user's
 * sessions and API tokens), deleting one without rooms, setting a local account's role, and disabling or enabling an
 * account (issue 17 Deliver 3, ADR 0043). An external account's role comes from its identity provider, so it has no
 * select. Changing one's own role or disabling oneself is refused by the Server, whose message is shown.
 */
export function UsersSection() {
  const users = useAsync((signal) => api.get('/api/v1/users', { signal }), []);
  const [status, setStatus] = useState<{ text: string; password?: string | null }>();
  const [error, setError] = useState<unknown>();

  const resetPassword = async (u: UserInfo) => {
    if (!window.confirm(`Reset the password of ${u.username}? Their sessions and API tokens end.`)) return;
    setError(undefined);
    try {
      const answer = await api.put('/api/v1/users/{user}/password', { path: { user: u.id }, body: {} });
      setStatus({ text: `New password of ${u.username}, shown only now:`, password: answer.initialPassword });
    } catch (e) {
      setError(e);
    }
  };

  const setRole = async (u: UserInfo, role: string) => {
    if (role === u.role) return;
    if (!window.confirm(`Make ${u.username} ${role === 'admin' ? 'an' : 'a'} ${role}? It counts from their next request.`)) return;
    setError(undefined);
    try {
      const answer = await api.put('/api/v1/users/{user}/role', { path: { user: u.id }, body: { role } });
      setStatus({ text: `${answer.username} is now ${answer.role}.` });
    } catch (e) {
      setError(e);
    }
    users.reload();
  };

  const setDisabled = async (u: UserInfo, disable: boolean) => {
    const question = disable
      ? `Disable ${u.username}? They cannot log in, every session of theirs ends and their API tokens are refused until the account is enabled again. Their rooms and VMs are left as they are.`
      : `Enable ${u.username}? They can log in with their password again; old sessions stay ended.`;
    if (!window.confirm(question)) return;
    setError(undefined);
    try {
      const path = disable ? '/api/v1/users/{user}/disable' : '/api/v1/users/{user}/enable';
      await api.post(path, { path: { user: u.id } });
      setStatus({ text: `${disable ? 'Disabled' : 'Enabled'} ${u.username}.` });
      users.reload();
    } catch (e) {
      setError(e);
    }
  };

  const remove = async (u: UserInfo) => {
    if (!window.confirm(`Delete the user ${u.username}?`)) return;
    setError(undefined);
    try {
      await api.delete('/api/v1/users/{user}', { path: { user: u.id } });
      setStatus({ text: `Deleted ${u.username}.` });
      users.reload();
    } catch (e) {
      setError(e);
    }
  };

  return (
    <section aria-labelledby="users-heading">
      <h2 id="users-heading">Users</h2>
      <ErrorBox error={users.error} />
      <ErrorBox error={error} />
      {status && (
        <p role="status">
          {status.text} {status.password && <code>{status.password}</code>}
        </p>
      )}
      {!users.data ? (
        <Loading what="users" />
      ) : (
        <table className="table">
          <caption className="sr-only">Users</caption>
          <thead>
            <tr>
              <th scope="col">Username</th>
              <th scope="col">Name</th>
              <th scope="col">Role</th>
              <th scope="col">State</th>
              <th scope="col">Signs in via</th>
              <th scope="col">Since</th>
              <th scope="col">Own quota</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {users.data.map((u) => (
              <tr key={u.id}>
                <th scope="row">{u.username}</th>
                <td>{u.displayName ?? ''}</td>
                <td>
                  {u.source === 'local' ? (
                    <select aria-label={`Role of ${u.username}`} value={u.role} onChange={(e) => void setRole(u, e.target.value)}>
                      {roles.map((r) => (
                        <option key={r} value={r}>
                          {r}
                        </option>
                      ))}
                    </select>
                  ) : (
                    u.role
                  )}
                </td>
                <td>{u.disabledAt ? <strong>disabled since {new Date(u.disabledAt).toLocaleDateString()}</strong> : 'enabled'}</td>
                <td>{u.source}</td>
                <td>{new Date(u.createdAt).toLocaleDateString()}</td>
                <td className="small">{quotaText(u)}</td>
                <td>
                  {u.source === 'local' && (
                    <button type="button" aria-label={`Reset password of ${u.username}`} onClick={() => void resetPassword(u)}>
                      Reset password
                    </button>
                  )}{' '}
                  {u.disabledAt ? (
                    <button type="button" aria-label={`Enable ${u.username}`} onClick={() => void setDisabled(u, false)}>
                      Enable
                    </button>
                  ) : (
                    <button type="button" className="danger" aria-label={`Disable ${u.username}`} onClick={() => void setDisabled(u, true)}>
                      Disable
                    </button>
                  )}{' '}
                  <button type="button" className="danger" aria-label={`Delete user ${u.username}`} onClick={() => void remove(u)}>
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <AddUserForm onAdded={users.reload} />
    </section>
  );
}
