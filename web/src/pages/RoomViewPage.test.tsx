import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { MemoryRouter, Route, Routes } from 'react-router';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import migrations from './fixtures/migrations.json';
import { RoomViewPage } from './RoomViewPage';

const here = dirname(fileURLToPath(import.meta.url));
// What GET /api/v1/rooms/webtest answered on a real Server with both tiny guests up.
const details = JSON.parse(readFileSync(join(here, 'fixtures/room-details.json'), 'utf8'));
// The client came to local from node2; the server never moved.
const clientMoved = { ...migrations.succeeded, id: 'a0c3e81f5b27', machine: { id: '86b837ae0337', room: 'webtest', name: 'client' }, from: 'node2', to: 'local' };
const task = (kind: string) => ({ id: `t-${kind}`, kind, target: 'room/webtest', state: 'running', progress: 0.5, createdAt: '', finishedAt: null, outcome: null, log: [] });

const recommendation = {
  from: 'local', to: 'laptop1', kind: 'vertical-to-client', recommended: true, reason: 'console 40 ms on local, 1 ms on laptop1', consoleBeforeMs: 40, consoleAfterMs: 1,
  sourceCpu: null, targetCpu: null, predictedTimeMs: 45_000, predictedDowntimeMs: 100, predictedBytes: 1, acceptPath: '', acceptBody: null,
};

const get = vi.fn(async (path: string, options?: unknown) => {
  if (path === '/api/v1/rooms/{room}') return details;
  if (path === '/api/v1/tasks') return [{ ...task('room.apply'), state: 'succeeded', progress: 1, outcome: 'Room webtest ready' }, { ...task('other'), target: 'room/another' }];
  if (path === '/api/v1/nodes') return [{ name: 'local', state: 'ready', drained: false, memoryBytes: 1, memoryBytesAllocated: 0 }, { name: 'node2', state: 'ready', drained: false, memoryBytes: 2 ** 30, memoryBytesAllocated: 0 }];
  if (path === '/api/v1/migrations') return (options as { query: { machine: string } }).query.machine === clientMoved.machine.id ? [clientMoved] : [];
  if (path === '/api/v1/me') return { user: { id: 'u-ann', username: 'ann', role: 'student' } };
  // The advisor's recommendations for all the caller's machines: the room view shows this room's only.
  if (path === '/api/v1/recommendations')
    return [
      { ...recommendation, machine: 'webtest/client', machineId: '86b837ae0337', roomId: 'cd012528dcbf' },
      { ...recommendation, machine: 'other/box', machineId: 'm-other', roomId: 'r-other' },
    ];
  if (path === '/api/v1/tasks/{task}') return { ...task('room.apply'), log: [{ timestamp: '2026-11-25T09:33:05Z', message: 'Room webtest created' }] };
  throw new Error(`unexpected GET ${path}`);
});
const post = vi.fn(async (path: string, _options?: unknown) => task(path.split('/').pop()!));
// The checks' routes are not in the generated contract yet (ChecksPanel): untyped calls.
const getUntyped = vi.fn(async (_url: string) => [{ name: 'done', passed: false, detail: 'exit status 1, expected 0', at: '2026-12-07T01:40:00Z' }]);
vi.mock('../api/api', () => ({
  api: { get: (p: string, o: unknown) => get(p, o), post: (p: string, o: unknown) => post(p, o), delete: vi.fn(), getUntyped: (u: string) => getUntyped(u) },
}));
vi.mock('../auth/session', () => ({ accessToken: async () => 'tok' }));

beforeAll(() => {
  globalThis.ResizeObserver ??= class {
    observe() {}
    unobserve() {}
    disconnect() {}
  } as unknown as typeof ResizeObserver;
  (globalThis as { DOMMatrixReadOnly?: unknown }).DOMMatrixReadOnly ??= class {
    m22 = 1;
    constructor(_: string) {}
  };
});
afterEach(cleanup);

