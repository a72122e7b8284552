import { useEffect, useRef, useState } from 'react';
import { useNavigate } from 'react-router';
import { useAuth } from './AuthContext';
import { completeSignIn } from './session';

/** /oidc/callback: the issuer redirects here with ?code=…&state=…; exchange the code and go back. */
export function CallbackPage() {
  const navigate = useNavigate();
  const { reload } = useAuth();
  const [error, setError] = useState<string | null>(null);
  const started = useRef(false);

  useEffect(() => {
    // The code is single-use: React's development double effect must not redeem it twice.
    if (started.current) return;
    started.current = true;
    completeSignIn(window.location.href)
      .then((returnTo) => {
        reload();
        navigate(returnTo, { replace: true });
      })
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  }, [navigate, reload]);

  return (
    <main className="page narrow">
      {error ? (
        <div role="alert" className="error-box">
          <h1>Sign-in failed</h1>
          <p>{error}</p>
          <a href="/">Back to the start page</a>
        </div>
      ) : (
        <p aria-live="polite">Signing you in…</p>
      )}
    </main>
  );
}
