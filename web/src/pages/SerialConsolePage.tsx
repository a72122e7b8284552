// The machine's serial console in xterm.js: a ticket (kind serial), then binary WebSocket frames both ways.
import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { useEffect, useRef, useState } from 'react';
import { Link, useLocation, useParams } from 'react-router';
import { requestConsoleTicket, watchOnly, webSocketUrl } from '../api/consoles';
import { errorText } from '../components/common';
import { closeMessage } from './console/closeReason';
import { rebuilt, useReconnect } from './console/reconnect';
import { serialTerminalOptions } from './console/terminalOptions';

type Status = 'connecting' | 'connected' | 'reconnecting' | 'closed' | 'failed';

export default function SerialConsolePage() {
  const { room = '', machine = '' } = useParams();
  // ?watch=1: watch only (ADR 0054) — the terminal takes no input, and the Server drops any a watcher sends anyway.
  const watch = watchOnly(useLocation().search);
  const host = useRef<HTMLDivElement>(null);
  const [status, setStatus] = useState<Status>('connecting');
  const [detail, setDetail] = useState('');
  const again = useReconnect();
  const { attempt } = again;

  useEffect(() => {
    if (!host.current) return;
    let cancelled = false;
    let socket: WebSocket | null = null;
    const terminal = new Terminal({ ...serialTerminalOptions, disableStdin: watch });
    const fit = new FitAddon();
    terminal.loadAddon(fit);
    terminal.open(host.current);
    fit.fit();
    const onResize = () => fit.fit();
    window.addEventListener('resize', onResize);
    const encoder = new TextEncoder();
    const send = (bytes: Uint8Array) => {
      if (socket?.readyState === WebSocket.OPEN) socket.send(bytes);
    };
    const input = terminal.onData((data) => send(encoder.encode(data)));
    // onBinary carries bytes that are not UTF-8 text (some mouse reports): one char per byte.
    const binary = terminal.onBinary((data) => send(Uint8Array.from(data, (c) => c.charCodeAt(0) & 0xff)));

    if (!again.automatic) {
      setStatus('connecting');
      setDetail('');
    }
    let opened = false;
    requestConsoleTicket(room, machine, 'serial', watch)
      .then((ticket) => {
        if (cancelled) return;
        socket = new WebSocket(webSocketUrl(ticket.url));
        socket.binaryType = 'arraybuffer';
        socket.onopen = () => {
          opened = true;
          again.connected();
          setStatus('connected');
          setDetail('');
          if (!watch) {
            terminal.focus();
            send(encoder.encode('\r')); // wake the getty so a prompt shows
          }
        };
        socket.onmessage = (e) => {
          if (typeof e.data === 'string') terminal.write(e.data);
          else terminal.write(new Uint8Array(e.data as ArrayBuffer));
        };
        socket.onclose = (e) => {
          if (cancelled) return;
          if (rebuilt(e.code, e.reason)) again.afterRebuild();
          else if (opened || !again.retry()) {
            setStatus(e.wasClean ? 'closed' : 'failed');
            setDetail(closeMessage(e.code, e.reason, e.wasClean));
            return;
          }
          setStatus('reconnecting');
          setDetail(closeMessage(e.code, e.reason, e.wasClean));
        };
      })
      .catch((e: unknown) => {
        if (cancelled) return;
        if (again.retry()) setStatus('reconnecting');
        else {
          setStatus('failed');
          setDetail(errorText(e));
        }
      });

    return () => {
      cancelled = true;
      socket?.close();
      input.dispose();
      binary.dispose();
      window.removeEventListener('resize', onResize);
      terminal.dispose();
    };
    // `again` is stable but for `automatic`, read at each try; a change of it alone must not open another socket.
  }, [room, machine, attempt, watch]);

  return (
    <main className="page console-page">
      <header className="console-bar">
        <Link to={`/rooms/${encodeURIComponent(room)}`}>← Room</Link>
        <h1>
          {machine} <span className="muted small">serial console{watch && ', watch only'}</span>
        </h1>
        <span className={`badge console-${status}`} aria-live="polite">
          {status}
        </span>
        <button type="button" onClick={() => void host.current?.requestFullscreen?.()}>
          Fullscreen
        </button>
        {(status === 'failed' || status === 'closed') && (
          <button type="button" className="primary" onClick={again.reconnect}>
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
      <div ref={host} className="serial-terminal" aria-label={`Serial console of ${machine}`} />
    </main>
  );
}
