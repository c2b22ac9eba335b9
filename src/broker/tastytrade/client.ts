// Owns the ONLY import of @tastytrade/api: builds the SDK client for sim, sandbox or production from BrokerConfig.
// Also installs the WebSocket global the SDK's DXLink client needs on Node 20, and keeps SDK logs free of secrets.
import TastytradeClient, { AccountStreamer, LogLevel, STREAMER_STATE, type Logger as SdkLogger } from '@tastytrade/api';
import WebSocket from 'ws';
import type { BrokerConfig } from '../../config/env.js';
import type { Logger } from '../../log.js';
import { scrubSecrets } from '../../util/secrets.js';

export { AccountStreamer, STREAMER_STATE, TastytradeClient };

/**
 * `ws` throws an unhandled 'error' (and kills the process) when a socket that is still connecting is closed and
 * nobody listens; the DXLink connector removes its listeners before closing. Every socket gets a no-op listener,
 * the connector's own listeners still see every error.
 */
class ListenedWebSocket extends WebSocket {
  constructor(...args: ConstructorParameters<typeof WebSocket>) {
    super(...args);
    this.on('error', () => {});
  }
}

/** Node 20 has no global WebSocket and @dxfeed/dxlink-api uses the global one. Idempotent. */
export function ensureWebSocketGlobal(): void {
  const g = globalThis as { WebSocket?: unknown };
  g.WebSocket ??= ListenedWebSocket;
}

function stringify(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/**
 * The SDK logs every request (with the refresh token and client secret in the body) at info level, and every
 * streamer message with its auth token. Only warnings and errors are forwarded, scrubbed.
 */
function sdkLogger(log: Logger | undefined): SdkLogger | undefined {
  if (!log) return undefined;
  const line = (data: unknown[]) => scrubSecrets(data.map(stringify).join(' '));
  return {
    info: () => {},
    warn: (...data: unknown[]) => log.warn({ component: 'tastytrade-sdk' }, line(data)),
    error: (...data: unknown[]) => log.error({ component: 'tastytrade-sdk' }, line(data)),
  };
}

export function createTastytradeClient(config: BrokerConfig, log?: Logger): TastytradeClient {
  ensureWebSocketGlobal();
  const logger = sdkLogger(log);
  return new TastytradeClient({
    baseUrl: config.baseUrl,
    accountStreamerUrl: config.accountStreamerUrl,
    clientSecret: config.clientSecret,
    refreshToken: config.refreshToken,
    oauthScopes: ['read', 'trade'],
    ...(logger ? { logger, logLevel: LogLevel.WARN } : {}),
  });
}
