// What a course's teacher may change after creating it, as PATCH /courses/{course} takes it: the title, the quota for
// all its instances together, whether students may run their instances on their own computers, and the check-out lease.

import { useState, type FormEvent } from 'react';
import { api } from '../../api/api';
import type { CourseInfo } from '../../api/types';
import { ErrorBox } from '../../components/common';
import { QuotaFields, quotaLimits, quotaText } from './QuotaFields';

export function CourseSettings({ course, onChanged }: { course: CourseInfo; onChanged: (message: string) => void }) {
  const [title, setTitle] = useState(course.title ?? '');
  const [allowClientNodes, setAllowClientNodes] = useState(course.allowClientNodes);
  const [lease, setLease] = useState(course.checkoutLease ?? '');
  const [quotaFields, setQuotaFields] = useState(quotaText(course.quota));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const body = {
        title: title.trim(),
        allowClientNodes,
        checkoutLease: lease.trim() === '' ? 'default' : lease.trim(),
        quota: quotaLimits(quotaFields, course.quota),
      };
      await api.patch('/api/v1/courses/{course}', { path: { course: course.name }, body });
      onChanged('Course settings saved.');
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form aria-labelledby="settings-heading" onSubmit={(e) => void submit(e)}>
      <h2 id="settings-heading">Settings</h2>
      <label>
        Title
        <input value={title} onChange={(e) => setTitle(e.target.value)} maxLength={200} />
      </label>
      <QuotaFields value={quotaFields} onChange={setQuotaFields} />
      <label className="checkbox">
        <input type="checkbox" checked={allowClientNodes} onChange={(e) => setAllowClientNodes(e.target.checked)} />
        Students may run their instances on their own computers
      </label>
      <div className="form-row">
        <label>
          Check-out lease
          <input value={lease} onChange={(e) => setLease(e.target.value)} placeholder="the platform's" aria-describedby="lease-hint" />
        </label>
        <button type="submit" disabled={busy}>
          Save settings
        </button>
      </div>
      <p id="lease-hint" className="muted small">
        How long a machine may stay checked out to a student's computer, e.g. 2d or 36h; empty for the platform's.
      </p>
      <ErrorBox error={error} />
    </form>
  );
}
