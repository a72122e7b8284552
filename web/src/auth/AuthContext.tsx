import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { User } from 'oidc-client-ts';
import { getSession, signIn as startSignIn, signOut as endSession } from './session';

export type AuthState =
  | { status: 'loading' }
  | { status: 'error'; message: string }
  | { status: 'signed-out' }
  | { status: 'signed-in'; user: User };

interface AuthContextValue {
  state: AuthState;
  signIn: () => void;
  signOut: () => void;
  /** Re-reads the stored user (after the callback page stored one). */
  reload: () => void;
}

const AuthContext = createContext<AuthContextValue | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<AuthState>({ status: 'loading' });
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    let cancelled = false;
    const unsubscribe: (() => void)[] = [];
    getSession()
      .then(async ({ manager }) => {
        const show = (user: User | null) => {
          if (!cancelled) setState(user && !user.expired ? { status: 'signed-in', user } : { status: 'signed-out' });
        };
        unsubscribe.push(manager.events.addUserLoaded(show));
        unsubscribe.push(manager.events.addUserUnloaded(() => show(null)));
        unsubscribe.push(
          manager.events.addAccessTokenExpired(async () => {
            // automaticSilentRenew normally renews first; this is the fallback when it could not.
            const renewed = await manager.signinSilent().catch(() => null);
            show(renewed);
          }),
        );
        let user = await manager.getUser();
        if (user?.expired && user.refresh_token) {
          user = await manager.signinSilent().catch(() => null);
        }
        show(user);
      })
      .catch((error: unknown) => {
        if (!cancelled) setState({ status: 'error', message: error instanceof Error ? error.message : String(error) });
      });
    return () => {
      cancelled = true;
      unsubscribe.forEach((u) => u());
    };
  }, [generation]);

  const signIn = useCallback(() => {
    const returnTo = window.location.pathname + window.location.search;
    void startSignIn(returnTo).catch((error: unknown) => setState({ status: 'error', message: String(error) }));
  }, []);

  const signOut = useCallback(() => {
    void endSession().finally(() => setState({ status: 'signed-out' }));
  }, []);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);

  const value = useMemo(() => ({ state, signIn, signOut, reload }), [state, signIn, signOut, reload]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthContextValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error('useAuth outside AuthProvider');
  return value;
}
