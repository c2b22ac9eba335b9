// Runs the Broker contract suite against the Tastytrade sandbox (api.cert.tastyworks.com), only when credentials are set.
// TT_SANDBOX_CLIENT_SECRET and TT_SANDBOX_REFRESH_TOKEN (optionally TT_SANDBOX_ACCOUNT); otherwise reported as skipped.
import { describe, it } from 'vitest';
import { createAccountEvents } from '../../src/broker/tastytrade/account-stream.js';
import { createTastytradeBroker } from '../../src/broker/tastytrade/broker.js';
import { createTastytradeClient } from '../../src/broker/tastytrade/client.js';
import { brokerContract, chainCondor, type ContractTarget } from '../contract/broker.contract.js';

const env = process.env;
const clientSecret = env['TT_SANDBOX_CLIENT_SECRET'];
const refreshToken = env['TT_SANDBOX_REFRESH_TOKEN'];
const accountNumber = env['TT_SANDBOX_ACCOUNT'] || undefined;

const config = {
  env: 'sandbox' as const,
  baseUrl: 'https://api.cert.tastyworks.com',
  accountStreamerUrl: 'wss://streamer.cert.tastyworks.com',
  clientSecret: clientSecret ?? '',
  refreshToken: refreshToken ?? '',
  accountNumber,
  liveTrading: false,
};

const sandbox: ContractTarget = {
  name: 'Tastytrade sandbox',
  // The sandbox routes to a market simulator whose fill rules are not published (docs/tastytrade-api.md §12)
  fills: true,
  waitMs: 30_000,
  async makeBroker() {
    const client = createTastytradeClient(config);
    const broker = await createTastytradeBroker({ client, ...(accountNumber ? { accountNumber } : {}) });
    const events = createAccountEvents({ client, broker, accountNumber: broker.accountNumber });
    return { broker, events, cleanup: () => events.stop() };
  },
  async condor() {
    // No quotes without DXLink here: the middle strike of the nearest-35-DTE expiration stands in for spot
    const client = createTastytradeClient(config);
    const chain = (await client.instrumentsService.getNestedOptionChain('SPY')) as Record<string, any>[];
    const expirations = (chain[0]?.['expirations'] ?? []) as Record<string, any>[];
    const near = [...expirations].sort(
      (a, b) => Math.abs(a['days-to-expiration'] - 35) - Math.abs(b['days-to-expiration'] - 35),
    )[0];
    const strikes = ((near?.['strikes'] ?? []) as Record<string, any>[])
      .map((s) => Number(s['strike-price']))
      .sort((a, b) => a - b);
    const spot = strikes[Math.floor(strikes.length / 2)] ?? 600;
    return chainCondor(client, spot);
  },
};

if (clientSecret && refreshToken) {
  brokerContract(sandbox);
} else {
  describe.skip('Broker contract: Tastytrade sandbox (set TT_SANDBOX_CLIENT_SECRET and TT_SANDBOX_REFRESH_TOKEN)', () => {
    it('runs the contract suite against api.cert.tastyworks.com', () => {});
  });
}
