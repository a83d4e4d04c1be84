// Records the HAR files of this folder from headless Chromium (see README.md):
//
//   node record.mjs --server http://localhost:18570 --page http://localhost:18571 \
//     --scenarios ../scenarios/recorded.json --out .
//
// The page (served by `python3 -m http.server`, started by record.sh) runs
// one fetch() per scenario against the companion server's replay route,
// each under a run id of its own (so no preflight cache is shared). Two
// HARs come out of the one run:
//
// - `chromium-playwright.har`: playwright-core's own `recordHar` (HAR 1.2
//   as Playwright writes it: no preflight entries, no headers of a blocked
//   response);
// - `chromium-devtools.har`: built from the DevTools-protocol events
//   (`Network.requestWillBeSent`, `*ExtraInfo`, `responseReceived`,
//   `loadingFinished`, `loadingFailed`) the way Chromium DevTools' own HAR
//   export builds it (devtools-frontend `front_end/models/har/Log.ts` and
//   `Writer.ts`): entries sorted by issue time, a preflight as an entry of
//   its own with `_resourceType: "preflight"`, a blocked response keeping its
//   status and headers with `_error: "net::ERR_FAILED"`, and sanitized as
//   DevTools' default "Export HAR (sanitized)" is (no `Cookie`,
//   `Authorization` or `Set-Cookie` headers, no cookies).
//
// A cookie `sid=1` is set for `localhost` first, so that the credentialed
// scenarios really send one (and the Playwright HAR shows it).

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith('--') ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []),
);
const tools = args.tools ?? join(import.meta.dirname, '../../../../.tools');
const { chromium } = require(join(tools, 'node_modules/playwright-core'));

const server = args.server;
const pageOrigin = args.page;
const out = args.out ?? '.';
if (!server || !pageOrigin || !args.scenarios) {
  console.error('usage: node record.mjs --server ORIGIN --page ORIGIN --scenarios FILE [--out DIR] [--tools DIR]');
  process.exit(2);
}

// The scenarios recorded: one request each, every header replayable.
const IDS = [
  'seed-acao-star', // a passing simple GET
  'seed-no-cors-headers', // a blocked GET: no Access-Control-Allow-Origin
  'seed-acao-other-allowlisted-origin', // a blocked GET: another origin allowed
  'method-put-preflight', // a preflighted PUT that passes
  'preflight-status-200-no-acao', // a PUT whose preflight fails
  'acam-missing', // the preflight does not allow the method
  'header-x-custom-preflight', // a custom header, allowed
  'acah-missing', // a custom header, not allowed
  'authorization-preflight', // Authorization: the sanitized HAR drops it
  'accept-language-unsafe-underscore', // a header the browser could have set
  'ct-application-json', // a JSON POST, preflighted
  'actual-missing-acao-after-preflight', // the preflight passes, the response fails
  'cred-simple-acao-star', // credentials: include with `*`
  'cred-preflight-no-acac', // credentials: include, preflight without ACAC
  'expose-x-foo', // an exposed header
  'status-404-with-acao', // a 404 the page may read
  'no-cors-get-opaque', // no-cors: opaque
  'preflight-status-307-with-acao', // a redirected preflight
];

const file = JSON.parse(readFileSync(args.scenarios, 'utf8'));
const scenarios = IDS.map(id => {
  const s = file.scenarios.find(x => x.id === id);
  if (!s) throw new Error(`scenario ${id} is not in ${args.scenarios}`);
  return s;
});

