// Live updates of one room: the Server's SSE stream GET /api/v1/events?room={id} (events `room`, `machine`,
// `task`, `room-deleted`, JSON data; src/SkillVL.Server/Apis/EventsApi.cs). EventSource cannot send an
// Authorization header, so the access token goes in `?access_token=`. The stream sends everything first and then
// what changed, so events come in bursts: they are delivered in batches (at most one per `batchMs`), and the page
// refetches once per batch. While the stream is not open (refused, reconnecting), the page polls every `pollMs`.

import { useEffect, useRef, useState } from 'react';
import { accessToken } from '../auth/session';

export type LiveMode = 'connecting' | 'live' | 'polling';
export const ROOM_EVENT_TYPES = ['room', 'machine', 'task', 'room-deleted'] as const;
export type RoomEventType = (typeof ROOM_EVENT_TYPES)[number];
export interface RoomEvent {
  type: RoomEventType;
  data: unknown;
}

export interface RoomEventsOptions {
  /** Called with a batch of events, or with none on a poll tick. */
  onUpdate: (events: RoomEvent[]) => void;
  pollMs?: number;
  /** After the stream was refused, try it again this much later (with a fresh token). */
  retryMs?: number;
  batchMs?: number;
  /** For tests: the EventSource constructor. */
  eventSource?: typeof EventSource;
}

export function useRoomEvents(roomId: string | undefined, options: RoomEventsOptions): LiveMode {
  const { pollMs = 2000, retryMs = 30000, batchMs = 250 } = options;
  const [mode, setMode] = useState<LiveMode>('connecting');
  const onUpdate = useRef(options.onUpdate);
  onUpdate.current = options.onUpdate;
  const Source = options.eventSource ?? (typeof EventSource === 'undefined' ? undefined : EventSource);

  useEffect(() => {
    if (!roomId) return;
    let stopped = false;
    let source: EventSource | undefined;
    let pollTimer: number | undefined;
    let retryTimer: number | undefined;
    let batchTimer: number | undefined;
    let batch: RoomEvent[] = [];

    const poll = () => {
      window.clearInterval(pollTimer);
      pollTimer = window.setInterval(() => onUpdate.current([]), pollMs);
    };
    const stopPolling = () => {
      window.clearInterval(pollTimer);
      pollTimer = undefined;
    };
    const deliver = (event: RoomEvent) => {
      batch.push(event);
      batchTimer ??= window.setTimeout(() => {
        const events = batch;
        batch = [];
        batchTimer = undefined;
        onUpdate.current(events);
      }, batchMs);
    };

    const open = async () => {
      if (stopped || !Source) {
        setMode('polling');
        poll();
        return;
      }
      const token = await accessToken().catch(() => null);
      if (stopped) return;
      const url = `/api/v1/events?room=${encodeURIComponent(roomId)}${token ? `&access_token=${encodeURIComponent(token)}` : ''}`;
      source = new Source(url);
      source.onopen = () => {
        setMode('live');
        stopPolling();
      };
      for (const type of ROOM_EVENT_TYPES) {
        source.addEventListener(type, (e) => {
          let data: unknown = (e as MessageEvent).data;
          try {
            data = JSON.parse(String(data));
          } catch {
            // keep the raw text
          }
          deliver({ type, data });
        });
      }
      source.onerror = () => {
        // CONNECTING: the browser reconnects by itself; poll meanwhile. CLOSED: the Server refused the stream
        // (expired token, no such room): poll, and try a new stream with a fresh token later.
        setMode('polling');
        if (pollTimer === undefined) poll();
        if (source?.readyState === 2) {
          source.close();
          retryTimer = window.setTimeout(() => void open(), retryMs);
        }
      };
    };

    setMode('connecting');
    poll(); // until the stream is open
    void open();
    return () => {
      stopped = true;
      source?.close();
      stopPolling();
      window.clearTimeout(retryTimer);
      window.clearTimeout(batchTimer);
    };
  }, [roomId, pollMs, retryMs, batchMs, Source]);

  return mode;
}
