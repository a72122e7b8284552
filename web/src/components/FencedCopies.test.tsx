import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Checkout } from '../api/checkouts';
import type { MachineStatus } from '../api/types';
import { useFakeServer } from '../testing/fakeServer';
import { CheckoutSection } from './CheckoutSection';
import { FencedCopies, fencedText, type FencedCopy } from './FencedCopies';

vi.mock('../auth/session', () => ({ accessToken: async () => 'tok', refreshAccessToken: async () => null }));

const server = useFakeServer();
const MiB = 1024 ** 2;
const BASE = '/api/v1/rooms/r-lab/machines/web';
const setAside: FencedCopy = {
  node: 'laptop1', epoch: 1, revivedAt: '2026-12-06T10:00:00Z', revivedBy: 'bob', lost: true, fencedAt: '2026-12-06T11:00:00Z',
  path: '/var/lib/skillvl/fenced/m-1-e1.qcow2', sizeBytes: 9 * MiB, bytesSinceSync: 4 * MiB,
};
const notBack: FencedCopy = { ...setAside, epoch: 2, lost: false, fencedAt: null, path: null, sizeBytes: null, bytesSinceSync: null };

afterEach(() => vi.restoreAllMocks());

async function renderCopies(copies: FencedCopy[], onChanged = vi.fn()) {
  render(<FencedCopies roomId="r-lab" machineName="web" copies={copies} onChanged={onChanged} />);
  await act(async () => {});
  return onChanged;
}

describe('FencedCopies', () => {
  it('says where each copy is, how big and what it wrote after the last sync; one not back yet says so', () => {
    expect(fencedText(setAside)).toBe(
      `laptop1, check-out epoch 1 (declared lost): set aside at ${new Date(setAside.fencedAt!).toLocaleString()}, 9 MiB (4 MiB written after the last sync).`,
    );
    expect(fencedText(notBack)).toBe(`laptop1, check-out epoch 2: fenced when it returns (revived ${new Date(notBack.revivedAt).toLocaleString()} by bob).`);
  });

  it('renders nothing without copies', async () => {
    await renderCopies([]);
    expect(screen.queryByText('Fenced copies')).toBeNull();
  });

  it('Discard, confirmed: deletes that epoch and reads the room again; a 503 shows its detail', async () => {
    vi.spyOn(window, 'confirm').mockReturnValue(true);
    server.answers['DELETE ' + BASE + '/fenced/1'] = [
      { status: 503, body: { title: 'Discard not possible now', status: 503, detail: 'r-lab/web: node laptop1, which holds the fenced copy of epoch 1, is not reachable' } },
      { status: 204, body: null },
    ];
    const onChanged = await renderCopies([setAside, notBack]);

    const [first] = screen.getAllByRole('button', { name: 'Discard' });
    fireEvent.click(first);
    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain('is not reachable'), { timeout: 10_000 });
    expect(onChanged).not.toHaveBeenCalled();

    fireEvent.click(screen.getAllByRole('button', { name: 'Discard' })[0]);
    await waitFor(() => expect(onChanged).toHaveBeenCalledTimes(1), { timeout: 10_000 });
    expect(server.count('DELETE ' + BASE + '/fenced/1')).toBe(2);
    expect(server.count('DELETE ' + BASE + '/fenced/2')).toBe(0);
  });

  it('Download: fetches the disk with the token and saves it as ROOM-MACHINE-eEPOCH.qcow2; a copy not back yet has no Download; a 409 shows its detail', async () => {
    const saved: { href: string; download: string }[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      saved.push({ href: this.href, download: this.download });
    });
    const created: Blob[] = [];
    // jsdom has no object URLs: record what would be saved.
    Object.assign(URL, { createObjectURL: vi.fn((b: Blob) => { created.push(b); return 'blob:disk'; }), revokeObjectURL: vi.fn() });
    server.answers['GET ' + BASE + '/fenced/1/disk'] = [
      { status: 409, body: { title: 'Conflict', status: 409, detail: 'r-lab/web: node laptop1, which holds the fenced copy of epoch 1, is offline' } },
      { status: 200, body: 'QFI-disk-bytes' },
    ];
    await renderCopies([setAside, notBack]);

    expect(screen.getAllByRole('button', { name: 'Download' })).toHaveLength(1);
    fireEvent.click(screen.getByRole('button', { name: 'Download' }));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain('is offline'), { timeout: 10_000 });
    expect(saved).toHaveLength(0);

    fireEvent.click(screen.getByRole('button', { name: 'Download' }));
    await waitFor(() => expect(saved).toHaveLength(1), { timeout: 10_000 });
    expect(saved[0]).toEqual({ href: 'blob:disk', download: 'r-lab-web-e1.qcow2' });
    // The Server's bytes (the fake sends them as a JSON string), saved as bytes, never as a page.
    expect([created[0].size, created[0].type]).toEqual([JSON.stringify('QFI-disk-bytes').length, 'application/octet-stream']);
    expect(server.calls.filter((c) => c.key.endsWith('/disk')).map((c) => c.auth)).toEqual(['Bearer tok', 'Bearer tok']);
    expect(server.count('DELETE ' + BASE + '/fenced/1')).toBe(0);
  });

  it('Discard, not confirmed: sends nothing', async () => {
    vi.spyOn(window, 'confirm').mockReturnValue(false);
    await renderCopies([setAside]);
    fireEvent.click(screen.getByRole('button', { name: 'Discard' }));
    expect(server.calls).toHaveLength(0);
  });
});

describe('CheckoutSection revive', () => {
  const me = { status: 200, body: { user: { id: 'u-bob', username: 'bob', displayName: null, role: 'student', source: 'local', createdAt: '2026-11-25T09:00:00Z' }, authenticatedBy: 'oidc', scopes: [] } };
  const checkout = (leaseExpiresAt: string | null): Checkout => ({ node: 'laptop1', retainedOn: 'node1', since: '2026-12-06T09:00:00Z', lastSyncAt: null, unsyncedBytes: 0, syncedBytes: 0, leaseExpiresAt, epoch: 1 });
  const machine = (c: Checkout) =>
    ({ id: 'm-1', name: 'web', node: 'laptop1', state: 'running', desiredState: 'running', guestReady: true, cpus: 1, memoryBytes: 256 * MiB, nics: [], lastError: null, checkout: c }) as MachineStatus;

  it.each([
    ['the lease ran out: an ordinary revive', '2026-01-01T00:00:00Z', false, /Revive web on the server/],
    ['the lease is valid: declares the computer lost', '2099-01-01T00:00:00Z', true, /lease has not run out. Declare it lost/],
  ])('%s', async (_, lease, lost, question) => {
    const confirm = vi.spyOn(window, 'confirm').mockReturnValue(true);
    server.answers['GET /api/v1/me'] = [me];
    server.answers['GET /api/v1/nodes'] = [{ status: 200, body: [] }];
    server.answers['POST ' + BASE + '/revive'] = [{ status: 200, body: machine(checkout(null)) }];
    const onChanged = vi.fn();
    render(
      <MemoryRouter>
        <CheckoutSection roomId="r-lab" machine={machine(checkout(lease))} onChanged={onChanged} pollMs={50} />
      </MemoryRouter>,
    );
    await act(async () => {});

    fireEvent.click(screen.getByRole('button', { name: 'Revive on the server' }));
    await waitFor(() => expect(onChanged).toHaveBeenCalledTimes(1), { timeout: 10_000 });
    expect(confirm.mock.calls[0][0]).toMatch(question);
    expect(server.calls.find((c) => c.key === 'POST ' + BASE + '/revive')?.body).toEqual({ lost });
  });
});