/** The replay query, as `ReplaySpec::to_query` writes it (form-urlencoded). */
function replayUrl(s, run) {
  const q = new URLSearchParams();
  q.append('origin', pageOrigin);
  q.append('id', s.id);
  const answer = (r, st, h, b) => {
    q.append(st, String(r.status));
    for (const [name, value] of r.headers) q.append(h, `${name}:${value}`);
    if (r.body != null) q.append(b, r.body);
  };
  if (s.preflight_response) answer(s.preflight_response, 'ps', 'ph', 'pb');
  answer(s.response, 's', 'h', 'b');
  return `${server}/replay/${run}?${q.toString()}`;
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--no-first-run', '--disable-quic'],
});
const playwrightHar = join(out, 'chromium-playwright.har');
const context = await browser.newContext({ recordHar: { path: playwrightHar } });
await context.addCookies([{ name: 'sid', value: '1', domain: 'localhost', path: '/' }]);
const page = await context.newPage();

// The DevTools-protocol events, in arrival order.
const cdp = await context.newCDPSession(page);
const events = [];
for (const name of ['requestWillBeSent', 'requestWillBeSentExtraInfo', 'responseReceived', 'responseReceivedExtraInfo',
  'loadingFinished', 'loadingFailed']) {
  cdp.on(`Network.${name}`, params => events.push({ method: name, params }));
}
await cdp.send('Network.enable');

const pageUrl = `${pageOrigin}/index.html`;
await page.goto(pageUrl);
const stamp = Date.now() % 1e9;
const results = [];
for (const [i, s] of scenarios.entries()) {
  const url = replayUrl(s, `har${stamp}-${i}`);
  const r = s.request;
  const result = await page.evaluate(async ({ url, r }) => {
    const init = { method: r.method, headers: r.headers, mode: r.mode, credentials: r.credentials };
    if (r.body != null) init.body = r.body;
    try {
      const response = await fetch(url, init);
      await response.text();
      return { outcome: response.type === 'opaque' ? 'opaque' : 'ok', status: response.status, type: response.type };
    } catch (e) {
      return { outcome: 'error', error: String(e) };
    }
  }, { url, r });
  results.push({ id: s.id, ...result });
  // Let the last events of this fetch arrive.
  await new Promise(done => setTimeout(done, 150));
}
const version = browser.version();
await context.close(); // writes the Playwright HAR
await browser.close();

writeFileSync(join(out, 'chromium-devtools.har'), JSON.stringify({ log: devtoolsLog(events, pageUrl, version) }, null, 2) + '\n');
for (const r of results) console.log(`${r.id}: ${r.outcome}${r.status != null ? ` ${r.status}` : ''}`);

// ---------------------------------------------------------------------------
// DevTools' HAR export, from the protocol events (after Log.ts / Writer.ts).

function devtoolsLog(events, pageUrl, version) {
  const requests = new Map();
  const get = id => {
    if (!requests.has(id)) requests.set(id, { id, requestHeaders: null, extraRequestHeaders: null });
    return requests.get(id);
  };
  for (const { method, params } of events) {
    const r = get(params.requestId);
    switch (method) {
      case 'requestWillBeSent':
        r.url = params.request.url;
        r.method = params.request.method;
        r.requestHeaders = objectHeaders(params.request.headers);
        r.postData = params.request.postData ?? (params.request.postDataEntries ?? []).map(e => atob(e.bytes ?? '')).join('') ?? null;
        r.hasPostData = params.request.hasPostData;
        r.issueTime = params.timestamp;
        r.wallTime = params.wallTime;
        r.initiator = params.initiator;
        r.type = params.type;
        r.priority = params.request.initialPriority;
        break;
      case 'requestWillBeSentExtraInfo':
        r.extraRequestHeaders = objectHeaders(params.headers);
        r.connectTiming = params.connectTiming;
        break;
      case 'responseReceived':
        r.response = params.response;
        r.responseReceivedTime = params.timestamp;
        r.type = params.type ?? r.type;
        break;
      case 'responseReceivedExtraInfo':
        r.extraResponseHeaders = objectHeaders(params.headers);
        r.extraStatusCode = params.statusCode;
        r.headersText = params.headersText;
        break;
      case 'loadingFinished':
        r.endTime = params.timestamp;
        r.encodedDataLength = params.encodedDataLength;
        break;
      case 'loadingFailed':
        r.endTime = params.timestamp;
        r.errorText = params.errorText;
        r.type = params.type ?? r.type;
        break;
    }
  }
  // NetworkRequest: ExtraInfo headers replace the others when they come.
  const all = [...requests.values()].filter(r => r.url && !r.url.startsWith('data:'));
  // Writer.ts: sorted by issue time.
  all.sort((a, b) => a.issueTime - b.issueTime);
  const pageStart = all.find(r => r.type === 'Document');
  const wall = (r, t) => new Date((r.wallTime + (t - r.issueTime)) * 1000);
  return {
    version: '1.2',
    creator: { name: 'WebInspector', version: /AppleWebKit\/([^ ]+)/.exec(userAgent(all))?.[1] ?? 'n/a' },
    pages: [{
      startedDateTime: pageStart ? wall(pageStart, pageStart.issueTime).toJSON() : new Date().toJSON(),
      id: 'page_1',
      title: pageUrl,
      pageTimings: { onContentLoad: -1, onLoad: -1 },
    }],
    entries: all.map(r => entry(r, wall)),
    _comment: `built from DevTools-protocol events of Chromium ${version} by record.mjs, after devtools-frontend's HAR export (sanitized)`,
  };
}

