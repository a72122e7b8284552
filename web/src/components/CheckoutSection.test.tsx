import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { describe, expect, it, vi } from 'vitest';
import type { Checkout } from '../api/checkouts';
import type { Migration } from '../api/migrations';
import type { MachineStatus } from '../api/types';
import migrations from '../pages/fixtures/migrations.json';
import { useFakeServer } from '../testing/fakeServer';
import { CheckoutSection, checkoutText } from './CheckoutSection';

vi.mock('../auth/session', () => ({ accessToken: async () => 'tok', refreshAccessToken: async () => null }));

const server = useFakeServer();
const fixtures = migrations as unknown as Record<'succeeded' | 'running' | 'failed', Migration>;
const MiB = 1024 ** 2;
const BASE = '/api/v1/rooms/r-lab/machines/web';

const me = { status: 200, body: { user: { id: 'u-bob', username: 'bob', displayName: null, role: 'student', source: 'local', createdAt: '2026-11-25T09:00:00Z' }, authenticatedBy: 'oidc', scopes: [] } };
const node = (name: string, kind: string, owner: string | null, extra: object = {}) => ({
  name, kind, state: 'ready', accelerator: 'tcg', cpus: 4, memoryBytes: 8 << 30, machinesRunning: 0, cpusAllocated: 0, memoryBytesAllocated: 0,
  drained: false, underlayAddress: null, labels: null, allocation: 'yours', owner, ...extra,
});
const checkout: Checkout = { node: 'laptop1', retainedOn: 'node1', since: '2026-12-06T09:00:00Z', lastSyncAt: null, unsyncedBytes: 0, syncedBytes: 0, leaseExpiresAt: null, epoch: 1 };
const machine = (extra: Partial<MachineStatus> & { checkout?: Checkout | null } = {}) =>
  ({ id: 'm-1', name: 'web', node: 'node1', state: 'running', desiredState: 'running', guestReady: true, cpus: 1, memoryBytes: 256 * MiB, nics: [], lastError: null, checkout: null, ...extra }) as MachineStatus;
const migration = (state: string, phase: string, extra: object = {}) => ({
  status: state === 'pending' ? 202 : 200,
  body: { ...fixtures.running, id: 'mig-9', state, phase, purpose: 'checkout', error: null, ...extra },
});

async function renderSection(m: MachineStatus, onChanged = vi.fn()) {
  render(
    <MemoryRouter>
      <CheckoutSection roomId="r-lab" machine={m} onChanged={onChanged} pollMs={50} />
    </MemoryRouter>,
  );
  await act(async () => {});
  return onChanged;
}

function given(nodes: object[]) {
  server.answers['GET /api/v1/me'] = [me];
  server.answers['GET /api/v1/nodes'] = [{ status: 200, body: nodes }];
}

