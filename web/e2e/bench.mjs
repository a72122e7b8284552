#!/usr/bin/env node
// Web UI measurements (issue 4, "Measured") in Debian's headless Chromium, driven by playwright-core. Run by
// `dotnet run --project bench/SkillVL.Bench -- --suite web`, which starts a Server serving web/dist and makes the user:
//
//   node web/e2e/bench.mjs --base-url URL --username U --password P [--runs 5] [--machines 50] [--baseline-machines 5]
//
// 1. First load of the SPA (the sign-in page a new visitor gets: index.html, the bundle, GET /api/v1/auth/config):
//    bytes on the wire (CDP Network.loadingFinished encodedDataLength: bodies as sent plus headers), requests, and
//    when the first meaningful element (the Sign in button) was in the DOM and visible, beside DOMContentLoaded and
//    load. Cold: a new browser context each run (empty cache); also with Accept-Encoding: identity (uncompressed).
//    Warm: the same context loading the page again.
// 2. Signed-in home (warm): navigation to "My rooms" rendered with the user's rooms read.
// 3. The designer with a generated topology of N machines on 5 networks (one NIC each, positions set), and the same
//    with the baseline's few machines (what the browser's input and frame pipeline costs by itself):
//    render (Canvas tab pressed → all N machine nodes in the DOM, laid out, painted), select (a real click on a
//    machine → its name in the side panel, painted), drag (a real 20-step mouse drag: frame intervals while
//    dragging, and pointer-up → the move committed to the document, painted).
// Times are taken inside the page with performance.now() from the input event's own timestamp to the
// requestAnimationFrame after the DOM shows the result, so the CDP round trip is not counted. Prints one JSON
// line `BENCH-JSON {...}` at the end. Exit 0 ok, 1 failed, 2 bad arguments.

import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

function parseArgs(argv) {
  const options = { runs: '5', machines: '50', 'baseline-machines': '5' };
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i]?.replace(/^--/, '');
    if (!['base-url', 'username', 'password', 'runs', 'machines', 'baseline-machines'].includes(name) || argv[i + 1] === undefined) throw new Error(`bad argument ${argv[i]}`);
    options[name] = argv[i + 1];
  }
  for (const required of ['base-url', 'username', 'password']) if (!options[required]) throw new Error(`--${required} is required`);
  return { base: options['base-url'].replace(/\/+$/, ''), user: options.username, password: options.password, runs: Number(options.runs), machines: Number(options.machines), baselineMachines: Number(options['baseline-machines']) };
}

let args;
try {
  args = parseArgs(process.argv.slice(2));
} catch (e) {
  console.error(`bench: ${e.message}\nusage: node bench.mjs --base-url URL --username U --password P [--runs 5] [--machines 50]`);
  process.exit(2);
}
if (!existsSync(CHROMIUM)) {
  console.error(`bench: no Chromium at ${CHROMIUM} (apt-get install chromium)`);
  process.exit(2);
}
const { chromium } = await import('playwright-core');
const log = (m) => console.log(`[bench] ${m}`);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};

/** Counts bytes and requests of one page through CDP (what went over the socket, headers included). */
async function networkMeter(context, page) {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  const meter = { bytes: 0, requests: 0, fromCache: 0, notModified: 0 };
  cdp.on('Network.responseReceived', (e) => {
    meter.requests++;
    if (e.response.fromDiskCache || e.response.fromMemoryCache) meter.fromCache++;
    if (e.response.status === 304) meter.notModified++;
  });
  cdp.on('Network.requestServedFromCache', () => meter.fromCache++);
  cdp.on('Network.loadingFinished', (e) => (meter.bytes += e.encodedDataLength));
  return {
    reset: () => Object.assign(meter, { bytes: 0, requests: 0, fromCache: 0, notModified: 0 }),
    read: () => ({ ...meter }),
  };
}

// Records when the Sign in button (the first thing a visitor can use) is in the DOM and visible.
const FIRST_ELEMENT_PROBE = () => {
  const seen = () => {
    const button = [...document.querySelectorAll('button')].find((b) => b.textContent?.trim() === 'Sign in');
    if (button && button.getBoundingClientRect().height > 0 && !window.__firstElementAt) {
      requestAnimationFrame(() => (window.__firstElementAt = performance.now()));
      return true;
    }
    return false;
  };
  new MutationObserver((_, observer) => seen() && observer.disconnect()).observe(document, { childList: true, subtree: true });
};

