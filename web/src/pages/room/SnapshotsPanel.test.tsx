import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../api/client';
import { SnapshotsPanel } from './SnapshotsPanel';

// What SnapshotApiTests' Server answered for a snapshot with RAM of the tiny guest.
const before = { machine: 'box', name: 'before', withRam: true, sizeBytes: 94584956, createdAt: '2026-12-07T15:10:52Z', createdBy: 'sam' };

const get = vi.fn(async (..._args: unknown[]) => [] as unknown);
const post = vi.fn(async (..._args: unknown[]) => ({}) as unknown);
const del = vi.fn(async (..._args: unknown[]) => undefined as unknown);
vi.mock('../../api/api', () => ({
  api: { get: (...a: unknown[]) => get(...a), post: (...a: unknown[]) => post(...a), delete: (...a: unknown[]) => del(...a) },
}));

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

describe('SnapshotsPanel', () => {
  it('lists the snapshots, takes one with RAM, reverts and deletes one after asking', async () => {
    get.mockResolvedValueOnce([]).mockResolvedValueOnce([before]).mockResolvedValue([before]);
    vi.spyOn(window, 'confirm').mockReturnValue(true);
    render(<SnapshotsPanel roomId="snaps" machineName="box" />);
    await act(async () => {});
    expect(screen.getByText('No snapshots yet.')).toBeTruthy();

    fireEvent.change(screen.getByRole('textbox'), { target: { value: 'before' } });
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Take snapshot' })));
    expect(post).toHaveBeenCalledWith('/api/v1/rooms/{room}/machines/{machine}/snapshots', {
      path: { room: 'snaps', machine: 'box' },
      body: { name: 'before', ram: true },
    });
    const list = screen.getByRole('list', { name: 'Snapshots of box' });
    expect(list.textContent).toContain('before with RAM');
    expect(list.textContent).toContain('by sam');

    await act(async () => void fireEvent.click(within(list).getByRole('button', { name: 'Revert' })));
    expect(post).toHaveBeenLastCalledWith('/api/v1/rooms/{room}/machines/{machine}/snapshots/{name}/revert', {
      path: { room: 'snaps', machine: 'box', name: 'before' },
    });
    await act(async () => void fireEvent.click(within(list).getByRole('button', { name: 'Delete' })));
    expect(del).toHaveBeenCalledWith('/api/v1/rooms/{room}/machines/{machine}/snapshots/{name}', {
      path: { room: 'snaps', machine: 'box', name: 'before' },
    });
  });

  it("shows the Server's refusal in its words", async () => {
    get.mockResolvedValue([]);
    post.mockRejectedValueOnce(
      new ApiError(409, { title: 'Conflict', detail: 'snaps/box has 10 snapshots, the most one machine may have', status: 409 }, ''),
    );
    render(<SnapshotsPanel roomId="snaps" machineName="box" />);
    await act(async () => {});
    fireEvent.change(screen.getByRole('textbox'), { target: { value: 'eleventh' } });
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Take snapshot' })));
    expect(screen.getByRole('alert').textContent).toBe('snaps/box has 10 snapshots, the most one machine may have');
  });
});
