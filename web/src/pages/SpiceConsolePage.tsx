// The machine's screen over SPICE (ADR 0056): a ticket from the Server, then spice-html5 opens one WebSocket per SPICE
// channel (main, display, inputs, cursor), all at the ticket's URL; the Server admits them into one session.
import { useEffect, useId, useLayoutEffect, useRef, useState } from 'react';
import { Link, useLocation, useParams } from 'react-router';
import { requestConsoleTicket, requestSpiceFile, watchOnly, webSocketUrl } from '../api/consoles';
import { errorText } from '../components/common';
import { loadSpice, type SpiceMainConnection, type SpiceModule } from './console/spiceClient';

type Status = 'connecting' | 'connected' | 'disconnected' | 'failed';

/**
 * Ends a session. spice-html5 removes its canvas from the screen element it finds by id, and throws when that element
 * is gone; a throw in an effect's cleanup would take the whole app down, so it is caught here.
 */
function stopQuietly(connection: { current: SpiceMainConnection | null }) {
  const open = connection.current;
  connection.current = null;
  try {
    open?.stop();
  } catch {
    // The page is leaving: nothing is left to tidy up.
  }
}

export default function SpiceConsolePage() {
  const { room = '', machine = '' } = useParams();
  const watch = watchOnly(useLocation().search);
  // spice-html5 finds its screen element by id; useId's colons are fine in an id.
  const screenId = `spice-screen-${useId().replace(/[^a-zA-Z0-9_-]/g, '')}`;
  const connection = useRef<SpiceMainConnection | null>(null);
  const library = useRef<SpiceModule | null>(null);
  const [status, setStatus] = useState<Status>('connecting');
  const [detail, setDetail] = useState('');
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let cancelled = false;
    setStatus('connecting');
    setDetail('');
    (async () => {
      try {
        const [spice, ticket] = await Promise.all([loadSpice(), requestConsoleTicket(room, machine, 'spice', watch)]);
        if (cancelled) return;
        library.current = spice;
        connection.current = new spice.SpiceMainConn({
          uri: webSocketUrl(ticket.url),
          password: '',
          screen_id: screenId,
          onsuccess: () => {
            if (!cancelled) setStatus('connected');
          },
          onerror: (e) => {
            if (cancelled) return;
            stopQuietly(connection);
            setStatus('failed');
            setDetail(`The SPICE connection ended: ${e instanceof Error ? e.message : 'closed'} (the ticket may have expired, the machine may be off, or the platform ended the session).`);
          },
        });
      } catch (e) {
        if (cancelled) return;
        setStatus('failed');
        setDetail(errorText(e));
      }
    })();
    return () => {
      cancelled = true;
      stopQuietly(connection);
    };
  }, [room, machine, watch, attempt, screenId]);

  // Leaving the page: stopped while the screen element is still in the document (layout effects are cleaned up before
  // React removes the page's elements, plain effects after), so the library can take its canvas off it.
  useLayoutEffect(() => () => stopQuietly(connection), []);

  const disconnect = () => {
    stopQuietly(connection);
    setStatus('disconnected');
  };

  // QEMU serves one SPICE client: the file is offered once this page's session is closed. Saved under the Server's name
  // (remote-viewer deletes it once read); the Server's host only, or through an SSH tunnel to it (ADR 0062).
  const openInRemoteViewer = async () => {
    setDetail('');
    try {
      const blob = await requestSpiceFile(room, machine);
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = `${room}-${machine}.vv`.replace(/\//g, '-');
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 0);
    } catch (e) {
      setDetail(errorText(e));
    }
  };

  return (
    <main className="page console-page">
      <header className="console-bar">
        <Link to={`/rooms/${encodeURIComponent(room)}`}>← Room</Link>
        <h1>
          {machine} <span className="muted small">screen over SPICE{watch && ', watch only'}</span>
        </h1>
        <span className={`badge console-${status}`} aria-live="polite">
          {status}
        </span>
        <button
          type="button"
          disabled={watch || status !== 'connected'}
          onClick={() => connection.current && library.current?.sendCtrlAltDel(connection.current)}
        >
          Ctrl-Alt-Del
        </button>
        {status === 'connected' && (
          <button type="button" onClick={disconnect}>
            Disconnect
          </button>
        )}
        {(status === 'failed' || status === 'disconnected') && (
          <button type="button" className="primary" onClick={() => setAttempt((n) => n + 1)}>
            Reconnect
          </button>
        )}
        {!watch && (status === 'failed' || status === 'disconnected') && (
          <button
            type="button"
            onClick={openInRemoteViewer}
            title="A .vv file for remote-viewer on the Server's machine (or through an SSH tunnel to it); it works once, within 30 s"
          >
            Open in remote-viewer (.vv)
          </button>
        )}
        <Link to={`/rooms/${encodeURIComponent(room)}/machines/${encodeURIComponent(machine)}/console${watch ? '?watch=1' : ''}`}>Screen (VNC)</Link>
      </header>
      {detail && (
        <p role="alert" className="error-box">
          {detail}
        </p>
      )}
      {/* The library adds the guest's screen here as a canvas that takes keyboard focus; a watcher's input channel is
          refused by the Server (ADR 0056), so nothing typed there reaches the guest. */}
      <div id={screenId} className="vnc-screen spice-screen" role="region" aria-label={`Screen of ${machine}`} tabIndex={-1} />
    </main>
  );
}
