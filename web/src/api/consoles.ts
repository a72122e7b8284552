// Browser consoles go through the Server's gateway: a single-use 30-second ticket from
// POST /api/v1/rooms/{room}/machines/{machine}/console/tickets names the WebSocket URL (/console/ws?ticket=…).
import { api } from './api';
import type { ConsoleKind, ConsoleTicket } from './types';

/** `watch`: a watch-only console (ADR 0050): nothing typed, clicked or pasted reaches the guest; its owner sees it. */
export function requestConsoleTicket(room: string, machine: string, kind: ConsoleKind, watch = false): Promise<ConsoleTicket> {
  return api.post('/api/v1/rooms/{room}/machines/{machine}/console/tickets', { path: { room, machine }, body: { kind, watch } });
}

/** Whether a console page was opened to watch only (`?watch=1`, the class view's "watch" links). */
export function watchOnly(search: string): boolean {
  return new URLSearchParams(search).get('watch') === '1';
}

/** The ticket's URL as a ws:// or wss:// URL (it may be relative, or http(s)). */
export function webSocketUrl(url: string, base: string = window.location.href): string {
  const absolute = new URL(url, base);
  if (absolute.protocol === 'http:') absolute.protocol = 'ws:';
  else if (absolute.protocol === 'https:') absolute.protocol = 'wss:';
  return absolute.toString();
}

/**
 * A .vv file for remote-viewer (ADR 0062): the machine's SPICE console through a loopback port of the Server's host that
 * opens for this file alone; its password is a single-use ticket that expires in 30 s unused.
 */
export function requestSpiceFile(room: string, machine: string): Promise<Blob> {
  return api.postBlob(
    `/api/v1/rooms/${encodeURIComponent(room)}/machines/${encodeURIComponent(machine)}/console/spice-file`,
    'application/x-virt-viewer, application/problem+json',
  );
}
