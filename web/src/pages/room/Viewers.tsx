// Who else has a console open on a machine (ADR 0050): a student always sees a teacher or admin watching or working.
import type { ConsoleViewer } from '../../api/types';

function describe(v: ConsoleViewer): string {
  const what = v.kind === 'vnc' ? 'screen' : 'serial console';
  return `${v.user} ${v.watchOnly ? 'is watching' : 'has open'} its ${what}${v.watchOnly ? ' (watch only)' : ''}`;
}

/** A notice per viewer, or nothing when no one else looks at the machine. */
export function Viewers({ viewers }: { viewers?: ConsoleViewer[] | null }) {
  if (!viewers?.length) return null;
  return (
    <ul className="viewers" role="status" aria-label="Others on this machine's consoles">
      {viewers.map((v) => (
        <li key={`${v.user}-${v.kind}-${v.since}`}>
          <span aria-hidden="true">👁 </span>
          {describe(v)}
        </li>
      ))}
    </ul>
  );
}

/** A short mark for a table cell: "👁 2" with the full list as its title. */
export function ViewersMark({ viewers }: { viewers?: ConsoleViewer[] | null }) {
  if (!viewers?.length) return null;
  const text = viewers.map(describe).join('; ');
  return (
    <span className="viewers-mark muted small" title={text} aria-label={text}>
      {' '}
      👁 {viewers.length}
    </span>
  );
}