function userAgent(all) {
  for (const r of all) {
    const ua = (r.extraRequestHeaders ?? r.requestHeaders ?? []).find(h => h.name.toLowerCase() === 'user-agent');
    if (ua) return ua.value;
  }
  return '';
}

function objectHeaders(headers) {
  return Object.entries(headers ?? {}).flatMap(([name, value]) => String(value).split('\n').map(v => ({ name, value: v })));
}

// Common.ResourceType names, as `_resourceType` writes them.
function resourceType(type) {
  const names = { Fetch: 'fetch', XHR: 'xhr', Preflight: 'preflight', Document: 'document', Script: 'script',
    Stylesheet: 'stylesheet', Image: 'image', Other: 'other', Ping: 'ping' };
  return names[type] ?? (type ?? 'other').toLowerCase();
}

function entry(r, wall) {
  const requestHeaders = r.extraRequestHeaders ?? r.requestHeaders ?? [];
  const response = r.response;
  const responseHeaders = r.extraResponseHeaders ?? objectHeaders(response?.headers);
  const statusCode = r.extraStatusCode || response?.status || 0;
  const protocol = response?.protocol ?? '';
  const header = (list, name) => list.find(h => h.name.toLowerCase() === name)?.value;
  const responseVersion = r.headersText ? (/^(HTTP\/\d+\.\d+)/.exec(r.headersText)?.[1] ?? 'HTTP/0.9') : protocol;
  const timings = buildTimings(r);
  let time = 0;
  for (const t of [timings.blocked, timings.dns, timings.connect, timings.send, timings.wait, timings.receive]) time += Math.max(t, 0);
  const sensitive = name => ['authorization', 'cookie'].includes(name.toLowerCase());
  const url = r.url.split('#')[0];
  const query = [...new URL(url).searchParams].map(([name, value]) => ({ name, value }));
  const initiator = r.initiator ? Object.fromEntries(
    ['type', 'url', 'requestId', 'lineNumber', 'stack'].filter(k => r.initiator[k] !== undefined).map(k => [k, r.initiator[k]])) : null;
  const e = {
    _initiator: initiator,
    _priority: r.priority ?? null,
    _resourceType: resourceType(r.type),
    cache: {},
  };
  if (response?.connectionId) e._connectionId = String(response.connectionId);
  if (response?.remotePort) e.connection = String(response.remotePort);
  e.pageref = 'page_1';
  e.request = {
    method: r.method,
    url,
    httpVersion: protocol,
    headers: requestHeaders.filter(h => !sensitive(h.name)),
    queryString: query,
    cookies: [],
    headersSize: -1,
    bodySize: r.postData ? Buffer.byteLength(r.postData) : 0,
  };
  if (r.postData) e.request.postData = { mimeType: header(requestHeaders, 'content-type') ?? '', text: r.postData };
  const headersSize = r.headersText ? r.headersText.length : -1;
  e.response = {
    status: statusCode,
    statusText: response?.statusText ?? '',
    httpVersion: responseVersion,
    headers: responseHeaders.filter(h => h.name.toLowerCase() !== 'set-cookie'),
    cookies: [],
    content: { size: response ? Math.max(0, (r.encodedDataLength ?? 0) - Math.max(headersSize, 0)) : 0, mimeType: response?.mimeType || 'x-unknown' },
    redirectURL: header(responseHeaders, 'location') ?? '',
    headersSize,
    bodySize: r.headersText ? (r.encodedDataLength ?? 0) - headersSize : -1,
    _transferSize: r.encodedDataLength ?? 0,
    _error: r.errorText ?? null,
    _fetchedViaServiceWorker: false,
  };
  e.serverIPAddress = (response?.remoteIPAddress ?? '').replace(/[[\]]/g, '');
  e.startedDateTime = wall(r, r.issueTime).toJSON();
  e.time = time;
  e.timings = timings;
  return e;
}

