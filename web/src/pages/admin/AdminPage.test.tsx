import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { MemoryRouter, Route, Routes } from 'react-router';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../api/client';
import { AdminPage } from './AdminPage';

const nodes = [
  { name: 'local', kind: 'embedded', state: 'ready', accelerator: 'tcg', cpus: 2, memoryBytes: 4 * 1024 ** 3, machinesRunning: 1, cpusAllocated: 1, memoryBytesAllocated: 1024 ** 3, drained: false, underlayAddress: null, labels: null },
  { name: 'node2', kind: 'agent', state: 'unreachable', accelerator: 'kvm', cpus: 8, memoryBytes: 16 * 1024 ** 3, machinesRunning: 0, cpusAllocated: 12, memoryBytesAllocated: 0, drained: true, underlayAddress: '198.18.0.12', labels: { site: 'lab1' } },
];
const rooms = [{ id: 'r1', name: 'lab' }];
const roomDetails = { id: 'r1', name: 'lab', machines: [{ id: 'm1', name: 'web', node: 'local', state: 'running' }] };
const templates = [
  { name: 'tiny', sha256: 'a'.repeat(64), boot: 'kernel', defaultCpus: 1, defaultMemoryBytes: 128 * 1024 ** 2, sizeBytes: 26_728_739, unusable: null },
  { name: 'old', sha256: 'c'.repeat(64), boot: 'disk', defaultCpus: 1, defaultMemoryBytes: 256 * 1024 ** 2, sizeBytes: 1024, unusable: 'the disk names a backing file (/etc/shadow)' },
];
let role = 'admin';
const audit = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => ({ id: from - i, at: '2026-11-25T10:00:00Z', userId: 'u', username: 'admin', role: 'admin', action: `GET /x/${from - i}`, target: null, remoteAddress: null, outcome: '200', detail: null }));

const get = vi.fn(async (path: string, options?: { query?: { before?: number } }): Promise<unknown> => {
  switch (path) {
    case '/api/v1/nodes':
      return nodes;
    case '/api/v1/rooms':
      return rooms;
    case '/api/v1/rooms/{room}':
      return roomDetails;
    case '/api/v1/templates':
      return templates;
    case '/api/v1/me':
      return { user: { id: 'u0', username: 'root', role }, authenticatedBy: 'oidc', scopes: [], usage: null };
    case '/api/v1/users':
      return [{ id: 'u1', username: 'tina', displayName: 'Tina T.', role: 'teacher', source: 'local', createdAt: '2026-11-25T09:00:00Z', quotaOverride: { cpus: 4, memoryBytes: null, diskBytes: null, runningVms: 3 } }];
    case '/api/v1/audit':
      // 120 entries with ids 120..1, newest first, 50 a page.
      return options?.query?.before === undefined ? audit(120, 50) : audit(options.query.before - 1, Math.min(50, options.query.before - 1));
  }
  throw new Error(`unexpected GET ${path}`);
});
const post = vi.fn(async (_path: string, _options?: unknown): Promise<unknown> => undefined);
const del = vi.fn(async (_path: string, _options?: unknown): Promise<unknown> => undefined);
vi.mock('../../api/api', () => ({
  api: { get: (p: string, o: never) => get(p, o), post: (p: string, o: unknown) => post(p, o), delete: (p: string, o: unknown) => del(p, o) },
}));

beforeEach(() => {
  get.mockClear();
  post.mockClear();
  del.mockReset();
  role = 'admin';
});
afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

async function renderAt(path: string) {
  render(
    <MemoryRouter initialEntries={[path]}>
      <Routes>
        <Route path="/admin/*" element={<AdminPage />} />
      </Routes>
    </MemoryRouter>,
  );
  await act(async () => {});
}

