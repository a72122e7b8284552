import { useState, type FormEvent } from 'react';
import { api } from '../../api/api';
import { ApiError, num } from '../../api/client';
import type { TemplateUploadInfo } from '../../api/types';
import { ErrorBox, formatBytes, Loading } from '../../components/common';
import { useAsync } from '../../hooks/useAsync';

export function TemplatesSection() {
  const templates = useAsync((signal) => api.get('/api/v1/templates', { signal }), []);
  // Listing is open to everyone; deleting is an admin's (the Server refuses others with 403, this only declutters).
  const me = useAsync((signal) => api.get('/api/v1/me', { signal }), []);
  const isAdmin = me.data?.user.role === 'admin';
  const [deleteError, setDeleteError] = useState<{ name: string; error: unknown } | null>(null);
  const [deleting, setDeleting] = useState<string | null>(null);

  const remove = async (name: string) => {
    if (!window.confirm(`Delete template ${name}? Rooms can no longer create machines from it.`)) return;
    setDeleting(name);
    setDeleteError(null);
    try {
      await api.delete('/api/v1/templates/{name}', { path: { name } });
      templates.reload();
    } catch (e) {
      setDeleteError({ name, error: e });
    } finally {
      setDeleting(null);
    }
  };
  return (
    <section aria-labelledby="templates-heading">
      <h2 id="templates-heading">Templates</h2>
      <ErrorBox error={templates.error} />
      {deleteError && <DeleteError name={deleteError.name} error={deleteError.error} />}
      {!templates.data ? (
        <Loading what="templates" />
      ) : (
        <table className="table">
          <caption className="sr-only">Templates</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Boot</th>
              <th scope="col">Defaults</th>
              <th scope="col">Size</th>
              <th scope="col">sha256 (content address)</th>
              {isAdmin && (
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {templates.data.map((t) => (
              <tr key={t.name}>
                <th scope="row">
                  {t.name}
                  {t.unusable && (
                    <>
                      {' '}
                      <span className="badge phase-degraded">unusable</span>
                      <span className="small unusable-reason">{t.unusable}</span>
                    </>
                  )}
                </th>
                <td>{t.boot}</td>
                <td>
                  {num(t.defaultCpus)} CPU, {formatBytes(num(t.defaultMemoryBytes))}
                </td>
                <td>{formatBytes(num(t.sizeBytes))}</td>
                <td className="hash">{t.sha256}</td>
                {isAdmin && (
                  <td>
                    <button type="button" className="danger" aria-label={`Delete template ${t.name}`} disabled={deleting !== null} onClick={() => void remove(t.name)}>
                      {deleting === t.name ? 'Deleting…' : 'Delete'}
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <UploadForm onUploaded={templates.reload} />
    </section>
  );
}

interface TemplateUser {
  room: string;
  owner: string;
  machines: string[];
}

/** A refused delete; a 409 lists the rooms (and their owners) whose machines still use the template. */
function DeleteError({ name, error }: { name: string; error: unknown }) {
  const usedBy = error instanceof ApiError && error.status === 409 && Array.isArray(error.problem?.usedBy) ? (error.problem.usedBy as TemplateUser[]) : null;
  if (!usedBy) return <ErrorBox error={error} />;
  return (
    <ErrorBox>
      Template {name} is still used; delete these rooms (or change their machines' template) first:
      <ul>
        {usedBy.map((u) => (
          <li key={`${u.owner}/${u.room}`}>
            room {u.room} of user {u.owner} ({u.machines.join(', ')})
          </li>
        ))}
      </ul>
    </ErrorBox>
  );
}

function UploadForm({ onUploaded }: { onUploaded: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<TemplateUploadInfo | null>(null);
  const [file, setFile] = useState<File | null>(null);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!file) return;
    // The text fields from the form, the file as chosen (sent last, so the Server reads the fields first).
    const fields = new FormData(event.currentTarget);
    const form = new FormData();
    for (const name of ['name', 'defaultCpus', 'defaultMemoryMiB']) form.set(name, String(fields.get(name) ?? ''));
    form.set('disk', file, file.name);
    setBusy(true);
    setError(undefined);
    setDone(null);
    try {
      setDone(await api.post('/api/v1/templates', { form }));
      onUploaded();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form aria-labelledby="upload-heading" onSubmit={(e) => void submit(e)}>
      <h3 id="upload-heading">Upload a qcow2 disk</h3>
      <p className="muted small">
        The disk boots from its own bootloader (boot: disk). Uploading to a name that exists makes it point at the new disk; machines made
        from the old one keep it.
      </p>
      <div className="form-row">
        <label>
          Name
          <input name="name" required pattern="[a-z][a-z0-9\-]{0,39}" placeholder="debian12" />
        </label>
        <label>
          Default CPUs
          <input name="defaultCpus" type="number" min={1} max={64} defaultValue={1} />
        </label>
        <label>
          Default memory (MiB)
          <input name="defaultMemoryMiB" type="number" min={16} defaultValue={256} />
        </label>
        <label>
          qcow2 file
          <input type="file" required accept=".qcow2,.img,application/octet-stream" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        </label>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Uploading…' : 'Upload'}
        </button>
      </div>
      <ErrorBox error={error} />
      {done && (
        <div className="info-box" role="status">
          Template {done.template.name} stored: {formatBytes(num(done.diskBytes))}, disk sha256 <span className="hash">{done.diskSha256}</span>
        </div>
      )}
    </form>
  );
}