// Log.ts `buildTimings`, over the protocol's ResourceTiming.
function buildTimings(r) {
  const timing = r.response?.timing;
  const issueTime = r.issueTime;
  const startTime = timing ? timing.requestTime : issueTime;
  const ms = t => (t === -1 ? -1 : t * 1000);
  const result = { blocked: -1, dns: -1, ssl: -1, connect: -1, send: 0, wait: 0, receive: 0, _blocked_queueing: -1 };
  const queued = issueTime < startTime ? startTime - issueTime : -1;
  result.blocked = ms(queued);
  result._blocked_queueing = ms(queued);
  let highest = 0;
  if (timing) {
    const least = values => values.reduce((best, v) => (v >= 0 && v < best ? v : best), Infinity);
    const blockedStart = least([timing.dnsStart, timing.connectStart, timing.sendStart]);
    if (blockedStart !== Infinity) result.blocked += blockedStart;
    if (timing.proxyEnd !== -1) result._blocked_proxy = timing.proxyEnd - timing.proxyStart;
    if (result._blocked_proxy && result._blocked_proxy > result.blocked) result.blocked = result._blocked_proxy;
    const dnsStart = timing.dnsEnd >= 0 ? blockedStart : 0;
    const dnsEnd = timing.dnsEnd >= 0 ? timing.dnsEnd : -1;
    result.dns = dnsEnd - dnsStart;
    const sslStart = timing.sslEnd > 0 ? timing.sslStart : 0;
    const sslEnd = timing.sslEnd > 0 ? timing.sslEnd : -1;
    result.ssl = sslEnd - sslStart;
    const connectStart = timing.connectEnd >= 0 ? least([dnsEnd, blockedStart]) : 0;
    const connectEnd = timing.connectEnd >= 0 ? timing.connectEnd : -1;
    result.connect = connectEnd - connectStart;
    const sendStart = timing.sendEnd >= 0 ? Math.max(connectEnd, dnsEnd, blockedStart) : 0;
    const sendEnd = timing.sendEnd >= 0 ? timing.sendEnd : 0;
    result.send = Math.max(sendEnd - sendStart, 0);
    highest = Math.max(sendEnd, connectEnd, sslEnd, dnsEnd, blockedStart, 0);
  } else if (r.responseReceivedTime === undefined) {
    result.blocked = ms((r.endTime ?? issueTime) - issueTime);
    return result;
  }
  const waitEnd = ms(r.responseReceivedTime - startTime);
  result.wait = waitEnd - highest;
  result.receive = Math.max(ms((r.endTime ?? r.responseReceivedTime) - startTime) - waitEnd, 0);
  return result;
}
