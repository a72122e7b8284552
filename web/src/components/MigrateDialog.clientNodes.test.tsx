import { act, cleanup, render, screen, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MachineStatus } from '../api/types';
import { fakeServer } from '../testing/fakeServer';
import { MigrateDialog } from './MigrateDialog';

vi.mock('../auth/session', () => ({ accessToken: async () => 'tok', refreshAccessToken: async () => null }));

const GiB = 1024 ** 3;
const machine = { id: 'vm-7f3a', name: 'web', node: 'local', state: 'running' } as MachineStatus;
const node = (name: string, extra: object = {}) => ({
  name, kind: 'server', state: 'ready', accelerator: 'kvm', cpus: 8, memoryBytes: 8 * GiB, machinesRunning: 0, cpusAllocated: 0, memoryBytesAllocated: GiB, drained: false,
  allocation: 'yours', ...extra,
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('MigrateDialog and client nodes (issue 12)', () => {
  it("offers a student their own client node (full view, owner shown), not an unowned one", async () => {
    const { answers } = fakeServer();
    answers['GET /api/v1/nodes'] = [
      {
        status: 200,
        body: [node('local'), node('lab-pc', { kind: 'client' }), node('laptop-bob', { kind: 'client', owner: 'bob', allocation: 'all' })],
      },
    ];
    render(
      <MemoryRouter>
        <MigrateDialog machine={machine} onClose={vi.fn()} pollMs={50} />
      </MemoryRouter>,
    );
    await act(async () => {});

    const options = within(screen.getByLabelText('Target node') as HTMLSelectElement).getAllByRole('option') as HTMLOptionElement[];
    expect(options.map((o) => o.value)).toEqual(['laptop-bob']);
  });
});
