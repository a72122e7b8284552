// Live updates of one room: the Server's SSE stream GET /api/v1/events?room={id} (events `room`, `machine`,
// `task`, `room-deleted`, JSON data; src/SkillVL.Server/Apis/EventsApi.cs). EventSource cannot send an
// Authorization header and a token in a URL ends up in logs, so each connection opens with a single-use ticket
// (src/api/events.ts). The stream sends everything first and then what changed, so events come in bursts: they are
// delivered in batches (at most one per `batchMs`), and the page refetches once per batch. While the stream is not
// open (refused, reconnecting), the page polls every `pollMs`.

import { useEffect, useRef, useState } from 'react';
import { requestEventTicket } from '../api/events';

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
  /** After the stream was refused (or no ticket was given), try it again this much later, with a new ticket. */
  retryMs?: number;
  /** After an open stream dropped (Server restart, network), open a new one this much later, with a new ticket. */
  reconnectMs?: number;
  batchMs?: number;
  /** For tests: the EventSource constructor. */
  eventSource?: typeof EventSource;
}

export function useRoomEvents(roomId: string | undefined, options: RoomEventsOptions): LiveMode {
  const { pollMs = 2000, retryMs = 30000, reconnectMs = 2000, batchMs = 250 } = options;
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
      const fallBack = (delay: number) => {
        setMode('polling');
        if (pollTimer === undefined) poll();
        retryTimer = window.setTimeout(() => void open(), delay);
      };
      const ticket = await requestEventTicket().catch(() => null);
      if (stopped) return;
      if (!ticket) {
        fallBack(retryMs);
        return;
      }
      let opened = false;
      source = new Source(`${ticket.url}&room=${encodeURIComponent(roomId)}`);
      source.onopen = () => {
        opened = true;
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
        // The ticket was good for this one connection: the browser's own reconnect would present a used ticket. Close,
        // poll meanwhile, and open a new stream with a new ticket — soon when this one had been open (the Server
        // restarted, the network blinked), later when it was refused (expired session, no such room).
        source?.close();
        fallBack(opened ? reconnectMs : retryMs);
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
  }, [roomId, pollMs, retryMs, reconnectMs, batchMs, Source]);

  return mode;
}
