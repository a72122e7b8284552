// Check-out and check-in of a machine (issue 12, ADR 0023): a live move to the owner's own computer that keeps the
// server's copy of its disk, the background sync that keeps that copy close, and the move back. Check-out and check-in
// answer 202 with a migration (followed like any move); the sync answers when its copy ended.
import { api } from './api';
import type { Migration } from './migrations';
import type { components } from './schema';

/**
 * Where a machine is checked out. `leaseExpiresAt` is the lease's end (ADR 0025), null until the Server's first renewal
 * answered; the UI shows it only when it is set.
 */
export type Checkout = components['schemas']['CheckoutInfo'];

export type CheckoutSync = components['schemas']['CheckoutSyncInfo'];

interface MachinePath {
  room: string;
  machine: string;
}

export function checkOut(path: MachinePath, to: string): Promise<Migration> {
  return api.post('/api/v1/rooms/{room}/machines/{machine}/checkout', { path, body: { to } });
}

export function checkIn(path: MachinePath): Promise<Migration> {
  return api.post('/api/v1/rooms/{room}/machines/{machine}/checkin', { path });
}

export function syncNow(path: MachinePath): Promise<CheckoutSync> {
  return api.post('/api/v1/rooms/{room}/machines/{machine}/sync', { path });
}

/** Revive a checked-out machine on its retained node (ADR 0025); `lost` declares its client lost before the lease ran out. */
export function revive(path: MachinePath, lost: boolean): Promise<components['schemas']['MachineStatus']> {
  return api.post('/api/v1/rooms/{room}/machines/{machine}/revive', { path, body: { lost } });
}

const PURPOSES: Record<string, string> = { checkout: 'check-out', checkin: 'check-in' };

/** A migration's purpose in words: "move" for a plain one (MigrationInfo.purpose is null or absent). */
export const purposeText = (purpose: string | null | undefined) => (purpose ? (PURPOSES[purpose] ?? purpose) : 'move');
