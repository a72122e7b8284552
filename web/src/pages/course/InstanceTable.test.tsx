import { cleanup, render, screen, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { StudentInfo } from '../../api/types';
import { InstanceTable } from './InstanceTable';

vi.mock('../../api/api', () => ({ api: { post: vi.fn() } }));
afterEach(cleanup);

const instance = (student: string, checks?: { passed: number; total: number; at: string }) => ({
  roomId: `r-${student}`,
  roomName: 'lab',
  student,
  version: 1,
  phase: 'Ready',
  machines: 2,
  machinesRunning: 2,
  ...(checks ? { checks } : {}),
});
const student = (username: string, inst: ReturnType<typeof instance> | null) =>
  ({ userId: `u-${username}`, username, enrolledAt: '2026-12-07T01:00:00Z', instance: inst }) as unknown as StudentInfo;

describe('InstanceTable', () => {
  it("shows each instance's latest check results for the teacher: passed of total and when, or not run yet", () => {
    render(
      <MemoryRouter>
        <InstanceTable
          course="net101"
          rows={[
            { student: student('s1', instance('s1', { passed: 2, total: 2, at: '2026-12-07T01:40:03.456Z' })), room: null },
            { student: student('s2', instance('s2', { passed: 1, total: 2, at: '2026-12-07T01:40:00Z' })), room: null },
            { student: student('s3', instance('s3')), room: null },
            { student: student('s4', null), room: null },
          ]}
          latestVersion={1}
          onChanged={() => {}}
        />
      </MemoryRouter>,
    );

    const table = screen.getByRole('table', { name: "Students' instances" });
    const column = within(table).getAllByRole('columnheader').findIndex((h) => h.textContent === 'Checks');
    expect(column).toBeGreaterThan(0);
    const cell = (name: string) => within(table).getByRole('row', { name: new RegExp(`\\b${name}\\b`) }).children[column] as HTMLElement;
    expect(cell('s1').textContent).toContain('2 / 2 passed');
    expect(within(cell('s1')).getByText('2 / 2 passed').className).toContain('task-state-succeeded');
    expect(cell('s1').textContent).toContain(new Date('2026-12-07T01:40:03.456Z').toLocaleString());
    expect(within(cell('s2')).getByText('1 / 2 passed').className).toContain('task-state-failed');
    expect(cell('s3').textContent).toBe('not run yet');
    expect(cell('s4').textContent).toBe('—');
  });
});
