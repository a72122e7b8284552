// spice-html5 is Debian's package (LGPL-3.0), not an npm one: web/build.sh copies its ES modules into the built UI under
// /spice-html5/, and the SPICE page loads them from there when it opens (ADR 0056), like the other consoles' libraries
// are loaded only when a console opens. These are the few parts of its API the page uses.

/** A SPICE session's main channel; the library opens the other channels at the same URL as main announces them. */
export interface SpiceMainConnection {
  stop(): void;
}

export interface SpiceMainOptions {
  /** The gateway's WebSocket URL with the ticket: every channel connects to it (one WebSocket per SPICE channel). */
  uri: string;
  /** Ticketing is off in QEMU (only the node's gateway reaches its socket); the library still sends one. */
  password: string;
  /** The id of the element the library adds the display's canvas to. */
  screen_id: string;
  onerror: (e: unknown) => void;
  onsuccess: () => void;
}

export interface SpiceModule {
  SpiceMainConn: new (options: SpiceMainOptions) => SpiceMainConnection;
  sendCtrlAltDel(connection: SpiceMainConnection): void;
}

export const SPICE_MODULE_URL = '/spice-html5/main.js';

export async function loadSpice(): Promise<SpiceModule> {
  return (await import(/* @vite-ignore */ SPICE_MODULE_URL)) as SpiceModule;
}
