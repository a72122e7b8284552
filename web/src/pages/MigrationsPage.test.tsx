import { act, render, screen, waitFor, within } from '@testing-library/react';
import { MemoryRouter, Route, Routes } from 'react-router';
import { describe, expect, it, vi } from 'vitest';
import type { Migration } from '../api/migrations';
import { useFakeServer } from '../testing/fakeServer';
import migrations from './fixtures/migrations.json';
import { MigrationsPage } from './MigrationsPage';

vi.mock('../auth/session', () => ({ accessToken: async () => 'tok', refreshAccessToken: async () => null }));

const { succeeded, running, failed } = migrations as unknown as Record<'succeeded' | 'running' | 'failed', Migration>;
// The list comes without logs (GET /api/v1/migrations leaves them out).
const listed = (m: Migration) => ({ ...m, log: [] });
const LIST = 'GET /api/v1/migrations?limit=100';

const server = useFakeServer();

async function renderPage() {
  const view = render(
    <MemoryRouter initialEntries={['/migrations']}>
      <Routes>
        <Route path="/migrations" element={<MigrationsPage pollMs={50} />} />
      </Routes>
    </MemoryRouter>,
  );
  await act(async () => {});
  return view;
}

const settle = () => act(async () => new Promise((r) => setTimeout(r, 50)));

describe('MigrationsPage', () => {
  it('lists the migrations newest first with their route, state, times and bytes', async () => {
    server.answers[LIST] = [{ status: 200, body: [running, succeeded, failed].map(listed) }];
    await renderPage();
    expect(screen.getByRole('heading', { level: 1, name: 'Migrations' })).toBeTruthy();
    const table = screen.getByRole('table', { name: 'Migrations' });
    expect(within(table).getAllByRole('columnheader').map((h) => h.textContent)).toEqual([
      'Migration', 'Machine', 'From → to', 'Mode', 'Purpose', 'State', 'Phase', 'Started', 'Total time', 'Downtime', 'Bytes moved',
    ]);
    const [, first, second, third] = within(table).getAllByRole('row');
    expect(within(first).getAllByRole('cell').map((c) => c.textContent)).toEqual([
      'c40d6e21f8b3', 'webtest/client', 'local → node2', 'live', 'move', 'running', 'live-copy-ram', expect.any(String), '—', '—', '—',
    ]);
    // RAM 281 804 800 + disk 314 572 800 + template 0 bytes.
    expect(within(second).getAllByRole('cell').slice(1).map((c) => c.textContent)).toEqual([
      'webtest/server', 'local → node2', 'live', 'move', 'succeeded', 'done', expect.any(String), '96.4 s', '212 ms', '568.8 MiB',
    ]);
    expect(within(third).getAllByRole('cell')[5].textContent).toBe('failed');
    expect(within(third).getAllByRole('cell')[10].textContent).toBe('—');

    expect(within(second).getByRole('link', { name: '7b1e94c0d2a5' }).getAttribute('href')).toBe('/migrations/7b1e94c0d2a5');
    expect(within(second).getByRole('link', { name: 'webtest' }).getAttribute('href')).toBe('/rooms/webtest');
    expect(within(second).getByText('succeeded').className).toBe('badge task-state-succeeded');
    const started = second.querySelector('time')!;
    expect(started.getAttribute('dateTime')).toBe(succeeded.startedAt);
    expect(started.getAttribute('title')).toBe(succeeded.startedAt);
    expect(server.calls[0].auth).toBe('Bearer tok');
  });

  it('reads the list again while a migration runs, and stops once all are final', async () => {
    server.answers[LIST] = [{ status: 200, body: [running, succeeded].map(listed) }];
    await renderPage();
    await waitFor(() => expect(server.count(LIST)).toBeGreaterThan(2));
    expect(screen.getByText('running')).toBeTruthy();

    server.answers[LIST].push({ status: 200, body: [{ ...listed(succeeded), id: running.id, machine: running.machine }, listed(succeeded)] });
    await waitFor(() => expect(screen.queryByText('running')).toBeNull());
    expect(screen.getAllByText('succeeded')).toHaveLength(2);
    const reads = server.count(LIST);
    await settle();
    expect(server.count(LIST)).toBe(reads);
  });

  it('reads a list of final migrations once', async () => {
    server.answers[LIST] = [{ status: 200, body: [succeeded, failed].map(listed) }];
    await renderPage();
    await settle();
    expect(server.count(LIST)).toBe(1);
  });

  it('stops reading when the page goes away', async () => {
    server.answers[LIST] = [{ status: 200, body: [listed(running)] }];
    const view = await renderPage();
    await waitFor(() => expect(server.count(LIST)).toBeGreaterThan(1));
    view.unmount();
    const reads = server.count(LIST);
    await settle();
    expect(server.count(LIST)).toBe(reads);
  });

  it('says so when there are none', async () => {
    server.answers[LIST] = [{ status: 200, body: [] }];
    await renderPage();
    expect(screen.getByText(/^No migrations yet/)).toBeTruthy();
    expect(screen.queryByRole('table')).toBeNull();
  });
});
