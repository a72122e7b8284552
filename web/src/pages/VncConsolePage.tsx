// The machine's screen through noVNC: a ticket from the Server, then RFB over the gateway's WebSocket.
import type RFB from '@novnc/novnc';
import { useEffect, useRef, useState } from 'react';
import { Link, useLocation, useParams } from 'react-router';
import { requestConsoleTicket, watchOnly, webSocketUrl } from '../api/consoles';
import { errorText } from '../components/common';
import { closeMessage, POLICY_VIOLATION } from './console/closeReason';
import { keystrokesOf } from './console/keystrokes';
import { rebuilt, useReconnect } from './console/reconnect';

type Status = 'connecting' | 'connected' | 'reconnecting' | 'disconnected' | 'failed';

export default function VncConsolePage() {
  const { room = '', machine = '' } = useParams();
  const watch = watchOnly(useLocation().search);
  const screen = useRef<HTMLDivElement>(null);
  const rfb = useRef<RFB | null>(null);
  const [status, setStatus] = useState<Status>('connecting');
  const [detail, setDetail] = useState('');
  const again = useReconnect();
  const { attempt } = again;
  const [paste, setPaste] = useState('');

  useEffect(() => {
    let cancelled = false;
    if (!again.automatic) {
      setStatus('connecting');
      setDetail('');
    }
    (async () => {
      try {
        const [{ default: RFBClass }, ticket] = await Promise.all([import('@novnc/novnc'), requestConsoleTicket(room, machine, 'vnc', watch)]);
        if (cancelled || !screen.current) return;
        // Our own WebSocket, handed to noVNC: its disconnect event does not carry the close's code and reason, and the
        // Server says why it ended a console in them (ADR 0046). Listened to before noVNC attaches, so read first.
        const socket = new WebSocket(webSocketUrl(ticket.url));
        let endedBy = '';
        let replaced = false;
        let opened = false;
        socket.addEventListener('close', (e) => {
          if (e.code === POLICY_VIOLATION) endedBy = closeMessage(e.code, e.reason, e.wasClean);
          replaced = rebuilt(e.code, e.reason);
        });
        const client = new RFBClass(screen.current, socket, { shared: true });
        client.scaleViewport = true;
        client.viewOnly = watch; // the Server drops a watcher's input anyway (ADR 0050)
        client.background = '#222';
        client.addEventListener('connect', () => {
          opened = true;
          again.connected();
          setStatus('connected');
          setDetail('');
        });
        client.addEventListener('disconnect', (e) => {
          if (cancelled) return;
          const clean = (e as CustomEvent<{ clean: boolean }>).detail?.clean;
          if (replaced) again.afterRebuild();
          if (replaced || (!opened && again.retry())) {
            setStatus('reconnecting');
            setDetail(endedBy);
            return;
          }
          setStatus(clean ? 'disconnected' : 'failed');
          setDetail(endedBy || (clean ? '' : 'The connection was closed (the ticket may have expired, or the machine is off).'));
        });
        client.addEventListener('securityfailure', (e) => setDetail(String((e as CustomEvent<{ reason?: string }>).detail?.reason ?? 'security failure')));
        rfb.current = client;
      } catch (e) {
        if (cancelled) return;
        if (again.retry()) setStatus('reconnecting');
        else {
          setStatus('failed');
          setDetail(errorText(e));
        }
      }
    })();
    return () => {
      cancelled = true;
      rfb.current?.disconnect();
      rfb.current = null;
    };
  }, [room, machine, attempt, watch]);

  const typeText = (text: string) => {
    const client = rfb.current;
    if (!client) return;
    for (const { keysym, down } of keystrokesOf(text)) client.sendKey(keysym, null, down);
    client.focus();
  };

  return (
    <main className="page console-page">
      <header className="console-bar">
        <Link to={`/rooms/${encodeURIComponent(room)}`}>← Room</Link>
        <h1>
          {machine} <span className="muted small">screen{watch && ', watch only'}</span>
        </h1>
        <span className={`badge console-${status}`} aria-live="polite">
          {status}
        </span>
        <button type="button" disabled={watch || status !== 'connected'} onClick={() => rfb.current?.sendCtrlAltDel()}>
          Ctrl-Alt-Del
        </button>
        <button type="button" onClick={() => void screen.current?.requestFullscreen?.()}>
          Fullscreen
        </button>
        {(status === 'failed' || status === 'disconnected') && (
          <button type="button" className="primary" onClick={again.reconnect}>
            Reconnect
          </button>
        )}
        <Link to={`/rooms/${encodeURIComponent(room)}/machines/${encodeURIComponent(machine)}/serial${watch ? '?watch=1' : ''}`}>Serial console</Link>
      </header>
      {detail && (
        <p role="alert" className="error-box">
          {detail}
        </p>
      )}
      <div ref={screen} className="vnc-screen" aria-label={`Screen of ${machine}`} tabIndex={-1} />
      {!watch && (
        <form
          className="paste-form"
          onSubmit={(e) => {
            e.preventDefault();
            rfb.current?.clipboardPasteFrom(paste);
          }}
        >
          <label htmlFor="paste">Text to paste</label>
          <textarea id="paste" rows={2} value={paste} onChange={(e) => setPaste(e.target.value)} />
          <button type="submit" disabled={status !== 'connected' || !paste}>
            Send to clipboard
          </button>
          <button type="button" disabled={status !== 'connected' || !paste} onClick={() => typeText(paste)}>
            Type it
          </button>
          <span className="muted small">The guest's clipboard needs an agent; “Type it” sends the text as keystrokes.</span>
        </form>
      )}
    </main>
  );
}
