// Owns starting the local venue for a test file and building real @tastytrade/api clients against it.
import TastytradeClient from '@tastytrade/api';
import WebSocket from 'ws';
import { startVenue, type VenueHandle, type StartVenueOptions } from '@legwork/venue';
import { waitUntil } from './wait-until.js';

// Node 20 has no global WebSocket; the DXLink client inside the SDK needs one
(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;

/** A Tuesday, 10:00 New York: the market is open; the clock stays frozen until a test advances it. */
export const TUESDAY_10_NY = Date.parse('2026-11-17T15:00:00Z');

export async function startTestVenue(options: StartVenueOptions = {}): Promise<VenueHandle> {
  return startVenue({ seed: 7, clock: { mode: 'replay', startAt: TUESDAY_10_NY, speed: 0 }, tickMs: 20, ...options });
}

export function sdkClient(sim: VenueHandle): TastytradeClient {
  return new TastytradeClient({
    baseUrl: sim.baseUrl,
    accountStreamerUrl: sim.streamerUrl,
    clientSecret: 'test-secret',
    refreshToken: 'test-refresh',
    oauthScopes: ['read', 'trade'],
    logLevel: undefined,
  });
}

export interface QuoteEvent {
  eventType: string;
  eventSymbol: string;
  [field: string]: unknown;
}

/** Collects every DXLink event the SDK's QuoteStreamer delivers. */
export async function connectQuotes(client: TastytradeClient): Promise<{ events: QuoteEvent[]; close(): void }> {
  const events: QuoteEvent[] = [];
  await client.quoteStreamer.connect();
  client.quoteStreamer.addEventListener((batch) => {
    for (const e of batch as unknown as QuoteEvent[]) events.push(e);
  });
  return {
    events,
    close() {
      const feed = client.quoteStreamer.dxLinkFeed as unknown as { client?: { close?: () => void } } | null;
      client.quoteStreamer.disconnect();
      feed?.client?.close?.();
    },
  };
}

/** Latest event of a type for a symbol, waiting until one arrives. */
export function latestEvent(events: QuoteEvent[], type: string, symbol: string, timeoutMs = 5000): Promise<QuoteEvent> {
  return waitUntil(() => [...events].reverse().find((e) => e.eventType === type && e.eventSymbol === symbol), {
    timeoutMs,
    what: `${type} for ${symbol}`,
  });
}

/** The HTTP status of a rejected SDK call (the SDK throws AxiosError). */
export async function statusOf(call: Promise<unknown>): Promise<{ status: number; body: unknown }> {
  try {
    await call;
  } catch (error) {
    const response = (error as { response?: { status: number; data: unknown } }).response;
    if (response) return { status: response.status, body: response.data };
    throw error;
  }
  throw new Error('expected the call to fail, it succeeded');
}
