/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The Server the dev server forwards to; `SKILLVL_API=http://127.0.0.1:18090 npm run dev` for another one.
const api = process.env.SKILLVL_API ?? 'http://127.0.0.1:8080';

// Paths the Server answers itself: the API (and its SSE stream), the console gateway's WebSockets, the embedded
// OIDC issuer, the schema and the contract (ServerApp.ServerOwnedPrefixes, plus the issuer's /logout).
const serverPaths = ['/api', '/console', '/connect', '/login', '/logout', '/.well-known', '/schemas', '/openapi'];

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 700,
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    strictPort: true,
    proxy: Object.fromEntries(serverPaths.map((path) => [path, { target: api, ws: path === '/console' }])),
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    // CI runs these beside six .NET test groups on two cores: a page test that renders a whole room took 5.1 s there
    // under load (vitest's default limit is 5 s). Each test still waits on what it checks; this only bounds a hang.
    testTimeout: 20_000,
    setupFiles: ['src/test/setup.ts'],
  },
});