async function loadSignInPage(page, meter) {
  meter.reset();
  await page.goto(`${args.base}/`, { waitUntil: 'load' });
  await page.waitForFunction(() => window.__firstElementAt !== undefined, null, { timeout: 30_000 });
  await sleep(300); // late requests (none expected) still count
  const timing = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const fcp = performance.getEntriesByName('first-contentful-paint')[0];
    return { dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd, fcp: fcp?.startTime ?? null, interactive: window.__firstElementAt };
  });
  return { ...timing, ...meter.read() };
}

async function measureFirstLoad(browser) {
  // Interleaved, so a busy moment of the machine falls on all kinds alike. "identity": the same cold load with
  // Accept-Encoding: identity, i.e. the uncompressed files (the baseline for the precompressed assets).
  const result = { cold: [], warm: [], coldIdentity: [] };
  for (let run = 0; run < args.runs; run++) {
    for (const identity of [false, true]) {
      const context = await browser.newContext({ viewport: { width: 1400, height: 950 }, extraHTTPHeaders: identity ? { 'Accept-Encoding': 'identity' } : {} });
      await context.addInitScript(FIRST_ELEMENT_PROBE);
      const page = await context.newPage();
      const meter = await networkMeter(context, page);
      (identity ? result.coldIdentity : result.cold).push(await loadSignInPage(page, meter));
      if (!identity) result.warm.push(await loadSignInPage(page, meter));
      await context.close();
    }
  }
  return result;
}

async function signIn(page) {
  await page.goto(`${args.base}/`);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL((u) => u.pathname === '/login');
  await page.getByLabel('Username').fill(args.user);
  await page.getByLabel('Password').fill(args.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor({ timeout: 30_000 });
}

async function measureHome(page) {
  const times = [];
  for (let run = 0; run < args.runs; run++) {
    await page.goto(`${args.base}/`, { waitUntil: 'commit' });
    await page.getByRole('heading', { name: 'My rooms' }).waitFor();
    await page.locator('section[aria-labelledby="rooms-heading"] table, section[aria-labelledby="rooms-heading"] p:not([aria-live])').first().waitFor();
    times.push(await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => resolve(performance.now())))));
  }
  return times;
}

/** room.yaml with `count` machines on 5 networks in a grid (one NIC each, addresses set). */
function bigTopology(count) {
  const networks = Array.from({ length: 5 }, (_, k) => `  - { name: net${k}, cidr: 10.60.${k}.0/24, ui: { x: ${80 + k * 260}, y: 40 } }`);
  const machines = Array.from({ length: count }, (_, i) => {
    const k = i % 5;
    return `  - { name: vm${i}, template: tiny, cpus: 1, memory: 128Mi, nics: [{ network: net${k}, ip: 10.60.${k}.${10 + Math.floor(i / 5)} }], ui: { x: ${40 + (i % 10) * 150}, y: ${200 + Math.floor(i / 10) * 130} } }`;
  });
  return `apiVersion: skillvl.io/v1\nkind: Room\nmetadata: { name: bench-${count} }\nnetworks:\n${networks.join('\n')}\nmachines:\n${machines.join('\n')}\n`;
}

/** In the page: ms from the last `type` event's timestamp to the frame after `done()` holds. */
const untilPainted = (type, done, timeoutMs = 30_000) =>
  new Promise((resolve, reject) => {
    let start;
    const on = (e) => (start = e.timeStamp);
    document.addEventListener(type, on, { capture: true, once: true });
    const deadline = performance.now() + timeoutMs;
    const poll = () => {
      if (start !== undefined && done()) {
        requestAnimationFrame(() => resolve(performance.now() - start));
      } else if (performance.now() > deadline) reject(new Error(`not done within ${timeoutMs} ms of ${type}`));
      else requestAnimationFrame(poll);
    };
    poll();
  });

/**
 * Arms a measurement in the page before the input is sent (CDP input and evaluation race otherwise): the listener
 * for `type` is in place when this returns; `collect` answers the milliseconds.
 */
async function arm(page, type, condition, params, timeoutMs = 30_000) {
  await page.evaluate(
    ({ type, condition, params, fn, timeoutMs }) => {
      const until = new Function(`return (${fn})`)();
      const done = new Function(`return (${condition})`)();
      window.__pending = until(type, () => done(params), timeoutMs);
      window.__pending.catch(() => undefined); // collected (or dropped) by the caller
    },
    { type, condition: condition.toString(), params, fn: untilPainted.toString(), timeoutMs },
  );
  return { collect: () => page.evaluate(() => window.__pending) };
}

