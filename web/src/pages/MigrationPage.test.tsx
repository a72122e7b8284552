import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { MemoryRouter, Route, Routes } from 'react-router';
import { describe, expect, it, vi } from 'vitest';
import type { Migration } from '../api/migrations';
import { useFakeServer } from '../testing/fakeServer';
import migrations from './fixtures/migrations.json';
import { MigrationPage } from './MigrationPage';

vi.mock('../auth/session', () => ({ accessToken: async () => 'tok', refreshAccessToken: async () => null }));

const { succeeded, running, failed } = migrations as unknown as Record<'succeeded' | 'running' | 'failed', Migration>;
const get = (m: Migration) => `GET /api/v1/migrations/${m.id}`;
const cancel = (m: Migration) => `POST /api/v1/migrations/${m.id}/cancel`;

const server = useFakeServer();

async function renderPage(m: Migration) {
  server.answers[get(m)] ??= [{ status: 200, body: m }];
  render(
    <MemoryRouter initialEntries={[`/migrations/${m.id}`]}>
      <Routes>
        <Route path="/migrations/:id" element={<MigrationPage pollMs={50} />} />
      </Routes>
    </MemoryRouter>,
  );
  await act(async () => {});
}

const settle = () => act(async () => new Promise((r) => setTimeout(r, 50)));

/** The value cells of the row whose header is `name`, in the table named `table`. */
function row(table: string, name: string): (string | null)[] {
  const header = within(screen.getByRole('table', { name: table })).getByRole('rowheader', { name });
  return [...header.parentElement!.querySelectorAll('td')].map((c) => c.textContent);
}

