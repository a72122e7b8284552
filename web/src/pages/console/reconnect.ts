// A console page connects again on its own when its machine was rebuilt under the same name (a room reset, an upgrade,
// a new template): the Server ends the old machine's consoles with the reason "machine rebuilt" (ADR 0046), and the
// new machine takes a while to start, so the page tries again every few seconds for a bounded time.
import { useCallback, useEffect, useRef, useState } from 'react';
import { POLICY_VIOLATION } from './closeReason';

/** The Server's reason when a new machine of the same name replaced the console's machine (ConsoleSessions). */
export const MACHINE_REBUILT = 'machine rebuilt';

/** Between two tries; with {@link REBUILT_TRIES}, about two minutes for the new machine to start. */
export const RETRY_MS = 3000;
export const REBUILT_TRIES = 40;

/** Whether a console's close says its machine was rebuilt. */
export function rebuilt(code: number, reason: string): boolean {
  return code === POLICY_VIOLATION && reason === MACHINE_REBUILT;
}

export interface Reconnect {
  /** Bumped for every try: the page's effect depends on it. */
  attempt: number;
  /** Whether automatic tries are going on (the page shows "reconnecting"). */
  automatic: boolean;
  /** The user's Reconnect button: one try now, no automatic ones. */
  reconnect: () => void;
  /** The machine was rebuilt: try again every {@link RETRY_MS} for a while. */
  afterRebuild: () => void;
  /** A try failed (no ticket, or the socket closed before it connected): true when another one is scheduled. */
  retry: () => boolean;
  /** A try connected: no more automatic ones. */
  connected: () => void;
}

export function useReconnect(): Reconnect {
  const [attempt, setAttempt] = useState(0);
  const [automatic, setAutomatic] = useState(false);
  const left = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);

  const schedule = useCallback(() => {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => setAttempt((a) => a + 1), RETRY_MS);
  }, []);
  const stop = useCallback(() => {
    left.current = 0;
    setAutomatic(false);
  }, []);

  const reconnect = useCallback(() => {
    clearTimeout(timer.current);
    stop();
    setAttempt((a) => a + 1);
  }, [stop]);
  const afterRebuild = useCallback(() => {
    left.current = REBUILT_TRIES;
    setAutomatic(true);
    schedule();
  }, [schedule]);
  const retry = useCallback(() => {
    if (left.current <= 0) return false;
    left.current -= 1;
    schedule();
    return true;
  }, [schedule]);

  return { attempt, automatic, reconnect, afterRebuild, retry, connected: stop };
}
