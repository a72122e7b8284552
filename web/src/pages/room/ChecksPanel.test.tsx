import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../api/client';
import { ChecksPanel, checksOf } from './ChecksPanel';

// The checks of CourseTests' lab (tests/SkillVL.IntegrationTests/Auth/CourseTests.cs), as the room's definition carries them.
const definition = {
  metadata: { name: 'lab' },
  checks: [
    { name: 'done', machine: 'a', run: 'test -f /root/done' },
    { name: 'a-reaches-b', machine: 'a', reaches: 'b' },
  ],
};
// What the Server answered there: the first run before the fix, the second after it.
const failing = [
  { name: 'done', passed: false, detail: 'exit status 1, expected 0', at: '2026-12-07T01:40:00.123Z' },
  { name: 'a-reaches-b', passed: true, detail: 'a reaches 10.20.0.11', at: '2026-12-07T01:40:00.123Z' },
];
const passing = failing.map((r) => ({ ...r, passed: true, detail: r.name === 'done' ? 'exit status 0' : r.detail, at: '2026-12-07T01:40:03.456Z' }));

const getUntyped = vi.fn(async (_url: string) => [] as unknown);
const postUntyped = vi.fn(async (_url: string) => passing as unknown);
vi.mock('../../api/api', () => ({ api: { getUntyped: (u: string) => getUntyped(u), postUntyped: (u: string) => postUntyped(u) } }));

afterEach(cleanup);

describe('ChecksPanel', () => {
  it("shows the room's checks with their latest results, and Check my work runs them again", async () => {
    getUntyped.mockResolvedValueOnce(failing);
    render(<ChecksPanel roomId="r 1" checks={checksOf(definition)} />);
    await act(async () => {});

    expect(getUntyped).toHaveBeenCalledWith('/api/v1/rooms/r%201/checks');
    const table = screen.getByRole('table', { name: 'Checks of this room' });
    const done = within(table).getByRole('row', { name: /^done/ });
    expect(done.textContent).toContain('on a: test -f /root/done (exit 0)');
    expect(done.textContent).toContain('failed exit status 1, expected 0');
    expect(within(table).getByRole('row', { name: /^a-reaches-b/ }).textContent).toContain('passed a reaches 10.20.0.11');
    expect(screen.getByText(/1 of 2 passed/)).toBeTruthy();

    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Check my work' })));
    expect(postUntyped).toHaveBeenCalledWith('/api/v1/rooms/r%201/checks');
    expect(within(table).getByRole('row', { name: /^done/ }).textContent).toContain('passed exit status 0');
    expect(screen.getByText(/2 of 2 passed/)).toBeTruthy();
  });

  it("says when checks have not run yet, and shows the Server's refusal of a run too soon", async () => {
    postUntyped.mockRejectedValueOnce(
      new ApiError(429, { title: 'Checks ran a moment ago', detail: "The checks of room 'lab' ran a moment ago; run them again in 4 s.", status: 429 }, ''),
    );
    render(<ChecksPanel roomId="r1" checks={checksOf(definition)} />);
    await act(async () => {});

    expect(screen.getByText('Not checked yet.')).toBeTruthy();
    expect(screen.getAllByText('not run yet')).toHaveLength(2);
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Check my work' })));
    expect(screen.getByRole('alert').textContent).toBe("The checks of room 'lab' ran a moment ago; run them again in 4 s.");
  });

  it('reads no checks from a definition without them', () => {
    expect(checksOf({ metadata: { name: 'x' } })).toEqual([]);
    expect(checksOf(null)).toEqual([]);
  });
});
