import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';

// The Experiments entry of the navigation: for teachers and admins (the Server answers 403 to students anyway).
let role = 'teacher';
vi.mock('./auth/session', () => ({
  CALLBACK_PATH: '/oidc/callback',
  getSession: async () => ({
    config: { mode: 'embedded' },
    manager: {
      getUser: async () => ({ expired: false, profile: { sub: '1', preferred_username: 'tina' } }),
      signinSilent: async () => null,
      events: { addUserLoaded: () => () => {}, addUserUnloaded: () => () => {}, addAccessTokenExpired: () => () => {} },
    },
  }),
  signIn: async () => {},
  signOut: async () => {},
  completeSignIn: async () => '/',
  accessToken: async () => null,
}));
vi.mock('./api/api', () => ({ api: { get: vi.fn(async () => ({ user: { role } })) } }));
vi.mock('./pages/HomePage', () => ({ HomePage: () => <main>home</main> }));

const { App } = await import('./App');

afterEach(cleanup);

describe('App navigation', () => {
  it.each([
    ['teacher', true],
    ['admin', true],
    ['student', false],
  ])('shows Experiments to a %s: %s', async (r, shown) => {
    role = r;
    window.history.pushState({}, '', '/');
    render(<App />);
    await act(async () => new Promise((done) => setTimeout(done, 20)));
    expect(screen.getByRole('link', { name: 'My computers' })).toBeTruthy();
    // Courses for every role: a student joins one there with an invite code (issue 17).
    expect(screen.getByRole('link', { name: 'Courses' }).getAttribute('href')).toBe('/courses');
    const link = screen.queryByRole('link', { name: 'Experiments' });
    expect(link !== null).toBe(shown);
    if (link) expect(link.getAttribute('href')).toBe('/experiments');
  });
});
