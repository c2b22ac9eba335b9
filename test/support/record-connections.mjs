// Owns watching the network of a spawned Legwork process in tests (`node --import <this file> bin/legwork.mjs …`): every
// outbound socket connect is appended to the file named by LEGWORK_TEST_CONNECTIONS as one "host:port" line, and a
// connect to anything but this machine is refused at once (ECONNREFUSED), so a test proves whether the broker was
// contacted without reaching the network. Plain JavaScript: it loads before tsx does.
import { appendFileSync } from 'node:fs';
import net from 'node:net';

const file = process.env.LEGWORK_TEST_CONNECTIONS;
const LOCAL = new Set(['127.0.0.1', 'localhost', '::1', '0.0.0.0']);
const original = net.Socket.prototype.connect;

/** host and port of any form Socket#connect takes: (options[, cb]), (port[, host][, cb]), or net's normalized array. */
function target(args) {
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  if (first !== null && typeof first === 'object')
    return first.path ? { host: 'unix', port: first.path } : { host: first.host ?? 'localhost', port: first.port };
  return { host: typeof args[1] === 'string' ? args[1] : 'localhost', port: first };
}

net.Socket.prototype.connect = function connect(...args) {
  const { host, port } = target(args);
  if (file) appendFileSync(file, `${host}:${port}\n`);
  if (host === 'unix' || LOCAL.has(host)) return original.apply(this, args);
  const error = Object.assign(new Error(`connect ECONNREFUSED ${host}:${port} (refused by the test)`), {
    code: 'ECONNREFUSED',
  });
  process.nextTick(() => this.destroy(error));
  return this;
};
