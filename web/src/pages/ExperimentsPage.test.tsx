import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { MemoryRouter, Route, Routes } from 'react-router';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ExperimentDetails, ExperimentSummary } from '../api/experiments';
import { useFakeServer } from '../testing/fakeServer';
import { ExperimentPage, ExperimentsPage } from './ExperimentsPage';

vi.mock('../auth/session', () => ({ accessToken: async () => 'tok', refreshAccessToken: async () => null }));

const server = useFakeServer();

// jsdom has no object URLs: each blob gets a numbered one, and revoking is recorded.
let made: Blob[] = [];
const revoked: string[] = [];
beforeEach(() => {
  made = [];
  revoked.length = 0;
  vi.stubGlobal('URL', Object.assign(URL, {
    createObjectURL: (blob: Blob) => `blob:test/${made.push(blob)}`,
    revokeObjectURL: (url: string) => revoked.push(url),
  }));
});
afterEach(() => vi.unstubAllGlobals());

const smoke: ExperimentSummary = { name: 'smoke', modifiedAt: '2026-12-06T10:00:00Z', runs: 4, cells: 2, succeeded: 3, hasReport: true };
const draft: ExperimentSummary = { name: 'draft-1', modifiedAt: '2026-12-05T10:00:00Z', runs: null, cells: null, succeeded: null, hasReport: false };

const REPORT = `# Experiment report

| cell | total s |
|---|---:|
| c1a2b3c4 | 12.5 ± 0.4 |

## Plots

![Total time vs RAM](plots/time-vs-ram.png) ([SVG](plots/time-vs-ram.svg))

![Missing](plots/gone.png)
`;

const details: ExperimentDetails = {
  summary: smoke,
  environment: { qemu: '7.2.0', cores: 2 },
  report: REPORT,
  plots: ['time-vs-ram.png', 'time-vs-ram.svg'],
  notes: ['plots/leak.png: a symbolic link, not served'],
};

async function renderAt(path: string) {
  const view = render(
    <MemoryRouter initialEntries={[path]}>
      <Routes>
        <Route path="/experiments" element={<ExperimentsPage />} />
        <Route path="/experiments/:name" element={<ExperimentPage />} />
      </Routes>
    </MemoryRouter>,
  );
  await act(async () => new Promise((r) => setTimeout(r, 20)));
  return view;
}

describe('ExperimentsPage', () => {
  it('lists the runs with their counts and links to each', async () => {
    server.answers['GET /api/v1/experiments'] = [{ status: 200, body: [smoke, draft] }];
    await renderAt('/experiments');
    const table = screen.getByRole('table', { name: 'Experiments' });
    const [, first, second] = within(table).getAllByRole('row');
    expect(within(first).getAllByRole('cell').map((c) => c.textContent).slice(2)).toEqual(['2', '4', '3', 'yes']);
    expect(within(first).getByRole('link', { name: 'smoke' }).getAttribute('href')).toBe('/experiments/smoke');
    expect(within(second).getAllByRole('cell').map((c) => c.textContent).slice(2)).toEqual(['—', '—', '—', 'no']);
    expect(first.querySelector('time')?.getAttribute('dateTime')).toBe(smoke.modifiedAt);
    expect(server.calls[0].auth).toBe('Bearer tok');
  });

  it('says how a run gets there when there is none', async () => {
    server.answers['GET /api/v1/experiments'] = [{ status: 200, body: [] }];
    await renderAt('/experiments');
    expect(screen.getByText(/No experiment runs yet/).textContent).toContain('SkillVL:Experiments:Directory');
  });

  it("shows a student the Server's 403", async () => {
    server.answers['GET /api/v1/experiments'] = [{ status: 403, body: { title: 'Forbidden', detail: 'Only teachers and admins can read experiments.' } }];
    await renderAt('/experiments');
    expect(screen.getByRole('alert').textContent).toBe('Only teachers and admins can read experiments.');
  });
});

describe('ExperimentPage', () => {
  it('renders the report with its PNG plots fetched through the API as blobs, and what the Server left out', async () => {
    server.answers['GET /api/v1/experiments/smoke'] = [{ status: 200, body: details }];
    server.answers['GET /api/v1/experiments/smoke/plots/time-vs-ram.png'] = [{ status: 200, body: 'png-bytes' }];
    const view = await renderAt('/experiments/smoke');

    expect(screen.getByRole('heading', { level: 1, name: 'smoke' })).toBeTruthy();
    const report = screen.getByRole('region', { name: 'Report' });
    expect(within(report).getByRole('cell', { name: '12.5 ± 0.4' })).toBeTruthy();
    const img = within(report).getByRole('img', { name: 'Total time vs RAM' });
    expect(img.getAttribute('src')).toBe('blob:test/1');
    expect(await made[0].text()).toBe('"png-bytes"');
    const plotCall = server.calls.find((c) => c.key === 'GET /api/v1/experiments/smoke/plots/time-vs-ram.png');
    expect(plotCall?.auth).toBe('Bearer tok');
    // Only the listed PNGs are fetched: not the SVG, not a plot the run does not have.
    expect(server.calls.map((c) => c.key)).toEqual(['GET /api/v1/experiments/smoke', 'GET /api/v1/experiments/smoke/plots/time-vs-ram.png']);
    expect(within(report).getByText('[Missing: not available]')).toBeTruthy();
    expect(screen.getByRole('status').textContent).toContain('plots/leak.png: a symbolic link, not served');
    expect(screen.getByText('qemu').nextSibling?.textContent).toBe('7.2.0');

    view.unmount();
    expect(revoked).toEqual(['blob:test/1']);
  });

  it('downloads an SVG plot as a file instead of opening it (its script would run in the app origin)', async () => {
    server.answers['GET /api/v1/experiments/smoke'] = [{ status: 200, body: details }];
    server.answers['GET /api/v1/experiments/smoke/plots/time-vs-ram.png'] = [{ status: 200, body: 'png' }];
    server.answers['GET /api/v1/experiments/smoke/plots/time-vs-ram.svg'] = [{ status: 200, body: '<svg><script>alert(1)</script></svg>' }];
    await renderAt('/experiments/smoke');
    const clicked: HTMLAnchorElement[] = [];
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this);
    });

    const svg = screen.getByRole('button', { name: 'SVG' });
    expect(screen.queryByRole('link', { name: 'SVG' })).toBeNull();
    fireEvent.click(svg);
    await act(async () => new Promise((r) => setTimeout(r, 20)));

    expect(server.count('GET /api/v1/experiments/smoke/plots/time-vs-ram.svg')).toBe(1);
    expect(clicked).toHaveLength(1);
    expect(clicked[0].download).toBe('time-vs-ram.svg');
    expect(made.at(-1)?.type).toBe('application/octet-stream');
    click.mockRestore();
  });

  it('shows a 404 for an unknown run', async () => {
    server.answers['GET /api/v1/experiments/nope'] = [{ status: 404, body: { title: 'Not found', detail: "Experiment 'nope' does not exist." } }];
    await renderAt('/experiments/nope');
    expect(screen.getByRole('alert').textContent).toBe("Experiment 'nope' does not exist.");
  });
});
