import { act, fireEvent, render, screen } from '@testing-library/react';
import { MemoryRouter, Route, Routes } from 'react-router';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { useFakeServer } from '../testing/fakeServer';
import type { SpiceMainOptions } from './console/spiceClient';
import SpiceConsolePage from './SpiceConsolePage';

vi.mock('../auth/session', () => ({
  accessToken: async () => 'tok',
  refreshAccessToken: async () => null,
  signOut: vi.fn(async () => undefined),
  signIn: vi.fn(async () => undefined),
}));

// spice-html5 is served by the built UI, not an npm package: the page's loader hands back this stand-in, which records
// what the page asked of it.
const opened: SpiceMainOptions[] = [];
const stop = vi.fn();
const sendCtrlAltDel = vi.fn();
vi.mock('./console/spiceClient', () => ({
  loadSpice: async () => ({
    SpiceMainConn: class {
      constructor(options: SpiceMainOptions) {
        opened.push(options);
      }
      stop = stop;
    },
    sendCtrlAltDel,
  }),
}));

const server = useFakeServer();
const tickets = 'POST /api/v1/rooms/lab/machines/box/console/tickets';

async function renderAt(path: string) {
  const rendered = render(
    <MemoryRouter initialEntries={[path]}>
      <Routes>
        <Route path="/rooms/:room/machines/:machine/spice" element={<SpiceConsolePage />} />
      </Routes>
    </MemoryRouter>,
  );
  await act(async () => {});
  return rendered;
}

beforeEach(() => {
  opened.length = 0;
  stop.mockClear();
  sendCtrlAltDel.mockClear();
});

describe('SpiceConsolePage', () => {
  it('asks for a SPICE ticket and hands its WebSocket URL and the screen element to spice-html5', async () => {
    server.answers[tickets] = [{ status: 200, body: { url: '/console/ws?ticket=abc', protocol: 'spice', expiresAt: '2026-12-07T18:00:30Z' } }];
    await renderAt('/rooms/lab/machines/box/spice');

    expect(server.calls.find((c) => c.key === tickets)?.body).toEqual({ kind: 'spice', watch: false });
    const options = opened.at(-1)!;
    expect(options.uri).toBe(`ws://${window.location.host}/console/ws?ticket=abc`);
    const region = screen.getByRole('region', { name: 'Screen of box' });
    expect(region.id).toBe(options.screen_id);
    expect(screen.getByText('connecting')).toBeTruthy();

    await act(async () => options.onsuccess());
    expect(screen.getByText('connected')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Ctrl-Alt-Del' }));
    expect(sendCtrlAltDel).toHaveBeenCalledTimes(1);

    // The platform ends the session: the page says so and offers to reconnect with a fresh ticket.
    await act(async () => options.onerror(new Error('Unexpected close while ready')));
    expect(screen.getByRole('alert').textContent).toContain('Unexpected close while ready');
    expect(stop).toHaveBeenCalled();
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Reconnect' })));
    expect(server.count(tickets)).toBe(2);
    expect(opened).toHaveLength(2);
  });

  it('asks a watch-only ticket and offers no Ctrl-Alt-Del to a watcher', async () => {
    server.answers[tickets] = [{ status: 200, body: { url: '/console/ws?ticket=w', protocol: 'spice', expiresAt: '2026-12-07T18:00:30Z' } }];
    await renderAt('/rooms/lab/machines/box/spice?watch=1');

    expect(server.calls.find((c) => c.key === tickets)?.body).toEqual({ kind: 'spice', watch: true });
    await act(async () => opened.at(-1)!.onsuccess());
    expect((screen.getByRole('button', { name: 'Ctrl-Alt-Del' }) as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByText(/watch only/)).toBeTruthy();
  });

  it('stops the session when the page goes away, even when the library throws doing so', async () => {
    server.answers[tickets] = [{ status: 200, body: { url: '/console/ws?ticket=abc', protocol: 'spice', expiresAt: '2026-12-07T18:00:30Z' } }];
    const { unmount } = await renderAt('/rooms/lab/machines/box/spice');
    // spice-html5 throws when the screen element it removes its canvas from is gone.
    stop.mockImplementationOnce(() => {
      throw new TypeError("Cannot read properties of null (reading 'removeChild')");
    });

    expect(() => unmount()).not.toThrow();
    expect(stop).toHaveBeenCalledTimes(1);
  });

  it('says why when no ticket is given', async () => {
    server.answers[tickets] = [{ status: 409, body: { title: 'Conflict', status: 409, detail: 'Machine lab/box is stopped; start it to open its console.' } }];
    await renderAt('/rooms/lab/machines/box/spice');

    expect(screen.getByRole('alert').textContent).toContain('start it to open its console');
    expect(opened).toHaveLength(0);
    expect(screen.getByRole('button', { name: 'Reconnect' })).toBeTruthy();
  });
  it('offers a .vv file for remote-viewer once its own session is closed, and says why when the Server refuses one', async () => {
    server.answers[tickets] = [{ status: 200, body: { url: '/console/ws?ticket=abc', protocol: 'spice', expiresAt: '2026-12-07T18:00:30Z' } }];
    const file = 'POST /api/v1/rooms/lab/machines/box/console/spice-file';
    server.answers[file] = [
      { status: 200, body: '[virt-viewer]' },
      { status: 409, body: { title: 'Conflict', status: 409, detail: 'sam has the SPICE console of lab/box open' } },
    ];
    const saved: { name: string; href: string }[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      saved.push({ name: this.download, href: this.href });
    });
    Object.assign(URL, { createObjectURL: vi.fn(() => 'blob:vv'), revokeObjectURL: vi.fn() });
    await renderAt('/rooms/lab/machines/box/spice');
    await act(async () => opened.at(-1)!.onsuccess());
    // QEMU serves one SPICE client: while this page's session is open, no file is offered.
    expect(screen.queryByRole('button', { name: 'Open in remote-viewer (.vv)' })).toBeNull();

    fireEvent.click(screen.getByRole('button', { name: 'Disconnect' }));
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Open in remote-viewer (.vv)' })));
    expect(server.calls.filter((c) => c.key === file)).toEqual([{ key: file, body: undefined, auth: 'Bearer tok' }]);
    expect(saved).toEqual([{ name: 'lab-box.vv', href: 'blob:vv' }]);

    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Open in remote-viewer (.vv)' })));
    expect(screen.getByRole('alert').textContent).toContain('sam has the SPICE console of lab/box open');
    expect(saved).toHaveLength(1);
  });
});
