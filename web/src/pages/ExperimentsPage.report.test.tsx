import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { act, render, screen, within } from '@testing-library/react';
import { MemoryRouter, Route, Routes } from 'react-router';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ExperimentDetails } from '../api/experiments';
import { useFakeServer } from '../testing/fakeServer';
import { ExperimentPage } from './ExperimentsPage';

vi.mock('../auth/session', () => ({ accessToken: async () => 'tok', refreshAccessToken: async () => null }));

// report.md as `skillvl experiment report` (SkillVL.Experiments' ReportWriter) wrote it from a made-up results.csv of
// 9 runs in 4 cells (the numbers are synthetic; the shape is the real writer's).
const REPORT = readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'experiment-report.md'), 'utf8');

const server = useFakeServer();
beforeEach(() => {
  let n = 0;
  URL.createObjectURL = () => `blob:test/${++n}`;
  URL.revokeObjectURL = () => {};
});

describe('ExperimentPage with a report the runner wrote', () => {
  it('renders its model-vs-measured table, its failed runs and both plots', async () => {
    const details: ExperimentDetails = {
      summary: { name: 'synthetic', modifiedAt: '2026-12-06T10:00:00Z', runs: 9, cells: 4, succeeded: 8, hasReport: true },
      environment: null,
      report: REPORT,
      plots: ['downtime-vs-dirty.png', 'downtime-vs-dirty.svg', 'time-vs-ram.png', 'time-vs-ram.svg'],
      notes: [],
    };
    server.answers['GET /api/v1/experiments/synthetic'] = [{ status: 200, body: details }];
    server.answers['GET /api/v1/experiments/synthetic/plots/time-vs-ram.png'] = [{ status: 200, body: 'a' }];
    server.answers['GET /api/v1/experiments/synthetic/plots/downtime-vs-dirty.png'] = [{ status: 200, body: 'b' }];
    render(
      <MemoryRouter initialEntries={['/experiments/synthetic']}>
        <Routes>
          <Route path="/experiments/:name" element={<ExperimentPage />} />
        </Routes>
      </MemoryRouter>,
    );
    await act(async () => new Promise((r) => setTimeout(r, 20)));

    const report = screen.getByRole('region', { name: 'Report' });
    const table = within(report).getByRole('table');
    const headers = within(table).getAllByRole('columnheader').map((h) => h.textContent);
    expect(headers).toEqual([
      'cell', 'ram', 'bandwidth', 'runs ok', 'total s', 'model total s', 'error', 'downtime ms (QEMU)', 'model downtime ms', 'error',
      'downtime ms (probe)', 'MiB on the link', 'Mbit/s',
    ]);
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(4);
    expect(within(rows[1]).getAllByRole('cell').map((c) => c.textContent).slice(0, 7)).toEqual(['c2440f212', '128Mi', '20Mbit', '2/2', '33.8 ± 0.1', '35.5', '+5 %']);
    expect(within(report).getByText(/median absolute error \+45 %/)).toBeTruthy();
    expect(within(report).getByRole('listitem').textContent).toBe('ca000004-r3: failed: migration failed: target, said "no"');
    expect(within(report).getByText('Model').tagName).toBe('STRONG');
    expect(within(report).getAllByRole('img').map((i) => i.getAttribute('alt'))).toEqual([
      'Total migration time vs RAM, per bandwidth',
      'Downtime (QEMU) vs dirty rate, per method',
    ]);
    expect(within(report).getAllByRole('button', { name: 'SVG' })).toHaveLength(2);
  });
});
