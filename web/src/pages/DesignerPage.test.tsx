import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { MemoryRouter, Route, Routes } from 'react-router';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/client';
import { DesignerPage } from './DesignerPage';

const here = dirname(fileURLToPath(import.meta.url));
const netBasics = readFileSync(join(here, '../../../examples/net-basics.yaml'), 'utf8');

const put = vi.fn();
vi.mock('../api/api', () => ({
  api: {
    get: vi.fn(async (path: string) => {
      if (path === '/api/v1/templates') {
        return [{ name: 'tiny', sha256: 'x', boot: 'kernel', defaultCpus: 1, defaultMemoryBytes: 134217728, sizeBytes: 1 }];
      }
      throw new Error(`unexpected GET ${path}`);
    }),
    put: (...args: unknown[]) => put(...args),
  },
}));

beforeAll(() => {
  // jsdom has no layout: @xyflow/react needs these to mount (its own testing advice).
  globalThis.ResizeObserver ??= class {
    observe() {}
    unobserve() {}
    disconnect() {}
  } as unknown as typeof ResizeObserver;
  (globalThis as { DOMMatrixReadOnly?: unknown }).DOMMatrixReadOnly ??= class {
    m22 = 1;
    constructor(_: string) {}
  };
});

afterEach(() => {
  cleanup();
  put.mockReset();
});

async function renderDesigner(yaml = netBasics) {
  render(
    <MemoryRouter initialEntries={[{ pathname: '/rooms/new', state: { yaml } }]}>
      <Routes>
        <Route path="/rooms/new" element={<DesignerPage />} />
        <Route path="/rooms/:room" element={<p>room page</p>} />
      </Routes>
    </MemoryRouter>,
  );
  await act(async () => {});
}

const yamlText = () => {
  fireEvent.click(screen.getByRole('tab', { name: 'YAML' }));
  const text = (screen.getByLabelText('room.yaml') as HTMLTextAreaElement).value;
  fireEvent.click(screen.getByRole('tab', { name: 'Canvas' }));
  return text;
};

describe('DesignerPage', () => {
  it('draws the document: machines, networks and NIC addresses', async () => {
    await renderDesigner();
    expect(screen.getByLabelText('Machine web')).toBeTruthy();
    expect(screen.getByLabelText('Machine client')).toBeTruthy();
    expect(screen.getByLabelText('Network lan 10.0.1.0/24')).toBeTruthy();
    expect(screen.getByDisplayValue('net-basics')).toBeTruthy();
    expect(yamlText()).toBe(netBasics);
  });

  it('adds a machine from the palette and shows it in the YAML, changing nothing else', async () => {
    await renderDesigner();
    fireEvent.click(screen.getByRole('button', { name: /tiny/ }));
    expect(screen.getByLabelText('Machine vm1')).toBeTruthy();
    const text = yamlText();
    expect(text.startsWith(netBasics)).toBe(true);
    expect(text.slice(netBasics.length)).toMatch(/^  - name: vm1\n    template: tiny\n    ui: \{ x: -?\d+, y: -?\d+ \}\n$/);
    // The side panel edits the new machine: connect it, which suggests the next address.
    const panel = screen.getByLabelText('Machine properties');
    fireEvent.change(within(panel).getByRole('combobox', { name: /Connect to/ }), { target: { value: 'lan' } });
    expect(within(panel).getByLabelText('IP of eth0')).toHaveProperty('value', '10.0.1.21');
    fireEvent.change(within(panel).getByLabelText('CPUs'), { target: { value: '2' } });
    expect(yamlText()).toContain('  - name: vm1\n    template: tiny\n    cpus: 2\n    nics:\n      - { network: lan, ip: 10.0.1.21 }\n');
    fireEvent.click(screen.getByRole('button', { name: 'Undo' }));
    expect(yamlText()).not.toContain('cpus: 2\n    nics');
  });

  it('edits the same document from the YAML view', async () => {
    await renderDesigner();
    fireEvent.click(screen.getByRole('tab', { name: 'YAML' }));
    const editor = screen.getByLabelText('room.yaml');
    fireEvent.change(editor, { target: { value: netBasics.replace('name: client', 'name: laptop') } });
    fireEvent.change(editor, { target: { value: netBasics.replace('name: client', 'name: laptop') + 'machines: [oops\n' } });
    expect(screen.getByRole('alert').textContent).toMatch(/./);
    fireEvent.click(screen.getByRole('tab', { name: 'Canvas' }));
    // The canvas keeps the last valid document while the YAML is broken.
    expect(screen.getByLabelText('Machine laptop')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Create room' })).toHaveProperty('disabled', true);
  });

  it('applies with PUT as YAML and shows a 400’s errors on the elements they concern', async () => {
    put.mockRejectedValueOnce(
      new ApiError(400, {
        title: 'The room definition is not valid.',
        errors: { 'machines[1].nics[0].ip': ['10.0.1.20 is already used by machines[0].nics[0]'], 'networks[0].cidr': ['overlaps'], 'metadata.name': ['taken'] },
      }, ''),
    );
    await renderDesigner();
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Create room' })));
    expect(put).toHaveBeenCalledWith('/api/v1/rooms/{room}', { path: { room: 'net-basics' }, raw: { text: netBasics, contentType: 'application/yaml' } });
    const client = screen.getByLabelText('Machine client');
    expect(client.textContent).toContain('nics[0].ip: 10.0.1.20 is already used by machines[0].nics[0]');
    expect(screen.getByLabelText('Network lan 10.0.1.0/24').textContent).toContain('cidr: overlaps');
    expect(screen.getAllByRole('alert').some((a) => a.textContent?.includes('metadata.name: taken'))).toBe(true);
  });

  it('goes to the room after a successful apply', async () => {
    put.mockResolvedValueOnce({ id: 't1', kind: 'room.apply', target: 'room/net-basics', state: 'queued', progress: 0, log: [] });
    await renderDesigner();
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Create room' })));
    expect(screen.getByText('room page')).toBeTruthy();
  });
});
