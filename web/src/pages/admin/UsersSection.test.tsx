// Issue 17 Deliver 3: an admin adds a user, resets a local account's password, deletes a user, sets a role and
// disables or enables an account in the browser.
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../api/client';
import { UsersSection } from './UsersSection';

const list = [
  { id: 'u1', username: 'sam', displayName: null, role: 'student', source: 'local', createdAt: '2026-11-25T09:00:00Z', quotaOverride: null, disabledAt: null },
  { id: 'u2', username: 'ext', displayName: 'Ext E.', role: 'teacher', source: 'https://idp.example', createdAt: '2026-11-25T09:00:00Z', quotaOverride: null, disabledAt: null },
  { id: 'u3', username: 'eve', displayName: null, role: 'student', source: 'local', createdAt: '2026-11-25T09:00:00Z', quotaOverride: null, disabledAt: '2026-12-01T08:00:00Z' },
];
const get = vi.fn(async (_path: string): Promise<unknown> => list);
const post = vi.fn(async (_path: string, _options?: unknown): Promise<unknown> => undefined);
const put = vi.fn(async (_path: string, _options?: unknown): Promise<unknown> => undefined);
const del = vi.fn(async (_path: string, _options?: unknown): Promise<unknown> => undefined);
vi.mock('../../api/api', () => ({
  api: { get: (p: string) => get(p), post: (p: string, o: unknown) => post(p, o), put: (p: string, o: unknown) => put(p, o), delete: (p: string, o: unknown) => del(p, o) },
}));

beforeEach(() => {
  get.mockClear();
  post.mockReset();
  put.mockReset();
  del.mockReset();
  vi.spyOn(window, 'confirm').mockReturnValue(true);
});
afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

async function renderUsers() {
  render(<UsersSection />);
  await act(async () => {});
}

describe('UsersSection', () => {
  it('adds a user with a role and shows the generated password once', async () => {
    post.mockResolvedValueOnce({ user: { ...list[0], id: 'u3', username: 'nina', role: 'teacher' }, initialPassword: 'Gen3rated-pw' });
    await renderUsers();
    fireEvent.change(screen.getByLabelText('Username'), { target: { value: 'nina' } });
    fireEvent.change(screen.getByLabelText('Role'), { target: { value: 'teacher' } });
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Add user' })));
    expect(post).toHaveBeenCalledWith('/api/v1/users', { body: { username: 'nina', role: 'teacher', displayName: null, password: null } });
    expect(screen.getByRole('status').textContent).toContain('Added nina. Their password, shown only now: Gen3rated-pw');
    expect(get).toHaveBeenCalledTimes(2);
  });

  it("shows the Server's answer when the username is taken", async () => {
    post.mockRejectedValueOnce(new ApiError(409, { title: 'Conflict', status: 409, detail: "User 'sam' already exists." }, '409'));
    await renderUsers();
    fireEvent.change(screen.getByLabelText('Username'), { target: { value: 'sam' } });
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Add user' })));
    expect(screen.getByRole('alert').textContent).toContain("User 'sam' already exists.");
  });

  it('resets a local account’s password, and offers no reset for an external account', async () => {
    put.mockResolvedValueOnce({ user: list[0], initialPassword: 'N3w-pw' });
    await renderUsers();
    expect(within(screen.getByRole('row', { name: /ext/ })).queryByRole('button', { name: /Reset password/ })).toBeNull();
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Reset password of sam' })));
    expect(window.confirm).toHaveBeenCalledWith(expect.stringContaining('sessions and API tokens end'));
    expect(put).toHaveBeenCalledWith('/api/v1/users/{user}/password', { path: { user: 'u1' }, body: {} });
    expect(screen.getByRole('status').textContent).toContain('New password of sam, shown only now: N3w-pw');
  });

  it('deletes a user after confirming, and shows why when the user still owns rooms', async () => {
    del.mockResolvedValueOnce(undefined).mockRejectedValueOnce(
      new ApiError(409, { title: 'Conflict', status: 409, detail: "User 'ext' still owns 1 room(s) and 0 course(s); delete them first." }, '409'),
    );
    await renderUsers();
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Delete user sam' })));
    expect(del).toHaveBeenCalledWith('/api/v1/users/{user}', { path: { user: 'u1' } });
    expect(screen.getByRole('status').textContent).toContain('Deleted sam.');
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Delete user ext' })));
    expect(screen.getByRole('alert').textContent).toContain('still owns 1 room(s)');
  });

  it('sets a local account’s role after confirming; an external account’s role is not editable', async () => {
    put.mockResolvedValueOnce({ ...list[0], role: 'teacher' });
    await renderUsers();
    expect(within(screen.getByRole('row', { name: /ext/ })).queryByRole('combobox')).toBeNull();
    await act(async () => void fireEvent.change(screen.getByLabelText('Role of sam'), { target: { value: 'teacher' } }));
    expect(window.confirm).toHaveBeenCalledWith(expect.stringContaining('Make sam a teacher?'));
    expect(put).toHaveBeenCalledWith('/api/v1/users/{user}/role', { path: { user: 'u1' }, body: { role: 'teacher' } });
    expect(screen.getByRole('status').textContent).toContain('sam is now teacher.');
    expect(get).toHaveBeenCalledTimes(2);
  });

  it("shows the Server's refusal of a role change (oneself, the last admin)", async () => {
    put.mockRejectedValueOnce(new ApiError(409, { title: 'Conflict', status: 409, detail: 'You cannot change your own role; another admin must.' }, '409'));
    await renderUsers();
    await act(async () => void fireEvent.change(screen.getByLabelText('Role of sam'), { target: { value: 'admin' } }));
    expect(screen.getByRole('alert').textContent).toContain('another admin must');
  });

  it('sends nothing when the role change is not confirmed', async () => {
    vi.spyOn(window, 'confirm').mockReturnValue(false);
    await renderUsers();
    await act(async () => void fireEvent.change(screen.getByLabelText('Role of sam'), { target: { value: 'admin' } }));
    expect(put).not.toHaveBeenCalled();
  });

  it('shows who is disabled, disables after confirming and enables', async () => {
    post.mockResolvedValue(undefined);
    await renderUsers();
    expect(within(screen.getByRole('row', { name: /eve/ })).getByText(/disabled since/)).toBeTruthy();
    expect(within(screen.getByRole('row', { name: /sam/ })).getByText('enabled')).toBeTruthy();
    expect(within(screen.getByRole('row', { name: /eve/ })).queryByRole('button', { name: 'Disable eve' })).toBeNull();

    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Disable sam' })));
    expect(window.confirm).toHaveBeenCalledWith(expect.stringContaining('Their rooms and VMs are left as they are.'));
    expect(post).toHaveBeenCalledWith('/api/v1/users/{user}/disable', { path: { user: 'u1' } });
    expect(screen.getByRole('status').textContent).toContain('Disabled sam.');

    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Enable eve' })));
    expect(post).toHaveBeenCalledWith('/api/v1/users/{user}/enable', { path: { user: 'u3' } });
    expect(screen.getByRole('status').textContent).toContain('Enabled eve.');
  });

  it('does not disable without confirmation', async () => {
    vi.spyOn(window, 'confirm').mockReturnValue(false);
    await renderUsers();
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Disable sam' })));
    expect(post).not.toHaveBeenCalled();
  });
});
