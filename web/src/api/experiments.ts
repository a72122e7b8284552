// The read-only experiments API (issue 13 Deliver 5, ADR 0029). Its types are written here by hand after the Server's
// records (src/SkillVL.Core/Api/Experiments/*.cs) until schema.d.ts is generated again from the OpenAPI document.
import { api } from './api';

/** ExperimentSummary: a run directory of `skillvl experiment run`. */
export interface ExperimentSummary {
  name: string;
  modifiedAt: string;
  /** Complete rows of results.csv; null without a readable CSV. */
  runs: number | null;
  cells: number | null;
  succeeded: number | null;
  hasReport: boolean;
}

/** ExperimentDetails: a run for reading. */
export interface ExperimentDetails {
  summary: ExperimentSummary;
  /** environment.json as the runner wrote it. */
  environment: Record<string, unknown> | null;
  /** report.md's Markdown. */
  report: string | null;
  /** File names under plots/ (.png and .svg). */
  plots: string[];
  /** What the Server left out and why (a symlink, a file over its limit, JSON that does not parse). */
  notes: string[];
}

const base = '/api/v1/experiments';

export function listExperiments(signal?: AbortSignal): Promise<ExperimentSummary[]> {
  return api.getUntyped(base, signal);
}

export function getExperiment(name: string, signal?: AbortSignal): Promise<ExperimentDetails> {
  return api.getUntyped(`${base}/${encodeURIComponent(name)}`, signal);
}

/** A plot's bytes (PNG or SVG) through the authenticated API, for an object URL. */
export function getPlot(name: string, file: string, signal?: AbortSignal): Promise<Blob> {
  return api.getBlob(`${base}/${encodeURIComponent(name)}/plots/${encodeURIComponent(file)}`, signal);
}
