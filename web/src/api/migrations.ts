// Live migration of a machine to another node (issue 6). The endpoints are being built in another slice and are not
// in the generated contract (schema.d.ts) yet: these types are the agreed shape, written by hand until then.
import { api } from './api';

export interface MigrationRequest {
  /** The machine's id (MachineStatus.id). */
  machine: string;
  /** Target node name (GET /api/v1/nodes). */
  to: string;
  mode: 'live';
  /** e.g. "50Mbit"; absent: the Server's policy for the link. */
  maxBandwidth?: string;
  /** e.g. "300ms"; absent: the Server's policy. */
  downtimeLimit?: string;
}

export interface MigrationProgress {
  bytesDone: number;
  bytesTotal: number;
  rateBitsPerSecond: number;
  etaSeconds: number | null;
}

export interface Migration {
  id: string;
  /** e.g. "queued", "running", "succeeded", "failed", "cancelled". */
  state: string;
  /** e.g. "setup", "disk-mirror", "ram", "switch-over". */
  phase?: string | null;
  progress?: MigrationProgress | null;
  /** Measured numbers once known (downtime, bytes moved, …), name → value. */
  metrics?: Record<string, unknown> | null;
  error?: string | null;
}

const FINAL_STATES = new Set(['succeeded', 'failed', 'cancelled', 'canceled', 'aborted']);

export const isFinal = (migration: Migration) => FINAL_STATES.has(migration.state);

export function startMigration(request: MigrationRequest): Promise<Migration> {
  return api.untyped<Migration>('POST', '/api/v1/migrations', request);
}

export function getMigration(id: string, signal?: AbortSignal): Promise<Migration> {
  return api.untyped<Migration>('GET', `/api/v1/migrations/${encodeURIComponent(id)}`, undefined, signal);
}

/** "50.0 Mbit/s" from bits per second. */
export function formatRate(bitsPerSecond: number): string {
  const units = ['bit/s', 'kbit/s', 'Mbit/s', 'Gbit/s'];
  let value = bitsPerSecond;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}
