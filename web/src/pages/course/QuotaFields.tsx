// A course's quota for all its instances together, as the form fields of the new-course form and the course settings
// (POST and PATCH /courses take the same QuotaLimits): empty is "no limit of the course's own".

export const GIB = 1024 ** 3;

/** The fields' text: what the person typed, so an unfinished number is not rewritten under their cursor. */
export interface QuotaText {
  cpus: string;
  memoryGiB: string;
  runningVms: string;
}

/** The Server's QuotaLimits (its numbers may arrive as strings: the contract allows both). */
export interface CourseQuota {
  cpus?: number | string | null;
  memoryBytes?: number | string | null;
  diskBytes?: number | string | null;
  runningVms?: number | string | null;
}

/** What this form sends: numbers or null. */
export interface QuotaBody {
  cpus: number | null;
  memoryBytes: number | null;
  diskBytes: number | null;
  runningVms: number | null;
}

/** A number field's value, or null when empty (the Server then applies no limit of its own). */
function limit(text: string, scale = 1): number | null {
  return text.trim() === '' ? null : Math.round(Number(text) * scale);
}

function text(value: number | string | null | undefined, scale = 1): string {
  return value == null ? '' : String(Number(value) / scale);
}

/** The fields for a course's current quota (none: all empty). */
export function quotaText(quota: CourseQuota | null | undefined): QuotaText {
  return { cpus: text(quota?.cpus), memoryGiB: text(quota?.memoryBytes, GIB), runningVms: text(quota?.runningVms) };
}

/**
 * The quota the fields say. The form has no disk field: a disk limit set through the API is kept (`keep`), since a quota
 * sent to PATCH replaces the course's limits as a whole.
 */
export function quotaLimits(fields: QuotaText, keep?: CourseQuota | null): QuotaBody {
  return {
    cpus: limit(fields.cpus),
    memoryBytes: limit(fields.memoryGiB, GIB),
    diskBytes: keep?.diskBytes == null ? null : Number(keep.diskBytes),
    runningVms: limit(fields.runningVms),
  };
}

export function QuotaFields({ value, onChange }: { value: QuotaText; onChange: (value: QuotaText) => void }) {
  return (
    <fieldset className="form-row">
      <legend>Quota for all the course's instances together (empty: no course limit)</legend>
      <label>
        vCPUs
        <input type="number" min={1} value={value.cpus} onChange={(e) => onChange({ ...value, cpus: e.target.value })} />
      </label>
      <label>
        Memory (GiB)
        <input type="number" min={0.125} step={0.125} value={value.memoryGiB} onChange={(e) => onChange({ ...value, memoryGiB: e.target.value })} />
      </label>
      <label>
        Running machines
        <input type="number" min={1} value={value.runningVms} onChange={(e) => onChange({ ...value, runningVms: e.target.value })} />
      </label>
    </fieldset>
  );
}