describe('MigrationPage', () => {
  it('shows a finished tunnel migration: metrics, link, plan with reasons, prediction next to the measurement, options and log', async () => {
    await renderPage(succeeded);
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Migration of webtest/server');
    expect(screen.getByText(/local → node2 · live · requested by tina/)).toBeTruthy();
    expect(screen.getByText('succeeded').className).toBe('badge task-state-succeeded');
    expect(screen.queryByRole('button', { name: 'Cancel migration' })).toBeNull();
    expect(screen.getAllByRole('heading', { level: 2 }).map((h) => h.textContent)).toEqual([
      'Metrics', 'Prediction vs measured', 'Link used', 'Plan', 'Options', 'Log',
    ]);

    expect(row('Metrics', 'Total time')).toEqual(['96.4 s']);
    expect(row('Metrics', 'QEMU downtime')).toEqual(['212 ms']);
    expect(row('Metrics', 'Downtime seen by a peer')).toEqual(['not measured']);
    expect(row('Metrics', 'RAM sent')).toEqual(['268.8 MiB']);
    expect(row('Metrics', 'Disk sent')).toEqual(['300 MiB']);
    expect(row('Metrics', 'Template sent')).toEqual(['0 B']);
    expect(row('Metrics', 'Average throughput')).toEqual(['49.5 Mbit/s']);

    // The model's 1:42.35 and 145.5 ms (TimeSpans) next to what QEMU measured.
    expect(row('Prediction vs measured', 'Total time')).toEqual(['102.4 s', '96.4 s']);
    expect(row('Prediction vs measured', 'Downtime')).toEqual(['146 ms', '212 ms']);

    expect(row('Link used', 'Bandwidth')).toEqual(['50.0 Mbit/s']);
    expect(row('Link used', 'Round-trip time')).toEqual(['2 ms']);
    expect(row('Link used', 'Loss')).toEqual(['0 %']);
    expect(row('Link used', 'Where the figure came from')).toEqual(["measured by the nodes' probe"]);

    // Every parameter the policy explained, in its order, with the value in force and the policy's words.
    const plan = screen.getByRole('table', { name: 'Plan' });
    expect(within(plan).getAllByRole('rowheader').map((h) => h.textContent)).toEqual([
      'Max bandwidth', 'Downtime limit', 'Multifd channels', 'Compression (QEMU)', 'XBZRLE cache', 'Auto-converge', 'Throttle trigger', 'Post-copy', 'Transport',
    ]);
    expect(row('Plan', 'Max bandwidth')).toEqual(['500.0 Mbit/s', expect.stringContaining("QEMU counts its bytes before the tunnel compresses them")]);
    expect(row('Plan', 'Downtime limit')[0]).toBe('300 ms');
    expect(row('Plan', 'Multifd channels')[0]).toBe('off (one stream)');
    expect(row('Plan', 'XBZRLE cache')[0]).toBe('128 MiB');
    expect(row('Plan', 'Throttle trigger')[0]).toBe('100 %');
    expect(row('Plan', 'Transport')).toEqual(['node tunnel, zstd level 3', expect.stringMatching(/^tunnel, zstd level 3: on the 50 Mbit\/s link/)]);

    expect(row('Options', 'Max bandwidth')).toEqual(['no cap (the plan chooses)']);
    expect(row('Options', 'Downtime limit')).toEqual(['300 ms']);
    expect(row('Options', 'Disk transfer')).toEqual(['overlay']);
    expect(row('Options', 'TLS')).toEqual(['yes']);

    const log = screen.getByLabelText('Migration log');
    expect(log.textContent!.split('\n')).toHaveLength(11);
    expect(log.textContent).toMatch(/Disk in sync \(314572800 bytes\); live copy RAM\.\n/);
    expect(log.textContent).toMatch(/ {2}Succeeded\.$/);

    // Final: read once.
    await settle();
    expect(server.count(get(succeeded))).toBe(1);
  });

  it('follows a running migration and cancels it: 202, then read again until it is cancelled', async () => {
    const cancelled = {
      ...running,
      state: 'cancelled',
      error: 'cancelled by tina',
      log: [...running.log, { timestamp: '2026-11-25T10:02:40.000Z', message: 'tina asked to cancel.' }],
    };
    server.answers[get(running)] = [{ status: 200, body: running }];
    await renderPage(running);
    expect(screen.getByRole('progressbar', { name: 'Migration progress' }).getAttribute('aria-valuenow')).toBe('75');
    expect(screen.getByText('3 GiB of 4 GiB at 50.0 Mbit/s, about 13 s left')).toBeTruthy();
    expect(screen.getByText('Measured once the migration ends.')).toBeTruthy();
    expect(row('Prediction vs measured', 'Total time')).toEqual(['102.4 s', 'not yet']);
    await waitFor(() => expect(server.count(get(running))).toBeGreaterThan(2));

    server.answers[cancel(running)] = [{ status: 202, body: running }];
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Cancel migration' })));
    expect(server.calls.filter((c) => c.key === cancel(running))).toEqual([{ key: cancel(running), body: undefined, auth: 'Bearer tok' }]);
    const button = screen.getByRole('button', { name: 'Cancelling…' }) as HTMLButtonElement;
    expect(button.disabled).toBe(true);

    server.answers[get(running)].push({ status: 200, body: cancelled });
    await waitFor(() => expect(screen.getByText('cancelled')).toBeTruthy());
    expect(screen.queryByRole('button', { name: /Cancel/ })).toBeNull();
    expect(screen.getByLabelText('Migration log').textContent).toContain('tina asked to cancel.');
    const reads = server.count(get(running));
    await settle();
    expect(server.count(get(running))).toBe(reads);
  });

  it("shows the Server's 409 when the migration can no longer be cancelled", async () => {
    const detail = `migration ${running.id} is switching over: the VM is moving now and cannot be called back`;
    server.answers[cancel(running)] = [{ status: 409, body: { type: 'https://tools.ietf.org/html/rfc9110#section-15.5.10', title: 'Conflict', status: 409, detail } }];
    await renderPage(running);
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Cancel migration' })));
    expect(screen.getByRole('alert').textContent).toBe(detail);
    expect((screen.getByRole('button', { name: 'Cancel migration' }) as HTMLButtonElement).disabled).toBe(false);
  });

  it('shows why a failed migration failed, and where its link figure came from', async () => {
    await renderPage(failed);
    expect(screen.getByText('failed').className).toBe('badge task-state-failed');
    expect(screen.getByRole('alert').textContent).toBe('the disk mirror failed: node2 stopped answering');
    expect(screen.getByText('Nothing was measured.')).toBeTruthy();
    expect(screen.queryByRole('table', { name: 'Metrics' })).toBeNull();
    expect(row('Link used', 'Bandwidth')).toEqual(['1.0 Gbit/s']);
    expect(row('Link used', 'Where the figure came from')).toEqual(['configured']);
    expect(row('Prediction vs measured', 'Downtime')).toEqual(['146 ms', 'not measured']);
    expect(screen.queryByRole('button', { name: 'Cancel migration' })).toBeNull();
  });

  it('says when the plan is not made yet', async () => {
    const pending = { ...running, state: 'pending', phase: 'prepare', parameters: null, prediction: null, link: null };
    await renderPage(pending);
    expect(screen.getByText('Not planned yet: the prepare phase chooses the parameters.')).toBeTruthy();
    expect(screen.getByText('Not known yet: the prepare phase measures or looks up the link.')).toBeTruthy();
    expect(screen.queryByRole('heading', { name: 'Prediction vs measured' })).toBeNull();
  });

  it("shows the Server's 404", async () => {
    server.answers['GET /api/v1/migrations/nope'] = [{ status: 404, body: { title: 'Not found', status: 404, detail: "Migration 'nope' was not found." } }];
    await renderPage({ ...running, id: 'nope' });
    expect(screen.getByRole('alert').textContent).toBe("Migration 'nope' was not found.");
  });
});
