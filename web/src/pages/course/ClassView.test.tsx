import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { api } from '../../api/api';
import type { StudentInfo } from '../../api/types';
import { InstanceTable } from './InstanceTable';

vi.mock('../../api/api', () => ({ api: { post: vi.fn(), get: vi.fn() } }));
afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});
beforeEach(() => {
  vi.mocked(api.post).mockReset();
  vi.mocked(api.get).mockReset();
});

const instance = (student: string, extra: Record<string, unknown> = {}) => ({
  roomId: `r-${student}`,
  roomName: 'lab',
  student,
  version: 1,
  phase: 'Ready',
  machines: 2,
  machinesRunning: 2,
  ...extra,
});
const student = (username: string, inst: ReturnType<typeof instance> | null) =>
  ({ userId: `u-${username}`, username, enrolledAt: '2026-12-07T01:00:00Z', instance: inst }) as unknown as StudentInfo;

const rows = [
  { student: student('s1', instance('s1', { lastActivity: '2026-12-07T04:00:00Z', lastActivityWhat: 'console vnc on a' })), room: null },
  { student: student('s2', instance('s2', { phase: 'Stopped', machinesRunning: 0, checks: { passed: 0, total: 1, at: '2026-12-07T04:10:00Z' } })), room: null },
  { student: student('s3', null), room: null },
];

function renderView(onChanged = vi.fn()) {
  render(
    <MemoryRouter>
      <InstanceTable course="net101" rows={rows} latestVersion={1} onChanged={onChanged} />
    </MemoryRouter>,
  );
  return onChanged;
}

describe('class view', () => {
  it('lists every student: state, last activity, a link to OWNER/ROOM, and a student without an instance as such', () => {
    renderView();
    const table = screen.getByRole('table', { name: "Students' instances" });
    const row = (name: string) => within(table).getByRole('row', { name: new RegExp(`\\b${name}\\b`) });
    expect(within(row('s1')).getByRole('link', { name: 'Open room s1/lab' }).getAttribute('href')).toBe('/rooms/r-s1');
    expect(within(row('s1')).getByRole('link', { name: 'Open room s1/lab' }).textContent).toBe('s1/lab');
    expect(row('s1').textContent).toContain('running');
    expect(row('s1').textContent).toContain('2 / 2 running');
    expect(row('s1').textContent).toContain('console vnc on a');
    expect(row('s1').textContent).toContain(new Date('2026-12-07T04:00:00Z').toLocaleString());
    expect(row('s2').textContent).toContain('stopped');
    expect(row('s3').textContent).toContain('no instance');
  });

  it('acts on the selection after a confirmation, and shows each student’s outcome: which failed and why', async () => {
    const confirm = vi.spyOn(window, 'confirm').mockReturnValue(true);
    vi.mocked(api.post).mockResolvedValue([
      { student: 's1', roomId: 'r-s1', outcome: 'accepted', status: 202, message: "reset of s1's instance started (task t1)." },
      { student: 's3', roomId: null, outcome: 'no-instance', status: 404, message: "s3 has no instance of course 'net101'." },
    ] as never);
    const onChanged = renderView();

    fireEvent.click(screen.getByRole('checkbox', { name: 'Select s1' }));
    fireEvent.click(screen.getByRole('checkbox', { name: 'Select s3' }));
    fireEvent.click(within(screen.getByRole('group', { name: 'Actions for 2 selected students' })).getByRole('button', { name: 'Reset' }));

    expect(confirm).toHaveBeenCalledWith(expect.stringMatching(/^Reset the instances of 2 selected students \(s1, s3\)\? .*work in them is lost/));
    expect(api.post).toHaveBeenCalledWith('/api/v1/courses/{course}/instances/actions', {
      path: { course: 'net101' },
      body: { action: 'reset', students: ['s1', 's3'] },
    });
    const results = await screen.findByRole('region', { name: 'Results of Reset' });
    expect(results.textContent).toContain('1 of 2 done, 1 not');
    const items = within(results).getAllByRole('listitem');
    expect(items[0].className).toBe('outcome-ok');
    expect(items[0].textContent).toContain('started');
    expect(items[1].className).toBe('outcome-failed');
    expect(within(items[1]).getByText('no instance').className).toContain('task-state-failed');
    expect(items[1].textContent).toContain("s3 has no instance of course 'net101'.");
    expect(onChanged).toHaveBeenCalledWith('Reset: 1 of 2 students done.');
  });

  it('does nothing when the confirmation is declined; with no selection the action is for all students', () => {
    const confirm = vi.spyOn(window, 'confirm').mockReturnValue(false);
    renderView();

    fireEvent.click(within(screen.getByRole('group', { name: 'Actions for all 3 students' })).getByRole('button', { name: 'Run checks' }));

    expect(confirm).toHaveBeenCalledWith(expect.stringMatching(/^Run the checks of the instances of all 3 students\?/));
    expect(api.post).not.toHaveBeenCalled();
  });

  it('select all selects every student, and a second click clears the selection', () => {
    renderView();
    const all = screen.getByRole('checkbox', { name: 'Select all students' });
    fireEvent.click(all);
    expect(screen.getByRole('group', { name: 'Actions for 3 selected students' })).toBeTruthy();
    fireEvent.click(all);
    expect(screen.getByRole('group', { name: 'Actions for all 3 students' })).toBeTruthy();
  });

  it("shows a student's check results on click", async () => {
    vi.mocked(api.get).mockResolvedValue([{ name: 'done', passed: false, detail: 'exit status 1, expected 0', at: '2026-12-07T04:10:00Z' }] as never);
    renderView();

    fireEvent.click(screen.getByRole('button', { name: "0 / 1 passed: show s2's check results" }));

    const list = await screen.findByRole('list', { name: "s2's check results" });
    expect(list.textContent).toContain('failed');
    expect(list.textContent).toContain('exit status 1, expected 0');
    expect(api.get).toHaveBeenCalledWith('/api/v1/rooms/{room}/checks', { path: { room: 'r-s2' } });
    await waitFor(() => expect(screen.getByRole('button', { name: "0 / 1 passed: show s2's check results" }).getAttribute('aria-expanded')).toBe('true'));
  });
});
