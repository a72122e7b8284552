// The machine's screen over SPICE (ADR 0056): a ticket from the Server, then spice-html5 opens one WebSocket per SPICE
// channel (main, display, inputs, cursor), all at the ticket's URL; the Server admits them into one session.
import { useEffect, useId, useRef, useState } from 'react';
import { Link, useLocation, useParams } from 'react-router';
import { requestConsoleTicket, watchOnly, webSocketUrl } from '../api/consoles';
import { errorText } from '../components/common';
import { loadSpice, type SpiceMainConnection, type SpiceModule } from './console/spiceClient';

type Status = 'connecting' | 'connected' | 'disconnected' | 'failed';

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
            connection.current?.stop();
            connection.current = null;
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
      connection.current?.stop();
      connection.current = null;
    };
  }, [room, machine, watch, attempt, screenId]);

  const disconnect = () => {
    connection.current?.stop();
    connection.current = null;
    setStatus('disconnected');
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