describe('CheckoutSection', () => {
  it('not checked out: offers only my own ready computers, and checks out to the chosen one, following the migration', async () => {
    given([node('node1', 'server', null), node('laptop1', 'client', 'bob'), node('laptop2', 'client', 'bob', { state: 'unreachable' }), node('alices', 'client', 'alice')]);
    server.answers['POST ' + BASE + '/checkout'] = [migration('pending', 'pending')];
    server.answers['GET /api/v1/migrations/mig-9'] = [migration('running', 'live-copy-ram'), migration('succeeded', 'done')];
    const onChanged = await renderSection(machine());

    expect(screen.getByRole('heading', { name: 'Check-out' })).toBeTruthy();
    expect(screen.getByText(/Not checked out/)).toBeTruthy();
    const select = screen.getByLabelText('Check out to') as HTMLSelectElement;
    expect([...select.options].map((o) => o.value)).toEqual(['laptop1']);
    expect(screen.queryByRole('button', { name: 'Sync now' })).toBeNull();

    fireEvent.click(screen.getByRole('button', { name: 'Check out' }));
    await waitFor(() => expect(screen.getByText('succeeded')).toBeTruthy(), { timeout: 10_000 });
    expect(server.calls.find((c) => c.key === 'POST ' + BASE + '/checkout')?.body).toEqual({ to: 'laptop1' });
    expect(server.count('GET /api/v1/migrations/mig-9')).toBeGreaterThanOrEqual(2);
    expect(screen.getByRole('link', { name: 'Details' }).getAttribute('href')).toBe('/migrations/mig-9');
    // The room is read again from an effect after the final state renders: wait for it, not just for the text.
    await waitFor(() => expect(onChanged).toHaveBeenCalled(), { timeout: 10_000 });
  });

  it('not checked out and stopped, or with no computer of my own: no Check out, and says why', async () => {
    given([node('laptop1', 'client', 'bob')]);
    await renderSection(machine({ state: 'stopped' }));
    expect(screen.queryByRole('button', { name: 'Check out' })).toBeNull();
    expect(screen.getByText('Only a running machine can be checked out.')).toBeTruthy();
  });

  it('with no computer of my own: points to My computers', async () => {
    given([node('node1', 'server', null), node('alices', 'client', 'alice')]);
    await renderSection(machine());
    expect(screen.queryByRole('button', { name: 'Check out' })).toBeNull();
    expect(screen.getByText(/You have no computer of your own/)).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Add one under My computers' }).getAttribute('href')).toBe('/computers');
  });

  it('when my computers cannot be read: shows the error, offers no Check out', async () => {
    server.answers['GET /api/v1/me'] = [me];
    server.answers['GET /api/v1/nodes'] = [{ status: 503, body: { title: 'Unavailable', status: 503, detail: 'the node registry is starting' } }];
    await renderSection(machine());
    expect(screen.getByRole('alert').textContent).toBe('the node registry is starting');
    expect(screen.queryByRole('button', { name: 'Check out' })).toBeNull();
  });

  it('checked out, never synced, no lease: says so, offers Sync now and Check in, no Check out', async () => {
    given([node('laptop1', 'client', 'bob')]);
    await renderSection(machine({ node: 'laptop1', checkout }));
    const text = screen.getByText(/^Checked out to laptop1/).textContent!;
    expect(text).toContain(`since ${new Date(checkout.since).toLocaleString()}, not synced yet (unsynced 0 B).`);
    expect(text).toContain('The server keeps its copy on node1.');
    expect(text).not.toContain('lease');
    expect(screen.queryByRole('button', { name: 'Check out' })).toBeNull();
    expect((screen.getByRole('button', { name: 'Sync now' }) as HTMLButtonElement).disabled).toBe(false);
    expect((screen.getByRole('button', { name: 'Check in' }) as HTMLButtonElement).disabled).toBe(false);
  });

  it('checked out with a sync and a lease: shows both', () => {
    const text = checkoutText({ ...checkout, lastSyncAt: '2026-12-06T10:55:00Z', unsyncedBytes: 3 * MiB, syncedBytes: 64 * MiB, leaseExpiresAt: '2026-12-13T09:00:00Z' });
    expect(text).toBe(
      `Checked out to laptop1 since ${new Date(checkout.since).toLocaleString()}, last sync ${new Date('2026-12-06T10:55:00Z').toLocaleString()} ` +
        `(unsynced 3 MiB), lease until ${new Date('2026-12-13T09:00:00Z').toLocaleString()}.`,
    );
    expect(checkoutText({ ...checkout, unsyncedBytes: null })).toContain('(unsynced: not known)');
  });

  it('while the machine migrates: Sync now and Check in are disabled', async () => {
    given([node('laptop1', 'client', 'bob')]);
    await renderSection(machine({ node: 'laptop1', state: 'migrating', checkout }));
    expect((screen.getByRole('button', { name: 'Sync now' }) as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByRole('button', { name: 'Check in' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('Sync now: posts the sync and shows what it copied; a 503 shows its detail', async () => {
    given([node('laptop1', 'client', 'bob')]);
    server.answers['POST ' + BASE + '/sync'] = [
      { status: 200, body: { checkout: { ...checkout, lastSyncAt: '2026-12-06T10:55:00Z' }, bytesCopied: 8 * MiB, tunnelBytes: 7 * MiB, elapsedMs: 2500, fullCopy: false } },
      { status: 503, body: { title: 'Sync not possible now', status: 503, detail: 'r-lab/web: node laptop1 is unreachable' } },
    ];
    const onChanged = await renderSection(machine({ node: 'laptop1', checkout }));

    fireEvent.click(screen.getByRole('button', { name: 'Sync now' }));
    await waitFor(() => expect(screen.getByText(/Synced 8 MiB in 2\.5 s \(7 MiB on the link\)/)).toBeTruthy(), { timeout: 10_000 });
    expect(onChanged).toHaveBeenCalledTimes(1);

    fireEvent.click(screen.getByRole('button', { name: 'Sync now' }));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe('r-lab/web: node laptop1 is unreachable'), { timeout: 10_000 });
  });

  it('Check in: posts it and follows the migration; a 409 shows its detail', async () => {
    given([node('laptop1', 'client', 'bob')]);
    server.answers['POST ' + BASE + '/checkin'] = [
      { status: 409, body: { title: 'Conflict', status: 409, detail: 'lab/web migrates already (migration mig-1)' } },
      migration('pending', 'pending', { purpose: 'checkin' }),
    ];
    server.answers['GET /api/v1/migrations/mig-9'] = [migration('succeeded', 'done', { purpose: 'checkin' })];
    const onChanged = await renderSection(machine({ node: 'laptop1', checkout }));

    fireEvent.click(screen.getByRole('button', { name: 'Check in' }));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe('lab/web migrates already (migration mig-1)'), { timeout: 10_000 });
    expect(onChanged).not.toHaveBeenCalled();

    fireEvent.click(screen.getByRole('button', { name: 'Check in' }));
    await waitFor(() => expect(screen.getByText('succeeded')).toBeTruthy(), { timeout: 10_000 });
    expect(screen.queryByRole('alert')).toBeNull();
    // The room is read again from an effect after the final state renders: wait for it, not just for the text.
    await waitFor(() => expect(onChanged).toHaveBeenCalled(), { timeout: 10_000 });
  });

  it('a check-out that kept no server copy: its note shows, not as an error', async () => {
    given([node('laptop1', 'client', 'bob')]);
    server.answers['POST ' + BASE + '/checkout'] = [migration('pending', 'pending')];
    server.answers['GET /api/v1/migrations/mig-9'] = [migration('succeeded', 'done', { error: 'Moved, not checked out: node1 could not keep its copy' })];
    await renderSection(machine());

    fireEvent.click(screen.getByRole('button', { name: 'Check out' }));
    await waitFor(() => expect(screen.getByText('Note: Moved, not checked out: node1 could not keep its copy')).toBeTruthy(), { timeout: 10_000 });
    expect(screen.queryByRole('alert')).toBeNull();
  });
});
