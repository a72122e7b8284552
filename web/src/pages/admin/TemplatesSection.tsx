import { useState, type FormEvent } from 'react';
import { api } from '../../api/api';
import { num } from '../../api/client';
import type { TemplateUploadInfo } from '../../api/types';
import { ErrorBox, formatBytes, Loading } from '../../components/common';
import { useAsync } from '../../hooks/useAsync';

export function TemplatesSection() {
  const templates = useAsync((signal) => api.get('/api/v1/templates', { signal }), []);
  return (
    <section aria-labelledby="templates-heading">
      <h2 id="templates-heading">Templates</h2>
      <ErrorBox error={templates.error} />
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
            </tr>
          </thead>
          <tbody>
            {templates.data.map((t) => (
              <tr key={t.name}>
                <th scope="row">{t.name}</th>
                <td>{t.boot}</td>
                <td>
                  {num(t.defaultCpus)} CPU, {formatBytes(num(t.defaultMemoryBytes))}
                </td>
                <td>{formatBytes(num(t.sizeBytes))}</td>
                <td className="hash">{t.sha256}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <UploadForm onUploaded={templates.reload} />
    </section>
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