describe('RoomViewPage', () => {
  it("shows a room's checks with their latest results, and no Checks section for a room without checks", async () => {
    const withChecks = { ...details, definition: { ...details.definition, checks: [{ name: 'done', machine: 'client', run: 'test -f /root/done' }] } };
    get.mockImplementationOnce(async () => withChecks);
    render(
      <MemoryRouter initialEntries={['/rooms/cd012528dcbf']}>
        <Routes>
          <Route path="/rooms/:room" element={<RoomViewPage />} />
        </Routes>
      </MemoryRouter>,
    );
    await act(async () => {});
    const checks = screen.getByRole('region', { name: 'Checks' });
    expect(getUntyped).toHaveBeenCalledWith('/api/v1/rooms/cd012528dcbf/checks');
    expect(within(checks).getByRole('button', { name: 'Check my work' })).toBeTruthy();
    expect(within(checks).getByRole('row', { name: /^done/ }).textContent).toContain('failed exit status 1, expected 0');
    cleanup();

    render(
      <MemoryRouter initialEntries={['/rooms/cd012528dcbf']}>
        <Routes>
          <Route path="/rooms/:room" element={<RoomViewPage />} />
        </Routes>
      </MemoryRouter>,
    );
    await act(async () => {});
    expect(screen.queryByRole('region', { name: 'Checks' })).toBeNull();
  });

  it('shows the topology with machine states, the tasks of the room, and runs actions', async () => {
    render(
      <MemoryRouter initialEntries={['/rooms/cd012528dcbf']}>
        <Routes>
          <Route path="/rooms/:room" element={<RoomViewPage />} />
        </Routes>
      </MemoryRouter>,
    );
    await act(async () => {});
    expect(screen.getByRole('heading', { level: 1 }).textContent).toContain('webtest');
    const advice = screen.getByRole('region', { name: 'Where your machines would run better' });
    expect(advice.textContent).toContain('webtest/client — Run on my computer: console 40 ms → 1 ms, about 45 s to move');
    expect(advice.textContent).not.toContain('other/box');
    expect(screen.getByLabelText('Machine server, running')).toBeTruthy();
    expect(screen.getByLabelText('Machine client, running')).toBeTruthy();
    const table = screen.getByRole('table', { name: 'Machines' });
    expect(within(table).getAllByRole('row')).toHaveLength(3);
    expect(table.textContent).toContain('lan 10.0.1.10');

    // Only this room's tasks, with their progress.
    const tasks = screen.getByRole('region', { name: 'Tasks' });
    expect(tasks.textContent).toContain('room.apply');
    expect(tasks.textContent).not.toContain('room/another');
    expect(within(tasks).getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100');
    await act(async () => void fireEvent.click(within(tasks).getByRole('button', { name: /room.apply/ })));
    expect(within(tasks).getByLabelText('Log of room.apply').textContent).toContain('Room webtest created');

    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Stop all' })));
    expect(post).toHaveBeenCalledWith('/api/v1/rooms/{room}/stop', { path: { room: 'cd012528dcbf' } });
    expect(tasks.textContent).toContain('stop');

    await act(async () => void fireEvent.click(within(table).getByRole('button', { name: 'client' })));
    const panel = screen.getByRole('complementary', { name: 'Machine' });
    await act(async () => void fireEvent.click(within(panel).getByRole('button', { name: 'Restart' })));
    expect(post).toHaveBeenCalledWith('/api/v1/rooms/{room}/machines/{machine}/restart', { path: { room: 'cd012528dcbf', machine: 'client' } });
    expect(within(panel).getByRole('link', { name: 'Serial console' }).getAttribute('href')).toBe('/rooms/cd012528dcbf/machines/client/serial');
    // Its last migration, with the way to its page.
    expect(get).toHaveBeenCalledWith('/api/v1/migrations', expect.objectContaining({ query: { machine: '86b837ae0337', limit: 1 } }));
    const moved = within(panel).getByText('Last migration').nextElementSibling as HTMLElement;
    expect(moved.textContent).toBe('succeeded node2 → local Details');
    // Its check-out: not checked out, and no computer of ann's own to check it out to (CheckoutSection's tests cover the rest).
    const checkout = within(panel).getByRole('region', { name: 'Check-out' });
    expect(checkout.textContent).toContain('You have no computer of your own to check it out to.');
    expect(within(checkout).queryByRole('button', { name: 'Check out' })).toBeNull();
    expect(within(moved).getByRole('link', { name: 'Details' }).getAttribute('href')).toBe('/migrations/a0c3e81f5b27');
    // A running machine can be migrated: the dialog offers the other nodes.
    await act(async () => void fireEvent.click(within(panel).getByRole('button', { name: 'Migrate…' })));
    const dialog = screen.getByRole('dialog', { name: 'Migrate client' });
    expect(within(dialog).getAllByRole('option').map((o) => (o as HTMLOptionElement).value)).toEqual(['node2']);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    // The machine's consoles: the screen over VNC and over SPICE (ADR 0056), and the serial console.
    expect(within(panel).getByRole('link', { name: 'Screen (SPICE)' }).getAttribute('href')).toBe('/rooms/cd012528dcbf/machines/client/spice');
    expect(within(panel).getByRole('link', { name: 'Screen (VNC)' }).getAttribute('href')).toBe('/rooms/cd012528dcbf/machines/client/console');
  });
});