async function measureDesigner(page, count) {
  await page.goto(`${args.base}/rooms/new`);
  await page.getByRole('tab', { name: 'YAML' }).click();
  await page.locator('#yaml-editor').fill(bigTopology(count));
  const render = [];
  for (let run = 0; run < args.runs; run++) {
    if (run > 0) await page.getByRole('tab', { name: 'YAML' }).click();
    // Laid out: React Flow shows a node once it has measured it (hidden until then).
    const measured = await arm(page, 'click', (n) => {
      const nodes = document.querySelectorAll('.react-flow__node-machine');
      return nodes.length === n && [...nodes].every((node) => getComputedStyle(node).visibility === 'visible');
    }, count);
    await page.getByRole('tab', { name: 'Canvas' }).click();
    render.push(await measured.collect());
  }
  log(`render of ${count} machines: ${render.map((t) => t.toFixed(0)).join(', ')} ms`);

  const select = [];
  for (let run = 0; run < Math.max(args.runs, 10); run++) {
    const name = `vm${(run * 7) % count}`;
    const measured = await arm(page, 'click', (n) => document.querySelector('aside[aria-label="Machine properties"] input')?.value === n, name);
    await page.getByLabel(`Machine ${name}`, { exact: true }).click({ position: { x: 10, y: 8 } });
    select.push(await measured.collect());
  }
  log(`select: ${select.map((t) => t.toFixed(0)).join(', ')} ms`);

  // Dragging: each of 20 real mouse moves → the dragged node's new position on screen, painted.
  const moves = [];
  const commit = [];
  for (let run = 0; run < args.runs; run++) {
    const node = page.locator('.react-flow__node-machine').nth((11 + run) % count);
    const id = await node.getAttribute('data-id');
    const box = await node.boundingBox();
    const x = box.x + 12;
    const y = box.y + 10;
    await page.mouse.move(x, y);
    await page.mouse.down();
    for (let step = 1; step <= 20; step++) {
      const before = await node.evaluate((n) => n.style.transform);
      const moved = await arm(page, 'pointermove', (p) => document.querySelector(`.react-flow__node[data-id="${p.id}"]`)?.style.transform !== p.before, { id, before }, 2000);
      await page.mouse.move(x + step * 4, y + step * 3);
      // The first moves only pass d3-drag's click distance; those that move the node are the ones measured.
      const ms = await moved.collect().catch(() => null);
      if (ms !== null && step > 2) moves.push(ms);
    }
    // React applies the drop (the document edit, re-rendering every node) in the pointerup's own task; done when no
    // node is marked dragging any more and Undo is enabled (the move is in the document's history). Not mouseup:
    // the drag handler cancels pointerdown, so the browser sends no compatibility mouse events.
    const committed = await arm(page, 'pointerup', () => {
      const undo = [...document.querySelectorAll('button')].find((b) => b.textContent?.trim() === 'Undo');
      return document.querySelector('.react-flow__node.dragging') === null && undo !== undefined && !undo.disabled;
    });
    await page.mouse.up();
    commit.push(await committed.collect());
  }
  log(`drag: move → node painted p50 ${median(moves).toFixed(1)} ms, p95 ${percentile(moves, 95).toFixed(1)} ms (${moves.length} moves); drop → document: ${commit.map((t) => t.toFixed(0)).join(', ')} ms`);
  return { machines: count, render, select, dragMoves: moves, dropCommit: commit };
}

let browser;
let exit = 0;
try {
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
  log(`Chromium ${browser.version()}, Server ${args.base}, ${args.runs} runs`);
  const firstLoad = await measureFirstLoad(browser);
  for (const [kind, runs] of Object.entries(firstLoad)) {
    log(`${kind}: ${runs.map((r) => `${(r.bytes / 1024).toFixed(1)} KiB in ${r.requests} requests, interactive ${r.interactive.toFixed(0)} ms`).join('; ')}`);
  }
  const context = await browser.newContext({ viewport: { width: 1400, height: 950 } });
  const page = await context.newPage();
  await signIn(page);
  const home = await measureHome(page);
  log(`signed-in home: ${home.map((t) => t.toFixed(0)).join(', ')} ms`);
  const baseline = await measureDesigner(page, args.baselineMachines);
  const designer = await measureDesigner(page, args.machines);
  console.log(`BENCH-JSON ${JSON.stringify({ chromium: browser.version(), firstLoad, home, designer: [baseline, designer] })}`);
} catch (e) {
  exit = 1;
  console.error(`bench: FAILED: ${e?.stack ?? e}`);
} finally {
  await browser?.close().catch(() => undefined);
}
process.exit(exit);
