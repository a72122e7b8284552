import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { recommendationText, type Recommendation } from '../api/placement';
import migrations from '../pages/fixtures/migrations.json';
import { useFakeServer } from '../testing/fakeServer';
import { RecommendationList } from './RecommendationList';

vi.mock('../auth/session', () => ({ accessToken: async () => 'tok', refreshAccessToken: async () => null }));

const server = useFakeServer();
const LIST = 'GET /api/v1/recommendations';
const ACCEPT = 'POST /api/v1/recommendations/accept';

const rec = (extra: Partial<Recommendation> = {}): Recommendation => ({
  machine: 'lab/web', machineId: 'm-web', roomId: 'r-lab', from: 'node1', to: 'laptop1', kind: 'vertical-to-client', recommended: true,
  reason: 'console 40 ms on node1, 1 ms on laptop1; the move takes about 45 s', consoleBeforeMs: 40.2, consoleAfterMs: 1.1, sourceCpu: 0.5, targetCpu: 0.1,
  predictedTimeMs: 45_000, predictedDowntimeMs: 120, predictedBytes: 300 << 20, acceptPath: '/api/v1/rooms/r-lab/machines/m-web/checkout', acceptBody: { to: 'laptop1' },
  ...extra,
});

async function renderList(props: Parameters<typeof RecommendationList>[0] = {}) {
  render(
    <MemoryRouter>
      <RecommendationList pollMs={60_000} {...props} />
    </MemoryRouter>,
  );
  await act(async () => {});
}

beforeEach(() => window.localStorage.clear());

describe('recommendationText', () => {
  it('words the gain and the cost as the issue does, leaving out what was not measured', () => {
    expect(recommendationText(rec())).toBe('Run on my computer: console 40 ms → 1 ms, about 45 s to move');
    expect(recommendationText(rec({ kind: 'horizontal', to: 'node2', consoleBeforeMs: null, sourceCpu: 0.95, targetCpu: 0.1, predictedTimeMs: 8000 }))).toBe(
      'Move to node2: CPU 95% → 10%, about 8 s to move',
    );
    expect(recommendationText(rec({ kind: 'vertical-to-server', to: 'node1', consoleBeforeMs: null, sourceCpu: null, predictedTimeMs: null }))).toBe(
      'Move back to the server node1: the move would not converge',
    );
  });
});

describe('RecommendationList', () => {
  it('shows only recommended moves of the room, and Accept posts the machine and target and links the move', async () => {
    server.answers[LIST] = [{ status: 200, body: [rec(), rec({ machine: 'lab/db', machineId: 'm-db', recommended: false, reason: 'does not pay' }), rec({ roomId: 'r-other', machine: 'other/x', machineId: 'm-x' })] }];
    server.answers[ACCEPT] = [{ status: 202, body: { ...migrations.running, id: 'mig-7' } }];
    const onAccepted = vi.fn();
    await renderList({ roomId: 'r-lab', onAccepted });

    expect(screen.getByRole('heading', { name: 'Where your machines would run better' })).toBeTruthy();
    expect(screen.getAllByRole('listitem')).toHaveLength(1);
    expect(screen.getByText(/Run on my computer: console 40 ms → 1 ms, about 45 s to move/)).toBeTruthy();
    expect(screen.getByText(/Dismiss hides a suggestion in this browser until it changes/)).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Accept: lab/web to laptop1' }));
    await waitFor(() => expect(screen.getByRole('link', { name: 'Follow the move' }).getAttribute('href')).toBe('/migrations/mig-7'), { timeout: 10_000 });
    expect(server.calls.find((c) => c.key === ACCEPT)?.body).toEqual({ machine: 'm-web', to: 'laptop1' });
    expect(onAccepted).toHaveBeenCalledTimes(1);
  });

  it('a 409 on Accept shows the reason the Server gives, and the recommendation stays', async () => {
    server.answers[LIST] = [{ status: 200, body: [rec()] }];
    server.answers[ACCEPT] = [{ status: 409, body: { title: 'Conflict', status: 409, detail: 'lab/web: no longer recommended: laptop1 has 100 MiB free' } }];
    await renderList();

    fireEvent.click(screen.getByRole('button', { name: 'Accept: lab/web to laptop1' }));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe('lab/web: no longer recommended: laptop1 has 100 MiB free'), { timeout: 10_000 });
    expect(screen.getByRole('button', { name: 'Accept: lab/web to laptop1' })).toBeTruthy();
  });

  it('Dismiss hides it and it stays hidden while still recommended; once no longer recommended, it shows again when it comes back', async () => {
    server.answers[LIST] = [{ status: 200, body: [rec()] }];
    await renderList();
    fireEvent.click(screen.getByRole('button', { name: 'Dismiss: lab/web to laptop1' }));
    expect(screen.queryByRole('heading', { name: 'Where your machines would run better' })).toBeNull();
    await act(async () => {});

    // Another visit, with new numbers in the reason: still dismissed.
    server.calls.length = 0;
    cleanup();
    server.answers[LIST] = [{ status: 200, body: [rec({ reason: 'console 42 ms on node1, 1 ms on laptop1' })] }];
    await renderList();
    expect(server.count(LIST)).toBe(1);
    expect(screen.queryByRole('listitem')).toBeNull();

    // Not recommended any more: the dismissal is forgotten ...
    cleanup();
    server.answers[LIST] = [{ status: 200, body: [rec({ recommended: false })] }];
    await renderList();
    expect(window.localStorage.getItem('skillvl.dismissedRecommendations')).toBe('{}');

    // ... so when the move is recommended again, it shows.
    cleanup();
    server.answers[LIST] = [{ status: 200, body: [rec()] }];
    await renderList();
    expect(screen.getByRole('button', { name: 'Accept: lab/web to laptop1' })).toBeTruthy();
  });

  it('the home page short list shows at most the limit and says how many more', async () => {
    server.answers[LIST] = [{ status: 200, body: ['a', 'b', 'c', 'd'].map((m) => rec({ machine: `lab/${m}`, machineId: `m-${m}` })) }];
    await renderList({ limit: 2 });
    expect(screen.getAllByRole('listitem')).toHaveLength(2);
    expect(screen.getByText('2 more in your rooms.')).toBeTruthy();
  });

  it('nothing recommended: no section; a failed read shows its error', async () => {
    server.answers[LIST] = [{ status: 200, body: [rec({ recommended: false })] }];
    await renderList();
    expect(screen.queryByRole('heading')).toBeNull();

    cleanup();
    server.answers[LIST] = [{ status: 503, body: { title: 'Unavailable', status: 503, detail: 'the advisor has no signals yet' } }];
    await renderList();
    expect(screen.getByRole('alert').textContent).toBe('the advisor has no signals yet');
  });
});
