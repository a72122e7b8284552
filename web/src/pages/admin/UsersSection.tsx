import { api } from '../../api/api';
import { num } from '../../api/client';
import { ErrorBox, formatBytes, Loading } from '../../components/common';
import { useAsync } from '../../hooks/useAsync';

export function UsersSection() {
  const users = useAsync((signal) => api.get('/api/v1/users', { signal }), []);
  return (
    <section aria-labelledby="users-heading">
      <h2 id="users-heading">Users</h2>
      <p className="muted small">Add users with `skillvl user add NAME --role student|teacher|admin`.</p>
      <ErrorBox error={users.error} />
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
                <td className="small">
                  {u.quotaOverride
                    ? [
                        u.quotaOverride.cpus != null && `${num(u.quotaOverride.cpus)} CPU`,
                        u.quotaOverride.memoryBytes != null && formatBytes(num(u.quotaOverride.memoryBytes)),
                        u.quotaOverride.runningVms != null && `${num(u.quotaOverride.runningVms)} VMs`,
                      ]
                        .filter(Boolean)
                        .join(', ')
                    : 'role default'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
