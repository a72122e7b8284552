// The copies of a machine a revive fenced on a client (ADR 0025): the laptop's disk as it came back, with what it wrote
// after its last sync, kept until someone who may revive the machine discards it. A copy the laptop has not been back
// with yet is only a record: discarding it means the laptop's copy is deleted when it returns.

import { useState } from 'react';
import { api } from '../api/api';
import { num } from '../api/client';
import type { components } from '../api/schema';
import { ErrorBox, formatBytes } from './common';

export type FencedCopy = components['schemas']['FencedCopyInfo'];

export interface FencedCopiesProps {
  roomId: string;
  machineName: string;
  copies: FencedCopy[] | null | undefined;
  /** Called after a copy was discarded: the room's view is read again. */
  onChanged: () => void;
}

/** "laptop1, epoch 1: set aside at …, 9 MiB (4 MiB written after the last sync)" or "… not back yet". */
export function fencedText(copy: FencedCopy): string {
  const head = `${copy.node}, check-out epoch ${num(copy.epoch)}${copy.lost ? ' (declared lost)' : ''}`;
  if (!copy.fencedAt) return `${head}: fenced when it returns (revived ${new Date(copy.revivedAt).toLocaleString()} by ${copy.revivedBy}).`;
  const written = copy.bytesSinceSync == null ? '' : ` (${formatBytes(num(copy.bytesSinceSync))} written after the last sync)`;
  const size = copy.sizeBytes == null ? '' : `, ${formatBytes(num(copy.sizeBytes))}${written}`;
  return `${head}: set aside at ${new Date(copy.fencedAt).toLocaleString()}${size}.`;
}

/** The name the Server gives the download: ROOM-MACHINE-eEPOCH.qcow2 (an OWNER/ROOM reference keeps its room's name). */
export function fencedFileName(room: string, machine: string, epoch: number): string {
  return `${room.split('/').pop()}-${machine}-e${epoch}.qcow2`;
}

export function FencedCopies({ roomId, machineName, copies, onChanged }: FencedCopiesProps) {
  const [busy, setBusy] = useState<number | null>(null);
  const [error, setError] = useState<unknown>();
  if (!copies || copies.length === 0) return null;

  // The disk comes through the API with the bearer token (no secret in a URL), then is saved from an object URL as
  // application/octet-stream under the Server's file name (ADR 0044). The browser holds it until saved: for the tiny and
  // small disks of a lab that is fine; the CLI (skillvl vm download-fenced) streams to a file instead.
  const download = async (copy: FencedCopy) => {
    const epoch = num(copy.epoch);
    setBusy(epoch);
    setError(undefined);
    try {
      const path = `/api/v1/rooms/${encodeURIComponent(roomId)}/machines/${encodeURIComponent(machineName)}/fenced/${epoch}/disk`;
      const blob = await api.getBlob(path, undefined, 'application/octet-stream, application/problem+json');
      // slice(), not new Blob([blob]): the same bytes retyped without a copy of a disk-sized blob.
      const url = URL.createObjectURL(blob.slice(0, blob.size, 'application/octet-stream'));
      const a = document.createElement('a');
      a.href = url;
      a.download = fencedFileName(roomId, machineName, epoch);
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 0);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  };

  const discard = async (copy: FencedCopy) => {
    const epoch = num(copy.epoch);
    const what = copy.fencedAt ? `the copy kept on ${copy.node}` : `the copy on ${copy.node} (deleted when it returns)`;
    if (!window.confirm(`Discard ${what} from check-out epoch ${epoch}? What it wrote after its last sync is lost.`)) return;
    setBusy(epoch);
    setError(undefined);
    try {
      await api.delete('/api/v1/rooms/{room}/machines/{machine}/fenced/{epoch}', { path: { room: roomId, machine: machineName, epoch: String(epoch) } });
      onChanged();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  };

  return (
    <div className="fenced">
      <h4>Fenced copies</h4>
      <ul>
        {copies.map((copy) => (
          <li key={num(copy.epoch)}>
            {fencedText(copy)}{' '}
            {copy.fencedAt && (
              <>
                <button type="button" disabled={busy !== null} onClick={() => void download(copy)} title={`Download the disk kept on ${copy.node} (qcow2)`}>
                  Download
                </button>{' '}
              </>
            )}
            <button type="button" disabled={busy !== null} onClick={() => void discard(copy)}>
              {busy === num(copy.epoch) ? 'Discarding…' : 'Discard'}
            </button>
          </li>
        ))}
      </ul>
      <ErrorBox error={error} />
    </div>
  );
}
