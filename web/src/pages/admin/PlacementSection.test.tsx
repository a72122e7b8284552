import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { describe, expect, it, vi } from 'vitest';
import type { PlacementDecision } from '../../api/placement';
import { useFakeServer } from '../../testing/fakeServer';
import { PlacementSection } from './PlacementSection';

vi.mock('../../auth/session', () => ({ accessToken: async () => 'tok', refreshAccessToken: async () => null }));

const server = useFakeServer();
const GiB = 1024 ** 3;
const DECISIONS = 'GET /api/v1/placement/decisions?limit=50';
const EVALUATE = 'POST /api/v1/placement/evaluate';

const node = (name: string, load: object | null) => ({
  name, kind: 'agent', state: 'ready', accelerator: 'tcg', cpus: 2, memoryBytes: 4 * GiB, machinesRunning: 1, cpusAllocated: 1, memoryBytesAllocated: GiB,
  drained: false, underlayAddress: null, labels: null, allocation: 'all', owner: null, load,
});
const hot = { cpuUtilization: 0.93, loadAverage1: 3.5, runQueue: 4, memoryAvailableBytes: GiB, memoryTotalBytes: 4 * GiB, cpuPressure: 41.5, memoryPressure: 0, ioPressure: 2.25, at: '2026-12-06T22:00:00Z' };
const decision = (extra: Partial<PlacementDecision> = {}): PlacementDecision => ({
  at: '2026-12-06T22:00:30Z', machine: 'lab/web', machineId: 'm-web', from: 'node1', to: 'node2', kind: 'horizontal', outcome: 'acted', code: 'auto',
  reason: 'auto: node1 is hot (CPU 93%), node2 has room', migrationId: 'mig-3', ...extra,
});

async function renderSection() {
  render(
    <MemoryRouter>
      <PlacementSection />
    </MemoryRouter>,
  );
  await act(async () => {});
}

describe('PlacementSection', () => {
  it("shows each node's reported load, and a dash where a node sent none", async () => {
    server.answers['GET /api/v1/nodes'] = [{ status: 200, body: [node('node1', hot), node('node2', null)] }];
    server.answers[DECISIONS] = [{ status: 200, body: [] }];
    await renderSection();

    const table = screen.getByRole('table', { name: "Nodes' load" });
    const node1 = within(table).getByRole('row', { name: /node1/ });
    const cells = within(node1).getAllByRole('cell').map((c) => c.textContent);
    expect(cells.slice(0, 4)).toEqual(['93%', '4 (load 3.50)', '1 GiB free of 4 GiB', 'CPU 41.5%, memory 0.0%, I/O 2.3%']);
    const node2 = within(table).getByRole('row', { name: /node2/ });
    expect(within(node2).getAllByRole('cell').map((c) => c.textContent)).toEqual(['—', '—', '—', 'not reported', '—']);
    expect(screen.getByText('No decisions yet.')).toBeTruthy();
  });

  it('lists the decisions with time, machine, from → to, action and reason, linking a move it started', async () => {
    server.answers['GET /api/v1/nodes'] = [{ status: 200, body: [node('node1', hot)] }];
    server.answers[DECISIONS] = [
      { status: 200, body: [decision(), decision({ machine: 'lab/db', machineId: 'm-db', outcome: 'held', code: 'hysteresis', reason: 'seen 1 of 3 evaluations', migrationId: null })] },
    ];
    await renderSection();

    const table = screen.getByRole('table', { name: "Controller's decisions, newest first" });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map((r) => within(r).getAllByRole('cell').slice(1).map((c) => c.textContent))).toEqual([
      ['lab/web', 'node1 → node2 (horizontal)', 'acted (auto) move', 'auto: node1 is hot (CPU 93%), node2 has room'],
      ['lab/db', 'node1 → node2 (horizontal)', 'held (hysteresis)', 'seen 1 of 3 evaluations'],
    ]);
    expect(within(rows[0]).getAllByRole('cell')[0].textContent).toBe(new Date('2026-12-06T22:00:30Z').toLocaleString());
    expect(within(table).getByRole('link', { name: 'move' }).getAttribute('href')).toBe('/migrations/mig-3');
  });

  it('Evaluate now posts an evaluation, says how many decisions it made and reads the log again; a 403 shows its detail', async () => {
    server.answers['GET /api/v1/nodes'] = [{ status: 200, body: [node('node1', hot)] }];
    server.answers[DECISIONS] = [{ status: 200, body: [] }, { status: 200, body: [decision()] }];
    server.answers[EVALUATE] = [
      { status: 200, body: [decision()] },
      { status: 403, body: { title: 'Forbidden', status: 403, detail: 'only an admin runs the placement controller by hand' } },
    ];
    await renderSection();
    expect(server.count(DECISIONS)).toBe(1);

    fireEvent.click(screen.getByRole('button', { name: 'Evaluate now' }));
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe('Evaluated: 1 decision.'), { timeout: 10_000 });
    await waitFor(() => expect(screen.getByRole('table', { name: "Controller's decisions, newest first" })).toBeTruthy(), { timeout: 10_000 });
    expect(server.count(EVALUATE)).toBe(1);
    expect(server.count(DECISIONS)).toBe(2);

    fireEvent.click(screen.getByRole('button', { name: 'Evaluate now' }));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe('only an admin runs the placement controller by hand'), { timeout: 10_000 });
  });
});
