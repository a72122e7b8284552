import { act, renderHook } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { POLICY_VIOLATION } from './closeReason';
import { MACHINE_REBUILT, REBUILT_TRIES, RETRY_MS, rebuilt, useReconnect } from './reconnect';

describe('a console reconnects after its machine was rebuilt', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('knows the rebuilt close and nothing else', () => {
    expect(rebuilt(POLICY_VIOLATION, MACHINE_REBUILT)).toBe(true);
    expect(rebuilt(POLICY_VIOLATION, 'machine deleted')).toBe(false);
    expect(rebuilt(1006, MACHINE_REBUILT)).toBe(false);
  });

  it('tries again every few seconds until a try connects', () => {
    const { result } = renderHook(() => useReconnect());
    act(() => result.current.afterRebuild());
    expect(result.current.automatic).toBe(true);
    expect(result.current.attempt).toBe(0);
    act(() => vi.advanceTimersByTime(RETRY_MS));
    expect(result.current.attempt).toBe(1);

    // The new machine is still starting: the try fails and another is scheduled.
    let again = false;
    act(() => {
      again = result.current.retry();
    });
    expect(again).toBe(true);
    act(() => vi.advanceTimersByTime(RETRY_MS));
    expect(result.current.attempt).toBe(2);

    act(() => result.current.connected());
    expect(result.current.automatic).toBe(false);
    act(() => {
      again = result.current.retry();
    });
    expect(again).toBe(false);
    act(() => vi.advanceTimersByTime(10 * RETRY_MS));
    expect(result.current.attempt).toBe(2);
  });

  it('gives up after its tries, and never retries on its own without a rebuild', () => {
    const { result } = renderHook(() => useReconnect());
    expect(result.current.retry()).toBe(false);
    act(() => result.current.afterRebuild());
    let scheduled = 0;
    for (let i = 0; i < REBUILT_TRIES + 5; i++) {
      act(() => {
        if (result.current.retry()) scheduled += 1;
      });
    }
    expect(scheduled).toBe(REBUILT_TRIES);
  });

  it('a manual reconnect tries once at once and ends the automatic tries', () => {
    const { result } = renderHook(() => useReconnect());
    act(() => result.current.afterRebuild());
    act(() => result.current.reconnect());
    expect(result.current.attempt).toBe(1);
    expect(result.current.automatic).toBe(false);
    act(() => vi.advanceTimersByTime(10 * RETRY_MS));
    expect(result.current.attempt).toBe(1);
    expect(result.current.retry()).toBe(false);
  });
});
