#!/usr/bin/env node
// WebSocket peer for the WsClient integration tests (node `ws`, pinned in package-lock.json).
// Prints exactly one line "LISTENING <port>" on stdout once it accepts connections; logs to stderr.
// What a connection gets depends on its request path (see README.md). SIGTERM ends the process at once.
'use strict';

const fs = require('fs');
const http = require('http');
const https = require('https');
const { parseArgs } = require('util');
const { WebSocketServer } = require('ws');

const { values: args } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '0' },
    cert: { type: 'string' },
    key: { type: 'string' },
    'client-ca': { type: 'string' },
    subprotocols: { type: 'string' },
    compression: { type: 'boolean', default: false },
  },
});

const log = (...parts) => console.error(...parts);

function echo(ws) {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
}

const routes = {
  '/close': (ws, query) => ws.close(Number(query.get('code') ?? 1000), query.get('reason') ?? ''),

  '/headers': (ws, query, req) => {
    // Repeated headers are joined with ", " as HTTP allows.
    const headers = {};
    for (const [name, values] of Object.entries(req.headersDistinct)) headers[name] = values.join(', ');
    ws.send(JSON.stringify({ path: req.url, headers, subprotocol: ws.protocol || null }));
    echo(ws);
  },

  // Frames of exactly `size` payload bytes: a text message may be split inside a UTF-8 sequence.
  '/fragment': (ws, query) => {
    const size = Math.max(1, Number(query.get('size') ?? 1));
    ws.on('message', (data, isBinary) => {
      const count = Math.max(1, Math.ceil(data.length / size));
      for (let i = 0; i < count; ++i) {
        ws.send(data.subarray(i * size, (i + 1) * size), { binary: isBinary, fin: i === count - 1 });
      }
    });
  },

  '/ping': (ws, query) => {
    const payload = query.get('payload') ?? '';
    ws.once('pong', (data) => {
      if (data.toString() === payload) ws.send(`pong:${payload}`);
    });
    ws.ping(payload);
    echo(ws);
  },
};

function tlsOptions() {
  const options = { cert: fs.readFileSync(args.cert), key: fs.readFileSync(args.key) };
  if (args['client-ca']) {
    Object.assign(options, { ca: fs.readFileSync(args['client-ca']), requestCert: true, rejectUnauthorized: true });
  }
  return options;
}

const server = args.cert ? https.createServer(tlsOptions()) : http.createServer();
const offered = args.subprotocols ? args.subprotocols.split(',') : [];
const wss = new WebSocketServer({
  server,
  maxPayload: 256 * 1024 * 1024,
  perMessageDeflate: args.compression,
  // The server's first preference that the client offered, or no subprotocol.
  handleProtocols: (protocols) => offered.find((p) => protocols.has(p)) ?? false,
});

wss.on('connection', (ws, req) => {
  const url = new URL(req.url, 'ws://localhost');
  log(`open ${req.socket.remoteAddress}:${req.socket.remotePort} ${req.url} subprotocol=${ws.protocol}`);
  ws.on('close', (code, reason) => log(`closed ${req.url} code=${code} reason=${reason}`));
  ws.on('error', (error) => log(`error ${req.url} ${error.message}`));
  (routes[url.pathname] ?? echo)(ws, url.searchParams, req);
});

server.on('tlsClientError', (error) => log(`tls error ${error.message}`));
server.listen(Number(args.port), args.host, () => console.log(`LISTENING ${server.address().port}`));
