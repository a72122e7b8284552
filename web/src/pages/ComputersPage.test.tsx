import { act, fireEvent, render, screen } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { describe, expect, it, vi } from 'vitest';
import { useFakeServer } from '../testing/fakeServer';
import { agentCommand, ComputersPage, LeavingSeconds } from './ComputersPage';

vi.mock('../auth/session', () => ({
  accessToken: async () => 'tok',
  refreshAccessToken: async () => null,
}));

const server = useFakeServer();
const me = (username: string, role: string) => ({
  status: 200,
  body: { user: { id: 'u-' + username, username, displayName: null, role, source: 'local', createdAt: '2026-11-25T09:00:00Z' }, authenticatedBy: 'oidc', scopes: [], usage: null },
});
const node = (name: string, kind: string, owner: string | null) => ({
  name, kind, state: 'ready', accelerator: 'tcg', cpus: 4, memoryBytes: 8 << 30, machinesRunning: 1, cpusAllocated: 1, memoryBytesAllocated: 1 << 30,
  drained: false, underlayAddress: null, labels: null, allocation: 'all', owner,
});

async function renderPage() {
  render(
    <MemoryRouter>
      <ComputersPage />
    </MemoryRouter>,
  );
  await act(async () => {});
}

describe('ComputersPage', () => {
  it('adds my computer: asks for a client token and shows the agent command to copy, with the expiry', async () => {
    server.answers['GET /api/v1/me'] = [me('bob', 'student')];
    server.answers['GET /api/v1/nodes'] = [{ status: 200, body: [node('local', 'server', null)] }];
    server.answers['POST /api/v1/nodes/join-tokens'] = [{ status: 200, body: { token: 'svl_join_abc', expiresAt: '2026-12-06T10:00:00Z', kind: 'client', owner: 'bob' } }];
    const writeText = vi.fn(async () => undefined);
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } });
    await renderPage();
    expect(screen.getByText('None yet.')).toBeTruthy();

    fireEvent.change(screen.getByLabelText('Computer name'), { target: { value: 'laptop-bob' } });
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Add my computer' })));

    expect(server.calls.find((c) => c.key === 'POST /api/v1/nodes/join-tokens')?.body).toEqual({ kind: 'client' });
    const command =
      "(umask 077; printf '%s\\n' svl_join_abc > skillvl-join-token) && " +
      `sudo skillvl-agent --server ${window.location.origin} --join-token-file skillvl-join-token --name laptop-bob --kind client`;
    expect(screen.getByLabelText('Agent command').textContent).toBe(command);
    expect(screen.getByText(new RegExp(new Date('2026-12-06T10:00:00Z').toLocaleString().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))).toBeTruthy();
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Copy' })));
    expect(writeText).toHaveBeenCalledWith(command);
    expect(screen.getByText('copied')).toBeTruthy();
  });

  it('lists only my own client nodes, and removes one', async () => {
    server.answers['GET /api/v1/me'] = [me('bob', 'admin')];
    server.answers['GET /api/v1/nodes'] = [
      { status: 200, body: [node('local', 'server', null), node('laptop-bob', 'client', 'bob'), node('laptop-carol', 'client', 'carol'), node('lab-pc', 'client', null)] },
      { status: 200, body: [node('local', 'server', null)] },
    ];
    server.answers['DELETE /api/v1/nodes/laptop-bob'] = [{ status: 204, body: undefined }];
    await renderPage();

    expect(screen.getByRole('button', { name: 'Remove laptop-bob' })).toBeTruthy();
    expect(screen.queryByText('laptop-carol')).toBeNull(); // an admin sees it elsewhere, not as theirs
    expect(screen.queryByText('lab-pc')).toBeNull();
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Remove laptop-bob' })));

    expect(server.count('DELETE /api/v1/nodes/laptop-bob')).toBe(1);
    expect(screen.getByText('None yet.')).toBeTruthy();
  });

  it('shows why the Server refused a token', async () => {
    server.answers['GET /api/v1/me'] = [me('bob', 'student')];
    server.answers['GET /api/v1/nodes'] = [{ status: 200, body: [] }];
    server.answers['POST /api/v1/nodes/join-tokens'] = [{ status: 409, body: { title: 'Conflict', detail: 'bob already has 3 client nodes (a, b, c): remove one first' } }];
    await renderPage();

    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Add my computer' })));

    expect(screen.getByRole('alert').textContent).toContain('remove one first');
    expect(screen.queryByLabelText('Agent command')).toBeNull();
  });

  it('builds the command from the origin, the token and the name', () => {
    expect(agentCommand('https://lab.example', { token: 't', expiresAt: '2026-01-01T00:00:00Z', kind: 'client', owner: 'bob' }, '')).toBe(
      "(umask 077; printf '%s\\n' t > skillvl-join-token) && sudo skillvl-agent --server https://lab.example --join-token-file skillvl-join-token --name NAME --kind client",
    );
  });

  it('says a computer is leaving: 10 minutes from the button, the time it goes in its state, and Staying withdraws it', async () => {
    server.answers['GET /api/v1/me'] = [me('bob', 'student')];
    const leaving = { ...node('laptop-bob', 'client', 'bob'), departsAt: '2026-12-08T10:10:00Z' };
    server.answers['GET /api/v1/nodes'] = [
      { status: 200, body: [node('laptop-bob', 'client', 'bob')] },
      { status: 200, body: [leaving] },
      { status: 200, body: [node('laptop-bob', 'client', 'bob')] },
    ];
    server.answers['POST /api/v1/nodes/laptop-bob/departure'] = [{ status: 200, body: { node: 'laptop-bob', departsAt: leaving.departsAt } }];
    server.answers['DELETE /api/v1/nodes/laptop-bob/departure'] = [{ status: 204, body: null }];
    await renderPage();

    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'laptop-bob leaves in 10 minutes' })));
    expect(server.calls.find((c) => c.key === 'POST /api/v1/nodes/laptop-bob/departure')?.body).toEqual({ inSeconds: LeavingSeconds });
    expect(screen.getByText(new RegExp(`leaving at ${new Date(leaving.departsAt).toLocaleTimeString()}`))).toBeTruthy();

    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'laptop-bob stays' })));
    expect(server.count('DELETE /api/v1/nodes/laptop-bob/departure')).toBe(1);
    expect(screen.queryByText(/leaving at/)).toBeNull();
    expect(screen.getByRole('button', { name: 'laptop-bob leaves in 10 minutes' })).toBeTruthy();
  });
});
