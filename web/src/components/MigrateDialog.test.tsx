import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Migration } from '../api/migrations';
import type { MachineStatus } from '../api/types';
import migrations from '../pages/fixtures/migrations.json';
import { fakeServer } from '../testing/fakeServer';
import { MigrateDialog } from './MigrateDialog';

const fixtures = migrations as unknown as Record<'succeeded' | 'running' | 'failed', Migration>;

// The real API client over a fake fetch: requests are checked as they would leave the browser.
vi.mock('../auth/session', () => ({ accessToken: async () => 'tok', refreshAccessToken: async () => null }));

const GiB = 1024 ** 3;
const machine = { id: 'vm-7f3a', name: 'web', node: 'local', state: 'running' } as MachineStatus;
const node = (name: string, extra: object = {}) => ({
  name, kind: 'agent', state: 'ready', accelerator: 'kvm', cpus: 8, memoryBytes: 8 * GiB, machinesRunning: 0, cpusAllocated: 0, memoryBytesAllocated: GiB, drained: false, ...extra,
});

let answers: ReturnType<typeof fakeServer>['answers'];
let calls: ReturnType<typeof fakeServer>['calls'];

beforeEach(() => {
  ({ answers, calls } = fakeServer());
  answers['GET /api/v1/nodes'] = [{ status: 200, body: [node('local', { kind: 'embedded' }), node('node2'), node('node3', { state: 'unreachable' }), node('node4', { drained: true })] }];
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

async function open(onClose = vi.fn()) {
  render(
    <MemoryRouter>
      <MigrateDialog machine={machine} onClose={onClose} pollMs={50} />
    </MemoryRouter>,
  );
  await act(async () => {});
  return onClose;
}

describe('MigrateDialog', () => {
  it('offers the other nodes, ready and undrained ones only, and focuses the choice', async () => {
    await open();
    const select = screen.getByLabelText('Target node') as HTMLSelectElement;
    const options = within(select).getAllByRole('option') as HTMLOptionElement[];
    expect(options.map((o) => [o.value, o.disabled])).toEqual([
      ['node2', false],
      ['node3', true],
      ['node4', true],
    ]);
    expect(options[0].textContent).toBe('node2 (7 GiB free)');
    expect(options[1].textContent).toContain('unreachable');
    expect(document.activeElement).toBe(select);
    expect(screen.getByRole('dialog', { name: 'Migrate web' })).toBeTruthy();
  });

  it("shows a student's reduced node view without free figures and without client nodes (issue 11)", async () => {
    answers['GET /api/v1/nodes'] = [
      { status: 200, body: [node('local', { allocation: 'yours' }), node('node2', { allocation: 'yours' }), node('laptop', { kind: 'client', allocation: 'yours' })] },
    ];
    await open();
    const options = within(screen.getByLabelText('Target node') as HTMLSelectElement).getAllByRole('option') as HTMLOptionElement[];
    expect(options.map((o) => o.textContent)).toEqual(['node2 (ready)']);
  });

  it('posts the live migration and follows its phase and progress until it succeeds', async () => {
    const { succeeded } = fixtures;
    const running = (done: number, phase: string) => ({
      status: 200,
      body: { ...fixtures.running, id: 'mig-1', phase, progress: { phase, bytesDone: done, bytesTotal: 4 * GiB, rateBitsPerSecond: 50e6, etaSeconds: 12.2 } },
    });
    const pending = { phase: 'pending', bytesDone: 0, bytesTotal: 0, rateBitsPerSecond: 0, etaSeconds: null };
    answers['POST /api/v1/migrations'] = [
      { status: 202, body: { ...fixtures.running, id: 'mig-1', state: 'pending', phase: 'pending', progress: pending, parameters: null, prediction: null, link: null, log: [] } },
    ];
    // It stays at 3 GiB (the last answer repeats) until the test lets it succeed.
    answers['GET /api/v1/migrations/mig-1'] = [running(GiB, 'transfer-disk'), running(3 * GiB, 'live-copy-ram')];
    await open();
    fireEvent.change(screen.getByLabelText('Max bandwidth (optional)'), { target: { value: '50Mbit' } });
    fireEvent.change(screen.getByLabelText('Downtime limit (optional)'), { target: { value: ' 300ms ' } });
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Start migration' })));

    const post = calls.find((c) => c.key === 'POST /api/v1/migrations')!;
    expect(post.body).toEqual({ machine: 'vm-7f3a', to: 'node2', mode: 'live', maxBandwidth: '50Mbit', downtimeLimit: '300ms' });
    expect(post.auth).toBe('Bearer tok');

    await waitFor(() => expect(screen.getByRole('progressbar', { name: 'Migration progress' }).getAttribute('aria-valuenow')).toBe('75'));
    expect(screen.getByText(/3 GiB of 4 GiB at 50.0 Mbit\/s, about 13 s left/)).toBeTruthy();
    expect(screen.getByText(/phase live-copy-ram/)).toBeTruthy();
    // No figures while it runs; the way to its page from the start.
    expect(screen.queryByRole('table', { name: 'Metrics' })).toBeNull();
    expect(screen.getByRole('link', { name: 'Details' }).getAttribute('href')).toBe('/migrations/mig-1');
    answers['GET /api/v1/migrations/mig-1'].push({ status: 200, body: { ...succeeded, id: 'mig-1' } });
    await waitFor(() => expect(screen.getByText('succeeded')).toBeTruthy());
    // Once it ends, the metrics in people's units.
    const metrics = screen.getByRole('table', { name: 'Metrics' });
    const figure = (name: string) => within(metrics).getByRole('rowheader', { name }).nextElementSibling?.textContent;
    expect(figure('Total time')).toBe('96.4 s');
    expect(figure('QEMU downtime')).toBe('212 ms');
    expect(figure('Downtime seen by a peer')).toBe('not measured');
    // Polling stops at the final state.
    const polls = calls.filter((c) => c.key === 'GET /api/v1/migrations/mig-1').length;
    await act(async () => new Promise((r) => setTimeout(r, 50)));
    expect(calls.filter((c) => c.key === 'GET /api/v1/migrations/mig-1').length).toBe(polls);
    expect(screen.getByRole('button', { name: 'Close' })).toBeTruthy();
  });

  it('leaves out the optional limits when they are empty', async () => {
    answers['POST /api/v1/migrations'] = [{ status: 202, body: { ...fixtures.failed, error: 'node2 has no template tiny' } }];
    await open();
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Start migration' })));
    expect(calls.find((c) => c.key === 'POST /api/v1/migrations')!.body).toEqual({ machine: 'vm-7f3a', to: 'node2', mode: 'live' });
    // A failed migration shows its error.
    expect(screen.getByRole('alert').textContent).toBe('node2 has no template tiny');
  });

  it("shows the Server's 400 next to the field it names", async () => {
    answers['POST /api/v1/migrations'] = [
      { status: 400, body: { title: 'The migration request is not valid.', status: 400, errors: { maxBandwidth: ['must be a rate like 50Mbit'] } } },
    ];
    await open();
    fireEvent.change(screen.getByLabelText('Max bandwidth (optional)'), { target: { value: 'fast' } });
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Start migration' })));
    expect(screen.getByLabelText('Max bandwidth (optional)').getAttribute('aria-describedby')).toContain('migrate-bandwidth-error');
    expect(document.getElementById('migrate-bandwidth-error')!.textContent).toBe('must be a rate like 50Mbit');
    expect(screen.getByRole('alert').textContent).toContain('The migration request is not valid.');
  });

  it('makes the page behind inert while open, and gives focus back when closed', async () => {
    const { unmount } = render(
      <>
        <button type="button">Migrate…</button>
      </>,
    );
    const opener = screen.getByRole('button', { name: 'Migrate…' });
    opener.focus();
    const dialog = render(
      <MemoryRouter>
        <MigrateDialog machine={machine} onClose={vi.fn()} pollMs={50} />
      </MemoryRouter>,
    );
    await act(async () => {});
    expect(opener.closest('[inert]')).not.toBeNull();
    expect(screen.getByRole('dialog').closest('[inert]')).toBeNull();
    dialog.unmount();
    expect(opener.closest('[inert]')).toBeNull();
    expect(document.activeElement).toBe(opener);
    unmount();
  });

  it('closes on Escape and on Cancel', async () => {
    const onClose = await open();
    fireEvent.keyDown(window, { key: 'Escape' });
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(onClose).toHaveBeenCalledTimes(2);
  });
});
