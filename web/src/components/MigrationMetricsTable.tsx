// What a migration measured once it ended (issue 6: the metrics in the API, the CLI and the UI), in units people
// read: seconds for the whole move, milliseconds for the pause, bytes in binary units, rates in bits. Shown by the
// Migrate dialog when its migration ends, and by the migration's page.

import { num } from '../api/client';
import { formatMs, formatRate, formatSeconds, isFinal, type Migration } from '../api/migrations';
import { FactsSection, formatBytes } from './common';

export function MigrationMetricsTable({ migration, level }: { migration: Migration; level: 2 | 3 }) {
  const m = migration.metrics;
  // Null: not reached (it ended before) or not measured.
  const figure = (value: number | string | null, format: (n: number) => string, otherwise = '—') => (value == null ? otherwise : format(num(value)));
  const measured = Object.values(m).some((value) => value != null);
  return (
    <FactsSection
      title="Metrics"
      level={level}
      rows={
        measured
          ? [
              ['Total time', figure(m.totalTimeMs, formatSeconds)],
              ['QEMU downtime', figure(m.downtimeMs, formatMs)],
              // Only when the room has another running machine on the machine's network to ping from (or the request brought it).
              ['Downtime seen by a peer', figure(m.probeDowntimeMs, formatMs, 'not measured')],
              ['RAM sent', figure(m.ramBytes, formatBytes)],
              ['Disk sent', figure(m.diskBytes, formatBytes)],
              ['Template sent', figure(m.baseBytes, formatBytes)],
              ['Average throughput', figure(m.averageThroughputBitsPerSecond, formatRate)],
            ]
          : null
      }
      note={isFinal(migration) ? 'Nothing was measured.' : 'Measured once the migration ends.'}
    />
  );
}
