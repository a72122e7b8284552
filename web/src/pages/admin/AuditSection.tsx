import { useState, type FormEvent } from 'react';
import { api } from '../../api/api';
import { num } from '../../api/client';
import { ErrorBox, Loading } from '../../components/common';
import { useAsync } from '../../hooks/useAsync';

const PAGE_SIZE = 50;

/** The audit log, newest first, a page at a time: "Older" asks for entries before the oldest shown (before=ID). */
export function AuditSection() {
  const [filter, setFilter] = useState({ user: '', action: '' });
  // The ids each page started before; the last one is the page shown (undefined: the newest page).
  const [cursors, setCursors] = useState<(number | undefined)[]>([undefined]);
  const before = cursors[cursors.length - 1];
  const page = useAsync(
    (signal) =>
      api.get('/api/v1/audit', {
        query: { user: filter.user || undefined, action: filter.action || undefined, before, limit: PAGE_SIZE },
        signal,
      }),
    [filter.user, filter.action, before],
  );

  const apply = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    setFilter({ user: String(data.get('user') ?? '').trim(), action: String(data.get('action') ?? '').trim() });
    setCursors([undefined]);
  };
  const entries = page.data ?? [];
  const oldest = entries.length > 0 ? num(entries[entries.length - 1].id) : undefined;

  return (
    <section aria-labelledby="audit-heading">
      <h2 id="audit-heading">Audit log</h2>
      <form className="form-row" onSubmit={apply}>
        <label>
          User
          <input name="user" defaultValue={filter.user} />
        </label>
        <label>
          Action contains
          <input name="action" defaultValue={filter.action} placeholder="console" />
        </label>
        <button type="submit">Filter</button>
      </form>
      <ErrorBox error={page.error} />
      {page.loading && !page.data ? (
        <Loading what="the audit log" />
      ) : (
        <table className="table">
          <caption>
            Page {cursors.length} ({entries.length} entries, newest first)
          </caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">User</th>
              <th scope="col">Action</th>
              <th scope="col">Target</th>
              <th scope="col">Outcome</th>
              <th scope="col">Detail</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((a) => (
              <tr key={num(a.id)}>
                <td className="small">{new Date(a.at).toLocaleString()}</td>
                <td>{a.username ?? '—'}</td>
                <td>{a.action}</td>
                <td className="small">{a.target ?? ''}</td>
                <td>{a.outcome}</td>
                <td className="small">{a.detail ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="actions">
        <button type="button" disabled={cursors.length === 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
          Newer
        </button>
        <button type="button" disabled={entries.length < PAGE_SIZE || oldest === undefined} onClick={() => setCursors((c) => [...c, oldest])}>
          Older
        </button>
      </div>
    </section>
  );
}
