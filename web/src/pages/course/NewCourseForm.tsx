// A teacher or admin creates a course in the browser (issue 17 Deliver 1): what POST /courses takes — its name, a
// title, an optional quota for all its instances together, and whether students may run them on their own machines.

import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { api } from '../../api/api';
import { ErrorBox } from '../../components/common';
import { QuotaFields, quotaLimits, quotaText } from './QuotaFields';

export function NewCourseForm() {
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [title, setTitle] = useState('');
  const [quotaFields, setQuotaFields] = useState(quotaText(null));
  const [allowClientNodes, setAllowClientNodes] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const quota = quotaLimits(quotaFields);
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
      <QuotaFields value={quotaFields} onChange={setQuotaFields} />
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
