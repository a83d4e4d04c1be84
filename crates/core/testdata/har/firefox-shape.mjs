// Writes firefox-shape.har: a HAR in the shape Firefox's DevTools export
// writes (netmonitor `har-builder.js` and `har-builder-utils.js` of Firefox
// 153, read from its omni.ja), for six recorded scenarios. Firefox writes a
// HAR only from its DevTools toolbox, which headless Firefox never opens, so
// this file is made, not recorded (see README.md):
//
//   node firefox-shape.mjs --scenarios ../scenarios/recorded.json --out firefox-shape.har
//
// The request heads are Firefox 153's as the core's wire profile sends them
// (checked by `corslab verify` against Firefox's real requests); the answers
// are the companion server's replay of each scenario, as it sends them
// (lower-case names, `content-length` added). Firefox's shape: no
// `_resourceType`; the preflight is an OPTIONS entry of its own; a response
// CORS blocked keeps its status and headers and nothing marks the block; a
// request stopped by its failed preflight has status 0, `httpVersion` ""
// and no response headers; `Cookie` kept (Firefox does not sanitize).

import { readFileSync, writeFileSync } from 'node:fs';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith('--') ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []),
);
const server = 'http://localhost:18570';
const page = 'http://localhost:18571';
const UA = 'Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0';

// id → what Firefox did with it, as recorded in expect.firefox.
const CASES = [
  ['seed-acao-star', 'answered'],
  ['seed-no-cors-headers', 'answered'], // blocked, but the HAR cannot tell
  ['method-put-preflight', 'answered'],
  ['preflight-status-200-no-acao', 'preflight-failed'],
  ['cred-simple-acao-star', 'answered'],
  ['expose-x-foo', 'answered'],
];
const file = JSON.parse(readFileSync(args.scenarios, 'utf8'));
let clock = Date.parse('2026-12-03T10:00:00.000Z');
const time = () => {
  clock += 137;
  // dateToHarString: local time with its offset; written here for UTC+01:00.
  const d = new Date(clock + 3600_000);
  return d.toISOString().replace('Z', '+01:00');
};

function replayUrl(s, run) {
  const q = new URLSearchParams();
  q.append('origin', page);
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

/** The companion server's answer: scripted headers in order, names lower-case, then content-length. */
function answer(r, url) {
  const body = (r.body ?? '').replaceAll('{origin}', page).replaceAll('{url}', url);
  const headers = r.headers.map(([n, v]) => ({ name: n.toLowerCase(), value: v.replaceAll('{origin}', page).replaceAll('{url}', url) }));
  if (!headers.some(h => h.name === 'content-length')) headers.push({ name: 'content-length', value: String(Buffer.byteLength(body)) });
  return { status: r.status, headers, body };
}

const STATUS_TEXT = { 200: 'OK', 204: 'No Content', 404: 'Not Found' };
const query = url => [...new URL(url).searchParams].map(([name, value]) => ({ name, value }));
const timings = { blocked: 0, dns: 0, connect: 0, ssl: 0, send: 0, wait: 1, receive: 0 };

function entry({ method, url, headers, body, response, cookies }) {
  const e = {
    startedDateTime: time(),
    request: {
      bodySize: body ? body.length : 0,
      method,
      url,
      httpVersion: 'HTTP/1.1',
      headers,
      cookies: cookies ?? [],
      queryString: query(url),
      headersSize: headers.reduce((n, h) => n + h.name.length + h.value.length + 4, method.length + url.length + 12),
    },
    response: response
      ? {
        status: response.status,
        statusText: STATUS_TEXT[response.status] ?? '',
        httpVersion: 'HTTP/1.1',
        headers: response.headers,
        cookies: [],
        content: { mimeType: response.headers.find(h => h.name === 'content-type')?.value ?? '', size: Buffer.byteLength(response.body), text: response.body },
        redirectURL: '',
        headersSize: response.headers.reduce((n, h) => n + h.name.length + h.value.length + 4, 17),
        bodySize: Buffer.byteLength(response.body),
      }
      : {
        // Blocked before it was sent: Firefox's builder writes status 0.
        status: 0, statusText: '', httpVersion: '', headers: [], cookies: [],
        content: { mimeType: undefined, size: -1, comment: 'Response bodies are not included.' },
        redirectURL: '', headersSize: -1, bodySize: -1,
      },
    cache: {},
    timings,
    time: 1,
    _securityState: 'insecure',
    serverIPAddress: response ? '127.0.0.1' : undefined,
    connection: response ? '18570' : undefined,
    pageref: 'page_1',
  };
  if (body) e.request.postData = { mimeType: 'text/plain;charset=UTF-8', params: [], text: body };
  return e;
}

/** Firefox 153's request head (the order of the core's Firefox wire profile). */
function head(method, url, s, { preflight = false } = {}) {
  const h = [];
  const add = (name, value) => h.push({ name, value });
  add('Host', new URL(url).host);
  add('User-Agent', UA);
  add('Accept', '*/*');
  add('Accept-Language', 'en-US,en;q=0.9');
  add('Accept-Encoding', 'gzip, deflate, br, zstd');
  if (preflight) {
    add('Access-Control-Request-Method', s.request.method.toUpperCase());
    add('Referer', `${page}/`);
    add('Origin', page);
    add('Connection', 'keep-alive');
  } else {
    add('Referer', `${page}/`);
    for (const [name, value] of s.request.headers) add(name, value);
    if (s.request.body != null) {
      add('Content-Type', 'text/plain;charset=UTF-8');
      add('Content-Length', String(Buffer.byteLength(s.request.body)));
    }
    add('Origin', page);
    add('Connection', 'keep-alive');
    if (s.request.credentials === 'include') add('Cookie', 'sid=1');
  }
  add('Sec-Fetch-Dest', 'empty');
  add('Sec-Fetch-Mode', 'cors');
  add('Sec-Fetch-Site', 'same-site');
  add('Priority', 'u=4');
  return h;
}

const entries = [];
for (const [i, [id, what]] of CASES.entries()) {
  const s = file.scenarios.find(x => x.id === id);
  const url = replayUrl(s, `ff-${i}`);
  if (s.preflight_response) {
    entries.push(entry({ method: 'OPTIONS', url, headers: head('OPTIONS', url, s, { preflight: true }), response: answer(s.preflight_response, url) }));
  }
  const cookies = s.request.credentials === 'include' ? [{ name: 'sid', value: '1' }] : [];
  entries.push(entry({
    method: s.request.method,
    url,
    headers: head(s.request.method, url, s),
    body: s.request.body,
    response: what === 'preflight-failed' ? null : answer(s.response, url),
    cookies,
  }));
}

const har = {
  log: {
    version: '1.2',
    creator: { name: 'Firefox', version: '153.8.0' },
    browser: { name: 'Firefox', version: '153.8.0' },
    pages: [{ id: 'page_1', pageTimings: { onContentLoad: -1, onLoad: -1 }, startedDateTime: entries[0].startedDateTime, title: `${page}/index.html` }],
    entries,
  },
};
writeFileSync(args.out ?? 'firefox-shape.har', JSON.stringify(har, null, 2) + '\n');
