import { useState } from 'react';
import { api } from '../../api/api';
import { num } from '../../api/client';
import type { UserInfo } from '../../api/types';
import { ErrorBox, formatBytes, Loading } from '../../components/common';
import { useAsync } from '../../hooks/useAsync';
import { AddUserForm } from './AddUserForm';

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
 * sessions and API tokens) and deleting one without rooms (issue 17 Deliver 3). The API has no role change yet.
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
                <td>{u.role}</td>
                <td>{u.source}</td>
                <td>{new Date(u.createdAt).toLocaleDateString()}</td>
                <td className="small">{quotaText(u)}</td>
                <td>
                  {u.source === 'local' && (
                    <button type="button" aria-label={`Reset password of ${u.username}`} onClick={() => void resetPassword(u)}>
                      Reset password
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
