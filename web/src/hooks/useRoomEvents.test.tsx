import { act, render } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { useRoomEvents, type LiveMode, type RoomEvent } from './useRoomEvents';

let tickets = 0;
const requestEventTicket = vi.fn(async () => ({ url: `/api/v1/events?ticket=t${++tickets}`, expiresAt: '2026-01-01T00:00:30Z' }));
vi.mock('../api/events', () => ({ requestEventTicket: () => requestEventTicket() }));

class FakeEventSource {
  static instances: FakeEventSource[] = [];
  readonly url: string;
  readyState = 0;
  onopen: (() => void) | null = null;
  onerror: (() => void) | null = null;
  private listeners = new Map<string, ((e: MessageEvent) => void)[]>();
  closed = false;
  constructor(url: string) {
    this.url = url;
    FakeEventSource.instances.push(this);
  }
  addEventListener(type: string, listener: (e: MessageEvent) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  emit(type: string, data: string) {
    for (const l of this.listeners.get(type) ?? []) l(new MessageEvent(type, { data }));
  }
  close() {
    this.closed = true;
    this.readyState = 2;
  }
}

function Probe({ onUpdate, onMode }: { onUpdate: (e: RoomEvent[]) => void; onMode: (m: LiveMode) => void }) {
  const mode = useRoomEvents('room1', { onUpdate, pollMs: 2000, retryMs: 30000, eventSource: FakeEventSource as unknown as typeof EventSource });
  onMode(mode);
  return null;
}

describe('useRoomEvents', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    FakeEventSource.instances = [];
    tickets = 0;
    requestEventTicket.mockClear();
  });
  afterEach(() => vi.useRealTimers());

  it('opens the stream with a single-use ticket (never the token), and stops polling once it is open', async () => {
    const onUpdate = vi.fn();
    const modes: LiveMode[] = [];
    render(<Probe onUpdate={onUpdate} onMode={(m) => modes.push(m)} />);
    await act(async () => {});
    const source = FakeEventSource.instances[0];
    expect(source.url).toBe('/api/v1/events?ticket=t1&room=room1');
    expect(source.url).not.toContain('access_token');
    await act(async () => {
      source.readyState = 1;
      source.onopen!();
    });
    expect(modes.at(-1)).toBe('live');
    onUpdate.mockClear();
    // A burst (the stream sends everything first) arrives as one batch.
    await act(async () => {
      source.emit('room', '{"id":"room1","phase":"Ready"}');
      source.emit('machine', '{"roomId":"room1","machine":{"name":"web","state":"running"}}');
      source.emit('task', 'not json');
    });
    expect(onUpdate).not.toHaveBeenCalled();
    await act(async () => void vi.advanceTimersByTime(250));
    expect(onUpdate.mock.calls).toEqual([
      [
        [
          { type: 'room', data: { id: 'room1', phase: 'Ready' } },
          { type: 'machine', data: { roomId: 'room1', machine: { name: 'web', state: 'running' } } },
          { type: 'task', data: 'not json' },
        ],
      ],
    ]);
    onUpdate.mockClear();
    // No polling while the stream is open.
    await act(async () => void vi.advanceTimersByTime(10000));
    expect(onUpdate).not.toHaveBeenCalled();
    await act(async () => {
      source.emit('room-deleted', '{"id":"room1"}');
      vi.advanceTimersByTime(250);
    });
    expect(onUpdate).toHaveBeenCalledWith([{ type: 'room-deleted', data: { id: 'room1' } }]);
  });

  it('falls back to polling every 2 s when the Server refuses the stream, and retries it later', async () => {
    const onUpdate = vi.fn();
    const modes: LiveMode[] = [];
    render(<Probe onUpdate={onUpdate} onMode={(m) => modes.push(m)} />);
    await act(async () => {});
    const source = FakeEventSource.instances[0];
    await act(async () => {
      source.readyState = 2; // as after a 404 or 401
      source.onerror!();
    });
    expect(modes.at(-1)).toBe('polling');
    expect(source.closed).toBe(true);
    onUpdate.mockClear();
    await act(async () => void vi.advanceTimersByTime(6000));
    expect(onUpdate.mock.calls).toEqual([[[]], [[]], [[]]]);
    await act(async () => void vi.advanceTimersByTime(30000));
    expect(FakeEventSource.instances).toHaveLength(2);
    expect(FakeEventSource.instances[1].url).toBe('/api/v1/events?ticket=t2&room=room1');
  });

  it('opens a new stream with a new ticket soon after an open stream dropped (the old ticket is spent)', async () => {
    const modes: LiveMode[] = [];
    render(<Probe onUpdate={vi.fn()} onMode={(m) => modes.push(m)} />);
    await act(async () => {});
    const source = FakeEventSource.instances[0];
    await act(async () => {
      source.readyState = 1;
      source.onopen!();
    });
    expect(modes.at(-1)).toBe('live');
    await act(async () => {
      source.readyState = 0; // the browser would reconnect by itself, with the spent ticket
      source.onerror!();
    });
    expect(modes.at(-1)).toBe('polling');
    expect(source.closed).toBe(true);
    await act(async () => void vi.advanceTimersByTime(2000));
    expect(FakeEventSource.instances).toHaveLength(2);
    expect(FakeEventSource.instances[1].url).toBe('/api/v1/events?ticket=t2&room=room1');
    expect(requestEventTicket).toHaveBeenCalledTimes(2);
  });

  it('polls and tries again later when no ticket is given (signed out, Server down)', async () => {
    requestEventTicket.mockRejectedValueOnce(new Error('401'));
    const onUpdate = vi.fn();
    const modes: LiveMode[] = [];
    render(<Probe onUpdate={onUpdate} onMode={(m) => modes.push(m)} />);
    await act(async () => {});
    expect(FakeEventSource.instances).toHaveLength(0);
    expect(modes.at(-1)).toBe('polling');
    await act(async () => void vi.advanceTimersByTime(30000));
    expect(FakeEventSource.instances).toHaveLength(1);
  });
});
