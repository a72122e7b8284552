// Where a migration is: its state and phase, the current phase's progress with rate and time left, its error. Shown
// by the Migrate dialog while it follows the migration it started, and by the migration's page.

import { formatRate, isFinal, type Migration } from '../api/migrations';
import { ErrorBox, formatBytes, ProgressBar } from './common';

export function MigrationProgressView({ migration }: { migration: Migration }) {
  // The OpenAPI document types numbers as number | string (the Server would read either); it writes numbers.
  const p = migration.progress && {
    bytesDone: Number(migration.progress.bytesDone),
    bytesTotal: Number(migration.progress.bytesTotal),
    rateBitsPerSecond: Number(migration.progress.rateBitsPerSecond),
    etaSeconds: migration.progress.etaSeconds == null ? null : Number(migration.progress.etaSeconds),
  };
  return (
    <>
      <p>
        <span className={`badge task-state-${migration.state}`}>{migration.state}</span>
        {migration.phase && <> phase {migration.phase}</>}
      </p>
      {p && p.bytesTotal > 0 && (
        <>
          <ProgressBar value={p.bytesDone / p.bytesTotal} label="Migration progress" />
          <p className="small">
            {formatBytes(p.bytesDone)} of {formatBytes(p.bytesTotal)} at {formatRate(p.rateBitsPerSecond)}
            {p.etaSeconds != null && !isFinal(migration) && <>, about {Math.ceil(p.etaSeconds)} s left</>}
          </p>
        </>
      )}
      {/* A succeeded migration's error is a note on what it could not do (a check-out that kept no server copy). */}
      {migration.error &&
        (migration.state === 'succeeded' ? <p className="warn">Note: {migration.error}</p> : <ErrorBox>{migration.error}</ErrorBox>)}
    </>
  );
}
