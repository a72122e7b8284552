// Live migration of a machine to another node (issue 6): the types are the generated contract (schema.d.ts from the
// Server's OpenAPI document).
import { api } from './api';
import type { components } from './schema';

export type MigrationRequest = components['schemas']['CreateMigrationRequest'];

export type MigrationProgress = components['schemas']['MigrationProgressInfo'];

export type Migration = components['schemas']['MigrationInfo'];

const FINAL_STATES = new Set(['succeeded', 'failed', 'cancelled']);

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
