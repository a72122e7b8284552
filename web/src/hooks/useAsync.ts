import { useCallback, useEffect, useRef, useState } from 'react';

export interface AsyncState<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  reload: () => void;
}

/**
 * Runs `load` when `deps` change (and on reload); optionally again every `intervalMs`, for as long as `keepPolling`
 * says so of the latest answer (a failed load is tried again). `reload` starts polling again.
 */
export function useAsync<T>(
  load: (signal: AbortSignal) => Promise<T>,
  deps: readonly unknown[],
  intervalMs?: number,
  keepPolling?: (data: T) => boolean,
): AsyncState<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<Error>();
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const keepPollingRef = useRef(keepPolling);
  keepPollingRef.current = keepPolling;

  useEffect(() => {
    const controller = new AbortController();
    let timer: number | undefined;
    let again = true;
    const run = () => {
      loadRef
        .current(controller.signal)
        .then((value) => {
          again = keepPollingRef.current?.(value) ?? true;
          setData(value);
          setError(undefined);
        })
        .catch((e: unknown) => {
          if (!controller.signal.aborted) setError(e instanceof Error ? e : new Error(String(e)));
        })
        .finally(() => {
          if (controller.signal.aborted) return;
          setLoading(false);
          if (intervalMs && again) timer = window.setTimeout(run, intervalMs);
        });
    };
    setLoading(true);
    run();
    return () => {
      controller.abort();
      window.clearTimeout(timer);
    };
  }, [...deps, tick, intervalMs]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload };
}
