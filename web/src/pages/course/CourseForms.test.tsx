// Issue 17 Deliver 1: a teacher creates a course and hands out an invite code, a student joins with it, an admin
// enrols from the user list, and the teacher changes the course's settings — all without the CLI.
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { MemoryRouter, Route, Routes } from 'react-router';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../api/client';
import { CoursesPage } from '../CoursesPage';
import { CourseSettings } from './CourseSettings';
import { EnrolForm } from './EnrolForm';
import { InviteForm } from './InviteForm';

let role = 'teacher';
let users: unknown = [];
const course = { id: 'c1', name: 'net101', title: 'Networks 101', teacher: 'tina', students: 0, latestVersion: 1, quota: null, createdAt: '2026-11-25T09:00:00Z', allowClientNodes: false, checkoutLease: null };
const get = vi.fn(async (path: string): Promise<unknown> => {
  switch (path) {
    case '/api/v1/me':
      return { user: { id: 'u0', username: 'tina', role }, authenticatedBy: 'oidc', scopes: [], quota: null };
    case '/api/v1/courses':
      return [course, { ...course, id: 'c2', name: 'other', teacher: 'otto' }];
    case '/api/v1/users':
      if (users instanceof Error) throw users;
      return users;
  }
  throw new Error(`unexpected GET ${path}`);
});
const post = vi.fn(async (_path: string, _options?: unknown): Promise<unknown> => undefined);
const patch = vi.fn(async (_path: string, _options?: unknown): Promise<unknown> => course);
vi.mock('../../api/api', () => ({
  api: { get: (p: string) => get(p), post: (p: string, o: unknown) => post(p, o), patch: (p: string, o: unknown) => patch(p, o) },
}));

beforeEach(() => {
  role = 'teacher';
  users = [];
  get.mockClear();
  post.mockReset();
  patch.mockClear();
});
afterEach(cleanup);

async function renderCourses() {
  render(
    <MemoryRouter initialEntries={['/courses']}>
      <Routes>
        <Route path="/courses" element={<CoursesPage />} />
        <Route path="/courses/:course" element={<main>course page</main>} />
      </Routes>
    </MemoryRouter>,
  );
  await act(async () => {});
}

const type = (label: string | RegExp, value: string) => fireEvent.change(screen.getByLabelText(label), { target: { value } });

describe('CoursesPage', () => {
  it('creates a course with its title, quota and client-node choice, then opens it', async () => {
    post.mockResolvedValueOnce({ ...course, name: 'net102' });
    await renderCourses();
    type('Name', 'net102');
    type('Title', 'Networks 102');
    type('vCPUs', '24');
    type('Memory (GiB)', '16');
    fireEvent.click(screen.getByLabelText('Students may run their instances on their own computers'));
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Create course' })));
    expect(post).toHaveBeenCalledWith('/api/v1/courses', {
      body: { name: 'net102', title: 'Networks 102', quota: { cpus: 24, memoryBytes: 16 * 1024 ** 3, diskBytes: null, runningVms: null }, allowClientNodes: true },
    });
    expect(screen.getByText('course page')).toBeTruthy();
  });

  it("shows the Server's 400 for a bad name and stays", async () => {
    post.mockRejectedValueOnce(new ApiError(400, { title: 'The course is not valid.', status: 400, errors: { name: ['must be a DNS label'] } }, '400'));
    await renderCourses();
    type('Name', 'Net 1');
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Create course' })));
    expect(screen.getByRole('alert').textContent).toContain('not valid');
    expect(screen.getByRole('heading', { name: 'New course' })).toBeTruthy();
  });

  it('links only the courses the teacher runs', async () => {
    await renderCourses();
    const table = screen.getByRole('table', { name: 'Courses' });
    expect(within(table).getByRole('link', { name: 'net101' }).getAttribute('href')).toBe('/courses/net101');
    expect(within(table).queryByRole('link', { name: 'other' })).toBeNull();
  });

  it('lets a student join with a code, and offers no New course', async () => {
    role = 'student';
    post.mockResolvedValueOnce(course);
    await renderCourses();
    expect(screen.queryByRole('heading', { name: 'New course' })).toBeNull();
    expect(screen.queryByRole('link', { name: 'net101' })).toBeNull();
    type('Invite code', '  k3y-c0de ');
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Join' })));
    expect(post).toHaveBeenCalledWith('/api/v1/invites/redeem', { body: { code: 'k3y-c0de' } });
    expect(screen.getByRole('status').textContent).toContain('You joined Networks 101. Your room for it is being made');
    // The list is read again, now with the course joined.
    expect(get.mock.calls.filter(([p]) => p === '/api/v1/courses').length).toBe(2);
  });
});

