import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { MemoryRouter, Route, Routes } from 'react-router';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/client';
import { CoursePage } from './CoursePage';

const here = dirname(fileURLToPath(import.meta.url));
// A real room's details (GET /api/v1/rooms/webtest on a Server with both tiny guests up), as sam's instance.
const room = { ...JSON.parse(readFileSync(join(here, 'fixtures/room-details.json'), 'utf8')), owner: 'sam', course: 'net101', courseVersion: 1 };
room.machines[1] = { ...room.machines[1], state: 'stopped', node: 'node2' };

const course = { id: 'c1', name: 'net101', title: 'Networks 101', teacher: 'tina', students: 2, latestVersion: 2, quota: null, createdAt: '2026-11-25T09:00:00Z' };
const instance = { roomId: room.id, roomName: 'webtest', student: 'sam', version: 1, phase: 'Ready', machines: 2, machinesRunning: 1 };
const students = [
  { userId: 'u1', username: 'sam', enrolledAt: '2026-11-25T09:00:00Z', instance },
  { userId: 'u2', username: 'alex', enrolledAt: '2026-11-25T09:00:00Z', instance: null },
];
const versions = [
  { version: 1, roomName: 'webtest', publishedAt: '2026-11-25T09:00:00Z', instancesCreated: 1, problems: null },
  { version: 2, roomName: 'webtest', publishedAt: '2026-11-25T10:00:00Z', instancesCreated: 0, problems: null },
];

const get = vi.fn(async (path: string, _options?: unknown): Promise<unknown> => {
  switch (path) {
    case '/api/v1/courses/{course}':
      return course;
    case '/api/v1/courses/{course}/versions':
      return versions;
    case '/api/v1/courses/{course}/students':
      return students;
    case '/api/v1/rooms/{room}':
      return room;
    case '/api/v1/placement/policies/{scope}/{target}':
      throw new ApiError(404, null, 'no placement policy set for the course');
  }
  throw new Error(`unexpected GET ${path}`);
});
const post = vi.fn(async (path: string, _options?: unknown): Promise<unknown> => {
  if (path.endsWith('/versions')) return { version: 3, roomName: 'webtest', publishedAt: '', instancesCreated: 1, problems: ['alex: no node has 128 MiB free'] };
  return { id: `task-${path.split('/').pop()}` };
});
vi.mock('../api/api', () => ({ api: { get: (p: string, o: unknown) => get(p, o), post: (p: string, o: unknown) => post(p, o) } }));

beforeEach(() => {
  get.mockClear();
  post.mockClear();
  vi.spyOn(window, 'confirm').mockReturnValue(true);
});
afterEach(cleanup);

async function renderPage() {
  render(
    <MemoryRouter initialEntries={['/courses/net101']}>
      <Routes>
        <Route path="/courses/:course" element={<CoursePage />} />
      </Routes>
    </MemoryRouter>,
  );
  await act(async () => {});
}

describe('CoursePage', () => {
  it("lists every student's instance with each machine's state and node, and a link to each screen", async () => {
    await renderPage();
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('net101 — Networks 101');
    const table = screen.getByRole('table', { name: "Students' instances" });
    const sam = within(table).getByRole('row', { name: /sam/ });
    expect(sam.textContent).toContain('v1');
    expect(sam.textContent).toContain('running on local');
    expect(sam.textContent).toContain('stopped on node2');
    expect(within(sam).getByRole('link', { name: "Open the screen of sam's server" }).getAttribute('href')).toBe(`/rooms/${room.id}/machines/server/console`);
    expect(within(sam).getByRole('link', { name: "Open the screen of sam's client" }).getAttribute('href')).toBe(`/rooms/${room.id}/machines/client/console`);
    const alex = within(table).getByRole('row', { name: /alex/ });
    expect(alex.textContent).toContain('no instance');
    expect(within(alex).queryByRole('button')).toBeNull();
    // Only the instance's own room was read, by id.
    expect(get).toHaveBeenCalledWith('/api/v1/rooms/{room}', expect.objectContaining({ path: { room: room.id } }));
  });

  it('resets and upgrades an instance through the rooms API', async () => {
    await renderPage();
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: "Reset sam's instance" })));
    expect(post).toHaveBeenCalledWith('/api/v1/rooms/{room}/reset', { path: { room: room.id } });
    expect(screen.getByRole('status').textContent).toContain("Reset of sam's instance started (task task-reset)");
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: "Upgrade sam's instance to version 2" })));
    expect(post).toHaveBeenCalledWith('/api/v1/rooms/{room}/upgrade', { path: { room: room.id } });
  });

  it("does not reset when the teacher cancels the confirmation", async () => {
    vi.spyOn(window, 'confirm').mockReturnValue(false);
    await renderPage();
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: "Reset sam's instance" })));
    expect(post).not.toHaveBeenCalled();
  });

  it('publishes the edited room.yaml as the next version and shows what it made', async () => {
    await renderPage();
    const editor = screen.getByLabelText('room.yaml of version 3') as HTMLTextAreaElement;
    // Starts from an instance's definition under the version's room name.
    expect(editor.value).toContain('name: webtest');
    expect(editor.value).toContain('template: tiny');
    const edited = editor.value.replace('10.0.1.10', '10.0.1.20');
    fireEvent.change(editor, { target: { value: edited } });
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Publish version 3' })));
    expect(post).toHaveBeenCalledWith('/api/v1/courses/{course}/versions', { path: { course: 'net101' }, raw: { text: edited, contentType: 'application/yaml' } });
    const result = screen.getAllByRole('status').map((s) => s.textContent).join(' ');
    expect(result).toContain('Version 3 (webtest) published: 1 new instances');
    expect(result).toContain('alex: no node has 128 MiB free');
  });

  it("shows the Server's field errors of a refused version, and blocks YAML that does not parse", async () => {
    post.mockRejectedValueOnce(
      new ApiError(400, { title: 'The room definition is not valid.', status: 400, errors: { 'machines[0].memory': ['must be at least 16Mi'] } }, ''),
    );
    await renderPage();
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Publish version 3' })));
    expect(screen.getByRole('alert').textContent).toContain('machines[0].memory: must be at least 16Mi');

    fireEvent.change(screen.getByLabelText('room.yaml of version 3'), { target: { value: 'machines: [\n' } });
    expect((screen.getByRole('button', { name: 'Publish version 3' }) as HTMLButtonElement).disabled).toBe(true);
  });
});
