import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { byName, RoomSnapshotsPanel } from './SnapshotsPanel';

const a = { machine: 'a', name: 'start', withRam: true, sizeBytes: 1000, createdAt: '2026-12-07T15:10:52Z', createdBy: 'sam' };
const b = { ...a, machine: 'b', sizeBytes: '2000', createdAt: '2026-12-07T15:10:50Z' };
const c = { ...a, machine: 'a', name: 'disk', withRam: false, createdAt: '2026-12-07T16:00:00Z' };

const get = vi.fn(async (..._args: unknown[]) => [] as unknown);
const post = vi.fn(async (..._args: unknown[]) => ({}) as unknown);
const del = vi.fn(async (..._args: unknown[]) => undefined as unknown);
vi.mock('../../api/api', () => ({
  api: { get: (...x: unknown[]) => get(...x), post: (...x: unknown[]) => post(...x), delete: (...x: unknown[]) => del(...x) },
}));

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

describe('RoomSnapshotsPanel', () => {
  it('groups the machines snapshots by name, oldest first, summing their sizes', () => {
    expect(byName([c, a, b])).toEqual([
      { name: 'start', machines: ['a', 'b'], withRam: true, sizeBytes: 3000, createdAt: '2026-12-07T15:10:50Z', createdBy: 'sam' },
      { name: 'disk', machines: ['a'], withRam: false, sizeBytes: 1000, createdAt: '2026-12-07T16:00:00Z', createdBy: 'sam' },
    ]);
  });

  it('takes a room snapshot, reverts and deletes it by name after asking', async () => {
    get.mockResolvedValueOnce([]).mockResolvedValue([a, b]);
    vi.spyOn(window, 'confirm').mockReturnValue(true);
    render(<RoomSnapshotsPanel roomId="lab" machineCount={2} />);
    await act(async () => {});
    expect(screen.getByText('No snapshots yet.')).toBeTruthy();

    fireEvent.change(screen.getByRole('textbox'), { target: { value: 'start' } });
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Snapshot every machine' })));
    expect(post).toHaveBeenCalledWith('/api/v1/rooms/{room}/snapshots', { path: { room: 'lab' }, body: { name: 'start', ram: true } });
    const list = screen.getByRole('list', { name: 'Snapshots of the room' });
    expect(list.textContent).toContain('start with RAM · 2 of 2 machines');

    await act(async () => void fireEvent.click(within(list).getByRole('button', { name: 'Revert room' })));
    expect(post).toHaveBeenLastCalledWith('/api/v1/rooms/{room}/snapshots/{name}/revert', { path: { room: 'lab', name: 'start' } });
    await act(async () => void fireEvent.click(within(list).getByRole('button', { name: 'Delete' })));
    expect(del).toHaveBeenCalledWith('/api/v1/rooms/{room}/snapshots/{name}', { path: { room: 'lab', name: 'start' } });
  });
});
