// Live migration of a machine to another node (issue 6): the types are the generated contract (schema.d.ts from the
// Server's OpenAPI document), except the plan and prediction, which the contract carries as opaque JSON.
import { api } from './api';
import type { components } from './schema';

export type MigrationRequest = components['schemas']['CreateMigrationRequest'];

export type Migration = components['schemas']['MigrationInfo'];

export type MigrationMetrics = components['schemas']['MigrationMetrics'];

const FINAL_STATES = new Set(['succeeded', 'failed', 'cancelled']);

export const isFinal = (migration: Pick<Migration, 'state'>) => FINAL_STATES.has(migration.state);

export function startMigration(request: MigrationRequest): Promise<Migration> {
  return api.post('/api/v1/migrations', { body: request });
}

export function getMigration(id: string, signal?: AbortSignal): Promise<Migration> {
  return api.get('/api/v1/migrations/{migration}', { path: { migration: id }, signal });
}

/** Newest first, without their logs; `machine` is a machine id or "room/machine". */
export function listMigrations(query: { machine?: string; limit?: number }, signal?: AbortSignal): Promise<Migration[]> {
  return api.get('/api/v1/migrations', { query, signal });
}

/** 202 once the Server has asked the runner to stop; 409 (an ApiError) when it is final or switching over. */
export function cancelMigration(id: string): Promise<Migration> {
  return api.post('/api/v1/migrations/{migration}/cancel', { path: { migration: id } });
}

/** A data rate as the Server's DataRate serializes (bytes per second, with two derived figures). */
interface DataRateJson {
  bytesPerSecond: number;
}

/**
 * `parameters`: MigrationParameters as src/SkillVL.Server/Migrations/MigrationJson.cs writes it (camelCase, enums as
 * their C# names, TimeSpan as "d.hh:mm:ss.fffffff"). The values are those in force: the policy may have raised the
 * downtime limit or lowered the throttle trigger since it planned; the reasons are the plan's.
 */
export interface MigrationPlan {
  maxBandwidth: DataRateJson;
  downtimeLimit: string;
  multifdChannels: number;
  compression: 'None' | 'Zstd';
  compressionLevel: number;
  xbzrleCacheBytes: number;
  autoConverge: boolean;
  throttleTriggerPercent: number;
  throttleTriggerLoweredAtPass: number | null;
  postCopy: boolean;
  transport: 'Qemu' | 'Tunnel';
  tunnelCompressionLevel: number;
  reasons: { parameter: string; reason: string }[];
}

/** `prediction`: what the pre-copy model expected with the plan (src/SkillVL.Core/Migration/MigrationPrediction.cs). */
export interface MigrationPredictionJson {
  converges: boolean;
  nonConvergenceReason: string | null;
  totalBytes: number;
  totalTime: string;
  downtime: string;
}

export const planOf = (migration: Migration) => migration.parameters as MigrationPlan | null;

export const predictionOf = (migration: Migration) => migration.prediction as MigrationPredictionJson | null;

// TimeSpan.MaxValue: the model's "never finishes" (a disk mirror that cannot catch up).
const TIME_SPAN_MAX = '10675199.02:48:05.4775807';

/** Milliseconds from a .NET TimeSpan as System.Text.Json writes it ("00:01:42.3509394", "1.02:00:00"); Infinity for MaxValue. */
export function timeSpanMs(text: string): number {
  if (text === TIME_SPAN_MAX) return Infinity;
  const match = /^(-)?(?:(\d+)\.)?(\d+):(\d+):(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) throw new Error(`not a TimeSpan: ${text}`);
  const [, minus, days = '0', hours, minutes, seconds, fraction = '0'] = match;
  const ms = (((Number(days) * 24 + Number(hours)) * 60 + Number(minutes)) * 60 + Number(seconds)) * 1000 + Number(`0.${fraction}`) * 1000;
  return minus ? -ms : ms;
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

/** "102.4 s", the unit the metrics quote a migration's total time in. */
export const formatSeconds = (ms: number) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : 'never finishes');

/** "212 ms", the unit the metrics quote a downtime in. */
export const formatMs = (ms: number) => (Number.isFinite(ms) ? `${Math.round(ms)} ms` : 'never finishes');

/** RAM, disk and template bytes together; null when none was measured (the migration has not ended). */
export function bytesMoved(metrics: MigrationMetrics): number | null {
  const parts = [metrics.ramBytes, metrics.diskBytes, metrics.baseBytes].filter((b) => b != null);
  return parts.length === 0 ? null : parts.reduce<number>((sum, b) => sum + Number(b), 0);
}

const LINK_SOURCES: Record<string, string> = {
  measured: "measured by the nodes' probe",
  request: 'given with the request',
  configured: 'configured',
  default: 'default',
};

/** Where the link figure the plan used came from, in words (MigrationLinkInfo.Source). */
export const linkSourceText = (source: string) => LINK_SOURCES[source] ?? source;