describe('AdminPage', () => {
  it('shows nodes with their state, allocation against capacity, the machines on them, and drains', async () => {
    await renderAt('/admin');
    const table = screen.getByRole('table', { name: 'Nodes' });
    const local = within(table).getByRole('row', { name: /local/ });
    expect(local.textContent).toContain('vCPU 1 / 2');
    expect(local.textContent).not.toContain('overcommitted');
    expect(local.textContent).toContain('RAM 1 GiB / 4 GiB');
    expect(within(local).getByRole('progressbar', { name: 'local vCPUs allocated' }).getAttribute('aria-valuenow')).toBe('50');
    expect(within(local).getByRole('link', { name: 'lab/web' }).getAttribute('href')).toBe('/rooms/r1');
    const node2 = within(table).getByRole('row', { name: /node2/ });
    expect(node2.textContent).toContain('unreachable');
    expect(node2.textContent).toContain('drained');
    expect(node2.textContent).toContain('site=lab1');
    expect(node2.textContent).toContain('vCPU 12 / 8 overcommitted');
    expect(screen.getByRole('link', { name: 'the placement page' }).getAttribute('href')).toBe('/admin/placement');

    await act(async () => void fireEvent.click(within(local).getByRole('button', { name: 'Drain node local' })));
    expect(post).toHaveBeenCalledWith('/api/v1/nodes/{node}/drain', { path: { node: 'local' } });
    await act(async () => void fireEvent.click(within(node2).getByRole('button', { name: 'Undrain node node2' })));
    expect(post).toHaveBeenCalledWith('/api/v1/nodes/{node}/undrain', { path: { node: 'node2' } });
  });

  it('lists templates with their hash and uploads a qcow2 as multipart form data', async () => {
    post.mockResolvedValueOnce({ template: { ...templates[0], name: 'deb' }, diskSha256: 'b'.repeat(64), diskBytes: 4 });
    await renderAt('/admin/templates');
    expect(screen.getByRole('row', { name: /tiny/ }).textContent).toContain('a'.repeat(64));
    fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'deb' } });
    const file = new File([new Uint8Array([0x51, 0x46, 0x49, 0xfb])], 'deb.qcow2');
    fireEvent.change(screen.getByLabelText('qcow2 file'), { target: { files: [file] } });
    // Submitted as the Upload button would (jsdom's constraint validation cannot see a file set by a test).
    await act(async () => void fireEvent.submit(screen.getByRole('form', { name: 'Upload a qcow2 disk' })));
    expect(post).toHaveBeenCalledTimes(1);
    const [path, options] = post.mock.calls[0] as [string, { form: FormData }];
    expect(path).toBe('/api/v1/templates');
    expect(options.form.get('name')).toBe('deb');
    expect(options.form.get('defaultCpus')).toBe('1');
    expect((options.form.get('disk') as File).name).toBe('deb.qcow2');
    expect(screen.getByRole('status').textContent).toContain('b'.repeat(64));
  });

  it('marks an unusable template with the reason', async () => {
    await renderAt('/admin/templates');
    const old = screen.getByRole('row', { name: /old/ });
    expect(within(old).getByText('unusable')).toBeTruthy();
    expect(old.textContent).toContain('the disk names a backing file (/etc/shadow)');
    expect(within(screen.getByRole('row', { name: /tiny/ })).queryByText('unusable')).toBeNull();
  });

  it('deletes a template after the admin confirms, and reads the list again', async () => {
    const confirm = vi.spyOn(window, 'confirm').mockReturnValue(true);
    await renderAt('/admin/templates');
    const reads = get.mock.calls.filter(([p]) => p === '/api/v1/templates').length;
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Delete template old' })));
    expect(confirm).toHaveBeenCalledWith(expect.stringContaining('Delete template old?'));
    expect(del).toHaveBeenCalledWith('/api/v1/templates/{name}', { path: { name: 'old' } });
    expect(get.mock.calls.filter(([p]) => p === '/api/v1/templates').length).toBe(reads + 1);
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('does not delete when the admin cancels the confirmation', async () => {
    vi.spyOn(window, 'confirm').mockReturnValue(false);
    await renderAt('/admin/templates');
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Delete template tiny' })));
    expect(del).not.toHaveBeenCalled();
  });

  it("shows a 409's rooms and their owners when the template is still used", async () => {
    vi.spyOn(window, 'confirm').mockReturnValue(true);
    del.mockRejectedValueOnce(
      new ApiError(409, { title: 'Conflict', status: 409, detail: "Template 'tiny' is used by 2 machine(s)", usedBy: [{ room: 'lab', owner: 'tina', machines: ['db', 'web'] }] }, 'DELETE answered 409'),
    );
    await renderAt('/admin/templates');
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Delete template tiny' })));
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('Template tiny is still used');
    expect(alert.textContent).toContain('room lab of user tina (db, web)');
  });

  it.each(['student', 'teacher'])('tells a %s the page is for admins only and asks the Server nothing else (issue 17)', async (r) => {
    role = r;
    await renderAt('/admin/templates');
    expect(screen.getByRole('heading', { name: 'For admins only' })).toBeTruthy();
    expect(screen.queryByRole('table')).toBeNull();
    expect(screen.queryByRole('button', { name: /Delete template/ })).toBeNull();
    expect(get.mock.calls.map(([p]) => p)).toEqual(['/api/v1/me']);
  });

  it('lists users with their role and quota', async () => {
    await renderAt('/admin/users');
    const row = screen.getByRole('row', { name: /tina/ });
    expect(row.textContent).toContain('teacher');
    expect(row.textContent).toContain('4 CPU, 3 VMs');
  });

  it('pages through the audit log with before = the oldest id shown', async () => {
    await renderAt('/admin/audit');
    expect(screen.getByRole('table', { name: /Page 1 \(50 entries/ })).toBeTruthy();
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Older' })));
    expect(get).toHaveBeenLastCalledWith('/api/v1/audit', expect.objectContaining({ query: expect.objectContaining({ before: 71, limit: 50 }) }));
    expect(screen.getByText('GET /x/70')).toBeTruthy();
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Older' })));
    // The last page holds the 20 oldest: no further page.
    expect(screen.getByRole('table', { name: /Page 3 \(20 entries/ })).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Older' }) as HTMLButtonElement).disabled).toBe(true);
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Newer' })));
    expect(screen.getByText('GET /x/70')).toBeTruthy();
  });
});