describe('InviteForm', () => {
  it('asks for a code with the hours and uses given and shows it', async () => {
    post.mockResolvedValueOnce({ code: 'Xy12-abcd', course: 'net101', expiresAt: '2026-12-01T10:00:00Z', usesLeft: 30 });
    render(<InviteForm course="net101" />);
    type('Valid for (hours)', '48');
    type('Uses', '30');
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'New invite code' })));
    expect(post).toHaveBeenCalledWith('/api/v1/courses/{course}/invites', { path: { course: 'net101' }, body: { expiresInHours: 48, maxUses: 30 } });
    expect(screen.getByRole('status').textContent).toContain('Xy12-abcd');
    expect(screen.getByRole('status').textContent).toContain('30 uses');
  });
});

describe('EnrolForm', () => {
  it('lets an admin pick users not yet enrolled from the list', async () => {
    users = [
      { id: 'u1', username: 'sam', displayName: 'Sam S.', role: 'student', source: 'local', createdAt: '', quotaOverride: null },
      { id: 'u2', username: 'alex', displayName: null, role: 'student', source: 'local', createdAt: '', quotaOverride: null },
    ];
    const changed = vi.fn();
    render(<EnrolForm course="net101" enrolled={['alex']} onChanged={changed} />);
    await act(async () => {});
    const list = screen.getByLabelText('Pick users') as HTMLSelectElement;
    expect([...list.options].map((o) => o.value)).toEqual(['sam']);
    list.options[0].selected = true;
    fireEvent.change(list);
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Enrol' })));
    expect(post).toHaveBeenCalledWith('/api/v1/courses/{course}/students', { path: { course: 'net101' }, body: { usernames: ['sam'] } });
    expect(changed).toHaveBeenCalledWith('Enrolled sam.');
  });

  it('falls back to typed usernames for a teacher, whom the Server does not show the user list', async () => {
    users = new ApiError(403, { title: 'Forbidden', status: 403 }, '403');
    render(<EnrolForm course="net101" enrolled={[]} onChanged={vi.fn()} />);
    await act(async () => {});
    expect(screen.queryByLabelText('Pick users')).toBeNull();
    expect(screen.queryByRole('alert')).toBeNull();
    type('Enrol students (usernames)', 'sam, alex');
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Enrol' })));
    expect(post).toHaveBeenCalledWith('/api/v1/courses/{course}/students', { path: { course: 'net101' }, body: { usernames: ['sam', 'alex'] } });
  });
});

describe('CourseSettings', () => {
  it('saves the title, the quota, the client-node choice and the lease; an empty lease returns to the platform default', async () => {
    const changed = vi.fn();
    render(<CourseSettings course={course} onChanged={changed} />);
    expect((screen.getByLabelText('Title') as HTMLInputElement).value).toBe('Networks 101');
    fireEvent.click(screen.getByLabelText('Students may run their instances on their own computers'));
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Save settings' })));
    expect(patch).toHaveBeenCalledWith('/api/v1/courses/{course}', {
      path: { course: 'net101' },
      body: { title: 'Networks 101', allowClientNodes: true, checkoutLease: 'default', quota: { cpus: null, memoryBytes: null, diskBytes: null, runningVms: null } },
    });
    type('Title', ' Networks 101, spring ');
    type('Check-out lease', '2d');
    type('Running machines', '40');
    type('Memory (GiB)', '1.5');
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Save settings' })));
    expect(patch).toHaveBeenLastCalledWith('/api/v1/courses/{course}', {
      path: { course: 'net101' },
      body: { title: 'Networks 101, spring', allowClientNodes: true, checkoutLease: '2d', quota: { cpus: null, memoryBytes: 1.5 * 1024 ** 3, diskBytes: null, runningVms: 40 } },
    });
    expect(changed).toHaveBeenCalledWith('Course settings saved.');
  });

  it("shows the course's quota and keeps a disk limit the form has no field for", async () => {
    const limited = { ...course, quota: { cpus: 8, memoryBytes: 2 * 1024 ** 3, diskBytes: 50 * 1024 ** 3, runningVms: null } };
    render(<CourseSettings course={limited} onChanged={vi.fn()} />);
    expect((screen.getByLabelText('vCPUs') as HTMLInputElement).value).toBe('8');
    expect((screen.getByLabelText('Memory (GiB)') as HTMLInputElement).value).toBe('2');
    expect((screen.getByLabelText('Running machines') as HTMLInputElement).value).toBe('');
    type('vCPUs', '');
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Save settings' })));
    expect(patch).toHaveBeenLastCalledWith('/api/v1/courses/{course}', {
      path: { course: 'net101' },
      body: { title: 'Networks 101', allowClientNodes: false, checkoutLease: 'default', quota: { cpus: null, memoryBytes: 2 * 1024 ** 3, diskBytes: 50 * 1024 ** 3, runningVms: null } },
    });
  });
});
