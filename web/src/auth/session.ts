// The OIDC session: authorization code + PKCE with oidc-client-ts against the issuer GET /api/v1/auth/config
// names (the Server's embedded issuer, or Keycloak). Tokens stay in sessionStorage (oidc-client-ts' default);
// the refresh token (scope offline_access) renews the access token without a page reload.

import { UserManager, type User, type UserManagerSettings } from 'oidc-client-ts';
import type { AuthConfig } from '../api/types';

export const CALLBACK_PATH = '/oidc/callback';

export interface Session {
  config: AuthConfig;
  manager: UserManager;
}

let session: Promise<Session> | null = null;

/** The issuer settings, loaded once per page. */
export function getSession(): Promise<Session> {
  session ??= createSession().catch((error) => {
    session = null; // let a later call try again (the Server may have been starting)
    throw error;
  });
  return session;
}

async function createSession(): Promise<Session> {
  const response = await fetch('/api/v1/auth/config', { headers: { Accept: 'application/json' } });
  if (!response.ok) throw new Error(`GET /api/v1/auth/config answered ${response.status}`);
  const config = (await response.json()) as AuthConfig;
  const origin = window.location.origin;
  const settings: UserManagerSettings = {
    authority: config.issuer,
    client_id: config.webClientId,
    redirect_uri: origin + CALLBACK_PATH,
    post_logout_redirect_uri: origin + '/',
    response_type: 'code',
    scope: config.scopes.join(' '),
    automaticSilentRenew: true,
    loadUserInfo: false,
  };
  if (import.meta.env.DEV && config.mode === 'embedded' && new URL(config.issuer).origin !== origin) {
    settings.metadata = await proxiedMetadata(config.issuer, origin);
  }
  return { config, manager: new UserManager(settings) };
}

/**
 * Under `npm run dev` the page comes from Vite, which proxies the issuer's paths to the Server. The issuer's
 * endpoints are absolute URLs on the Server's origin, which the browser would reach cross-origin (no CORS there),
 * so the endpoints are pointed at the page's origin; the issuer name (checked in tokens) stays as it is.
 */
async function proxiedMetadata(issuer: string, origin: string): Promise<Record<string, unknown>> {
  const response = await fetch('/.well-known/openid-configuration');
  const metadata = (await response.json()) as Record<string, unknown>;
  const issuerOrigin = new URL(issuer).origin;
  for (const [key, value] of Object.entries(metadata)) {
    if (key !== 'issuer' && typeof value === 'string' && value.startsWith(issuerOrigin)) {
      metadata[key] = origin + value.slice(issuerOrigin.length);
    }
  }
  return metadata;
}

/** The signed-in user with a token that has not expired, or null. */
export async function currentUser(): Promise<User | null> {
  const { manager } = await getSession();
  const user = await manager.getUser();
  return user && !user.expired ? user : null;
}

export async function accessToken(): Promise<string | null> {
  return (await currentUser())?.access_token ?? null;
}

/** Renews the access token with the refresh token; null when that is not possible (signed out). */
export async function refreshAccessToken(): Promise<string | null> {
  const { manager } = await getSession();
  const user = await manager.getUser();
  if (!user?.refresh_token) return null;
  try {
    return (await manager.signinSilent())?.access_token ?? null;
  } catch {
    await manager.removeUser();
    return null;
  }
}

export async function signIn(returnTo: string): Promise<void> {
  const { manager } = await getSession();
  await manager.signinRedirect({ state: { returnTo } });
}

/** Completes the redirect back from the issuer; answers where to go next. */
export async function completeSignIn(url: string): Promise<string> {
  const { manager } = await getSession();
  const user = await manager.signinRedirectCallback(url);
  const state = user.state as { returnTo?: string } | undefined;
  return state?.returnTo && state.returnTo.startsWith('/') ? state.returnTo : '/';
}

export async function signOut(): Promise<void> {
  const { config, manager } = await getSession();
  await manager.removeUser();
  if (config.mode === 'embedded') {
    // The embedded issuer keeps its own login cookie; end it too, or the next sign-in skips the password.
    await fetch('/logout', { method: 'POST', credentials: 'same-origin', redirect: 'manual' }).catch(() => undefined);
  }
}
