// A teacher or admin creates a course in the browser (issue 17 Deliver 1): what POST /courses takes — its name, a
// title, an optional quota for all its instances together, and whether students may run them on their own machines.

import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { api } from '../../api/api';
import { ErrorBox } from '../../components/common';

const GIB = 1024 ** 3;

/** A number field's value, or null when empty (the Server then applies no limit of its own). */
function limit(text: string, scale = 1): number | null {
  return text.trim() === '' ? null : Math.round(Number(text) * scale);
}

export function NewCourseForm() {
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [title, setTitle] = useState('');
  const [cpus, setCpus] = useState('');
  const [memoryGiB, setMemoryGiB] = useState('');
  const [runningVms, setRunningVms] = useState('');
  const [allowClientNodes, setAllowClientNodes] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const quota = { cpus: limit(cpus), memoryBytes: limit(memoryGiB, GIB), runningVms: limit(runningVms) };
      const anyLimit = Object.values(quota).some((v) => v !== null);
      const created = await api.post('/api/v1/courses', {
        body: { name: name.trim(), title: title.trim() || null, quota: anyLimit ? quota : null, allowClientNodes },
      });
      navigate(`/courses/${encodeURIComponent(created.name)}`);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form aria-labelledby="new-course-heading" onSubmit={(e) => void submit(e)}>
      <h2 id="new-course-heading">New course</h2>
      <div className="form-row">
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} required placeholder="net101" aria-describedby="course-name-hint" />
        </label>
        <label>
          Title
          <input value={title} onChange={(e) => setTitle(e.target.value)} placeholder="Networks 101" />
        </label>
      </div>
      <p id="course-name-hint" className="muted small">
        The name is short, lower case, letters, digits and dashes; students see the title.
      </p>
      <fieldset className="form-row">
        <legend>Quota for all the course's instances together (empty: no course limit)</legend>
        <label>
          vCPUs
          <input type="number" min={1} value={cpus} onChange={(e) => setCpus(e.target.value)} />
        </label>
        <label>
          Memory (GiB)
          <input type="number" min={0.125} step={0.125} value={memoryGiB} onChange={(e) => setMemoryGiB(e.target.value)} />
        </label>
        <label>
          Running machines
          <input type="number" min={1} value={runningVms} onChange={(e) => setRunningVms(e.target.value)} />
        </label>
      </fieldset>
      <label className="checkbox">
        <input type="checkbox" checked={allowClientNodes} onChange={(e) => setAllowClientNodes(e.target.checked)} />
        Students may run their instances on their own computers
      </label>
      <button type="submit" className="primary" disabled={busy || name.trim() === ''}>
        Create course
      </button>
      <ErrorBox error={error} />
    </form>
  );
}
