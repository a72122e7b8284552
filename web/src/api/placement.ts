// Placement in the web (issue 14, Deliver 4; ADR 0027, 0030, 0035): the advisor's recommendations and accepting them,
// the controller's decision log and a manual evaluation (admin), and the placement policy of a course.
import { api } from './api';
import { num } from './client';
import type { Migration } from './migrations';
import type { components } from './schema';

type Schemas = components['schemas'];
export type Recommendation = Schemas['RecommendationInfo'];
export type PlacementDecision = Schemas['PlacementDecision'];
export type PlacementPolicy = Schemas['PlacementPolicyInfo'];
export type PlacementPolicyRequest = Schemas['PlacementPolicyRequest'];
export type QuietWindow = Schemas['QuietWindowInfo'];
export type NodeLoadSample = Schemas['NodeLoadSample'];

export const listRecommendations = (signal?: AbortSignal) => api.get('/api/v1/recommendations', { signal });

/**
 * Accept one: the Server asks the advisor and the policy again and starts the move only if it still holds; otherwise a
 * 409 whose detail says what changed (ApiError).
 */
export function acceptRecommendation(r: Recommendation): Promise<Migration> {
  return api.post('/api/v1/recommendations/accept', { body: { machine: r.machineId, to: r.to } }) as Promise<Migration>;
}

export const listDecisions = (limit: number, signal?: AbortSignal) => api.get('/api/v1/placement/decisions', { query: { limit }, signal });

export const evaluateNow = () => api.post('/api/v1/placement/evaluate');

/** The course's own policy, or null when none is set at the course (the less specific scopes decide). */
export async function getCoursePolicy(course: string, signal?: AbortSignal): Promise<PlacementPolicy | null> {
  try {
    return await api.get('/api/v1/placement/policies/{scope}/{target}', { path: { scope: 'course', target: course }, signal });
  } catch (e) {
    if ((e as { status?: number }).status === 404) return null;
    throw e;
  }
}

export const putCoursePolicy = (course: string, body: PlacementPolicyRequest) =>
  api.put('/api/v1/placement/policies/{scope}/{target}', { path: { scope: 'course', target: course }, body });

export const deleteCoursePolicy = (course: string) =>
  api.delete('/api/v1/placement/policies/{scope}/{target}', { path: { scope: 'course', target: course } });

const ms = (v: number | string | null | undefined) => (v == null ? null : num(v));

/** "console 40 ms → 1 ms", or null when the console round trip was not measured. */
function consoleGain(r: Recommendation): string | null {
  const before = ms(r.consoleBeforeMs);
  const after = ms(r.consoleAfterMs);
  if (before == null) return null;
  return after == null ? `console ${Math.round(before)} ms now` : `console ${Math.round(before)} ms → ${Math.round(after)} ms`;
}

/** "CPU 95% → 10%" for a move off a busy node, when both nodes reported their load. */
function cpuGain(r: Recommendation): string | null {
  const from = ms(r.sourceCpu);
  const to = ms(r.targetCpu);
  return from == null || to == null ? null : `CPU ${Math.round(from * 100)}% → ${Math.round(to * 100)}%`;
}

const TITLES: Record<string, (to: string) => string> = {
  'vertical-to-client': () => 'Run on my computer',
  'vertical-to-server': (to) => `Move back to the server ${to}`,
  horizontal: (to) => `Move to ${to}`,
};

/**
 * The recommendation in one line, as issue 14 words it: "Run on my computer: console 40 ms → 1 ms, about 45 s to move".
 * The parts the Server did not measure are left out; a move the model says would not converge says so.
 */
export function recommendationText(r: Recommendation): string {
  const title = (TITLES[r.kind] ?? ((to: string) => `Move to ${to}`))(r.to);
  const time = ms(r.predictedTimeMs);
  const parts = [consoleGain(r) ?? cpuGain(r), time == null ? 'the move would not converge' : `about ${Math.max(1, Math.round(time / 1000))} s to move`];
  return `${title}: ${parts.filter((p) => p !== null).join(', ')}`;
}

/**
 * Dismissals live in this browser's localStorage, keyed by machine and target, with the kind of move: a dismissed
 * recommendation stays hidden while the advisor keeps recommending that move, and comes back once it changed — it stopped
 * being recommended (then the dismissal is forgotten, see `forgetStaleDismissals`) or became a different kind of move.
 * The numbers in its reason change with every evaluation, so they are not part of the key. There is no per-user dismissal
 * on the Server yet (no schema change in session 12): another browser shows it again.
 */
const DISMISSED_KEY = 'skillvl.dismissedRecommendations';

const dismissKey = (r: Recommendation) => `${r.machineId}→${r.to}`;

function readDismissed(): Record<string, string> {
  try {
    const parsed: unknown = JSON.parse(window.localStorage.getItem(DISMISSED_KEY) ?? '{}');
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, string>) : {};
  } catch {
    return {};
  }
}

const writeDismissed = (value: Record<string, string>) => window.localStorage.setItem(DISMISSED_KEY, JSON.stringify(value));

export function isDismissed(r: Recommendation): boolean {
  return readDismissed()[dismissKey(r)] === r.kind;
}

export function dismiss(r: Recommendation): void {
  writeDismissed({ ...readDismissed(), [dismissKey(r)]: r.kind });
}

/**
 * Forgets the dismissals of moves no longer recommended, so that the same move recommended again later shows again.
 * Only for a complete answer of the Server (the caller's whole list), never a filtered one.
 */
export function forgetStaleDismissals(current: readonly Recommendation[]): void {
  const live = new Set(current.filter((r) => r.recommended).map(dismissKey));
  const stored = readDismissed();
  const kept = Object.fromEntries(Object.entries(stored).filter(([key]) => live.has(key)));
  if (Object.keys(kept).length !== Object.keys(stored).length) writeDismissed(kept);
}
