import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';

const signIn = vi.fn(async (_returnTo: string) => {});
let storedUser: unknown = null;
vi.mock('./auth/session', () => ({
  CALLBACK_PATH: '/oidc/callback',
  getSession: async () => ({
    config: { mode: 'embedded' },
    manager: {
      getUser: async () => storedUser,
      signinSilent: async () => null,
      events: { addUserLoaded: () => () => {}, addUserUnloaded: () => () => {}, addAccessTokenExpired: () => () => {} },
    },
  }),
  signIn: (returnTo: string) => signIn(returnTo),
  signOut: async () => {},
  completeSignIn: async () => '/',
  accessToken: async () => null,
}));
vi.mock('./api/api', () => ({ api: { get: vi.fn(() => new Promise(() => {})) } }));

const { App } = await import('./App');

afterEach(cleanup);

describe('App', () => {
  it('shows a signed-out user a Sign in button that starts the OIDC redirect', async () => {
    storedUser = null;
    window.history.pushState({}, '', '/rooms/new/quick');
    render(<App />);
    await act(async () => {});
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(signIn).toHaveBeenCalledWith('/rooms/new/quick');
    expect(screen.queryByRole('navigation')).toBeNull();
  });

  it('shows a signed-in user the navigation and their name', async () => {
    storedUser = { expired: false, profile: { sub: '1', preferred_username: 'tina' } };
    window.history.pushState({}, '', '/');
    render(<App />);
    await act(async () => {});
    expect(screen.getByRole('navigation', { name: 'Main' })).toBeTruthy();
    expect(screen.getByText('tina')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Sign out' })).toBeTruthy();
  });
});
