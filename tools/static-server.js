// A small static file server on 127.0.0.1 for the browser tests and the
// browser example: GET/HEAD only, files under one root, no directory listings.
const fs = require('fs');
const http = require('http');
const path = require('path');

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json', '.map': 'application/json', '.wasm': 'application/wasm', '.css': 'text/css',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.bin': 'application/octet-stream', '.npy': 'application/octet-stream',
};

/** The headers that make a page cross-origin isolated (SharedArrayBuffer, wasm threads). */
const CROSS_ORIGIN_ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/**
 * Serves `root` on http://127.0.0.1:PORT/ (port 0: any free one). Resolves to
 * {url, close()}; `log` receives one line per request when given; `isolated`:
 * every response carries the COOP/COEP headers (CROSS_ORIGIN_ISOLATION).
 */
function startStaticServer(root, {port = 0, host = '127.0.0.1', log, isolated = false} = {}) {
  const base = path.resolve(root);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    let rel;
    try {
      rel = decodeURIComponent(url.pathname);
    } catch {
      rel = '\0';
    }
    const file = path.resolve(base, `.${rel.endsWith('/') ? `${rel}index.html` : rel}`);
    const send = (status, body, type = 'text/plain; charset=utf-8') => {
      res.writeHead(status, {'Content-Type': type, 'Cache-Control': 'no-store', ...(isolated ? CROSS_ORIGIN_ISOLATION : {})});
      res.end(req.method === 'HEAD' ? undefined : body);
      if (log) log(`${status} ${req.method} ${url.pathname}`);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'only GET and HEAD\n');
    if (rel.includes('\0') || (file !== base && !file.startsWith(base + path.sep))) return send(403, 'outside the served folder\n');
    fs.readFile(file, (err, data) => {
      if (err) return send(err.code === 'ENOENT' || err.code === 'EISDIR' ? 404 : 500, `${err.code}\n`);
      send(200, data, TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream');
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const {port: p} = server.address();
      resolve({url: `http://${host}:${p}/`, close: () => new Promise((r) => server.close(() => r()))});
    });
  });
}

module.exports = {startStaticServer, CROSS_ORIGIN_ISOLATION};
