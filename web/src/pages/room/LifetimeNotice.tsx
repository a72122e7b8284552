// A room's lifetime (ADR 0058): when its machines stop and when it is deleted, said before it happens.

/** "in 2 h 5 min", "in 40 s", or "passed" for a time that is not ahead. */
export function untilText(at: string, now: number): string {
  const seconds = Math.round((new Date(at).getTime() - now) / 1000);
  if (seconds <= 0) return 'passed';
  const days = Math.floor(seconds / 86400);
  const hours = Math.floor((seconds % 86400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  if (days > 0) return `in ${days} d ${hours} h`;
  if (hours > 0) return `in ${hours} h ${minutes} min`;
  if (minutes > 0) return `in ${minutes} min`;
  return `in ${seconds} s`;
}

interface Props {
  stopsAt?: string | null;
  deletesAt?: string | null;
  now?: number;
}

export function LifetimeNotice({ stopsAt, deletesAt, now = Date.now() }: Props) {
  if (!stopsAt && !deletesAt) return null;
  const stopped = stopsAt != null && new Date(stopsAt).getTime() <= now;
  return (
    <p role="status" aria-label="Room lifetime" className={stopped ? 'warning-box' : 'muted'}>
      {stopsAt &&
        (stopped
          ? `This room's lifetime ended at ${new Date(stopsAt).toLocaleString()}: its machines are stopped and cannot start (apply it with a longer lifetime to run it again).`
          : `Its machines stop at ${new Date(stopsAt).toLocaleString()} (${untilText(stopsAt, now)}).`)}
      {stopsAt && deletesAt && ' '}
      {deletesAt && `The room and its disks are deleted at ${new Date(deletesAt).toLocaleString()} (${untilText(deletesAt, now)}).`}
    </p>
  );
}
