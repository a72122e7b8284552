import { act, fireEvent, render, screen } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { signIn, signOut } from '../auth/session';
import { useFakeServer } from '../testing/fakeServer';
import { AccountPage } from './AccountPage';

vi.mock('../auth/session', () => ({
  accessToken: async () => 'tok',
  refreshAccessToken: async () => null,
  signOut: vi.fn(async () => undefined),
  signIn: vi.fn(async () => undefined),
}));

const server = useFakeServer();
const me = (source: string) => ({ status: 200, body: { user: { id: 'u1', username: 'tina', displayName: null, role: 'student', source, createdAt: '2026-11-25T09:00:00Z' }, authenticatedBy: 'oidc', scopes: [], usage: null } });

async function renderPage() {
  render(
    <MemoryRouter>
      <AccountPage />
    </MemoryRouter>,
  );
  await act(async () => {});
}

function fill(current: string, fresh: string) {
  fireEvent.change(screen.getByLabelText('Current password'), { target: { value: current } });
  fireEvent.change(screen.getByLabelText('New password'), { target: { value: fresh } });
}

beforeEach(() => {
  vi.mocked(signIn).mockClear();
  vi.mocked(signOut).mockClear();
});

describe('AccountPage', () => {
  it('changes the password, revoking API tokens when asked, then sends the user to sign in again', async () => {
    server.answers['GET /api/v1/me'] = [me('local')];
    server.answers['POST /api/v1/me/password'] = [{ status: 204, body: undefined }];
    await renderPage();
    fill('old-secret', 'new-secret-123');
    fireEvent.click(screen.getByLabelText(/Also revoke my API tokens/));
    await act(async () => void fireEvent.submit(screen.getByRole('form', { name: 'Change password' })));
    expect(server.calls.find((c) => c.key === 'POST /api/v1/me/password')?.body).toEqual({
      currentPassword: 'old-secret',
      newPassword: 'new-secret-123',
      revokeApiTokens: true,
    });
    expect(signOut).toHaveBeenCalledTimes(1);
    expect(signIn).toHaveBeenCalledWith('/');
  });

  it('keeps API tokens unless the box is ticked, and stays signed in when the Server refuses', async () => {
    server.answers['GET /api/v1/me'] = [me('local')];
    server.answers['POST /api/v1/me/password'] = [{ status: 400, body: { title: 'One or more validation errors occurred.', errors: { currentPassword: ['The current password is wrong.'] } } }];
    await renderPage();
    fill('wrong', 'new-secret-123');
    await act(async () => void fireEvent.submit(screen.getByRole('form', { name: 'Change password' })));
    expect(server.calls.find((c) => c.key === 'POST /api/v1/me/password')?.body).toMatchObject({ revokeApiTokens: false });
    expect(screen.getByRole('alert').textContent).toContain('currentPassword: The current password is wrong.');
    expect(signOut).not.toHaveBeenCalled();
  });

  it('offers no password form to an account of an external identity provider', async () => {
    server.answers['GET /api/v1/me'] = [me('https://idp.example')];
    await renderPage();
    expect(screen.queryByRole('form', { name: 'Change password' })).toBeNull();
    expect(screen.getByText(/external identity provider/)).toBeTruthy();
  });
});
