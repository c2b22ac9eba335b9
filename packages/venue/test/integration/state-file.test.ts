// Owns the venue's state file end to end (startVenue with `stateFile`): a new file from the first start, the account
// written as it changes and at close, restored by the next start on a later clock, and refused (VenueStateError)
// when the clock would start before it was saved or the file is not a venue state.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startVenue, VenueStateError, type VenueHandle } from '../../src/index.js';
import { ACCOUNT, START, dollars, ironCondor, limit, naturalCents } from '../unit/venue-support.js';

const DAY = 24 * 60 * 60 * 1000;
const at = (startAt: number) => ({ mode: 'replay' as const, startAt, speed: 0 });
const freshFile = () => join(mkdtempSync(join(tmpdir(), 'venue-state-')), 'paper', 'account.json');

async function openCondor(v: VenueHandle): Promise<number> {
  const condor = ironCondor(v.market);
  const r = v.venue.placeOrder(ACCOUNT, limit(condor.legs, dollars(naturalCents(v.market, condor.legs)), 'Credit'), {
    dryRun: false,
  });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  v.venue.tick();
  return Number((r.value['order'] as { id: number }).id);
}

describe('startVenue with a state file', () => {
  it('starts a new account in a new file, and the next start holds its positions and carries on its order ids', async () => {
    const file = freshFile();
    const first = await startVenue({ seed: 7, clock: at(START), stateFile: file });
    expect(first.state).toEqual({ file, restored: null });
    expect(JSON.parse(readFileSync(file, 'utf8')).orders).toEqual([]);
    const orderId = await openCondor(first);
    const positions = first.venue.positionsWire(ACCOUNT).map((p) => [p['symbol'], p['quantity']]);
    expect(positions).toHaveLength(4);
    await first.close();

    const second = await startVenue({ seed: 7, clock: at(START + DAY), stateFile: file });
    try {
      expect(second.state).toEqual({ file, restored: { savedAt: START, positions: 4, orders: 1 } });
      expect(second.venue.positionsWire(ACCOUNT).map((p) => [p['symbol'], p['quantity']])).toEqual(positions);
      expect(await openCondor(second)).toBe(orderId + 1);
    } finally {
      await second.close();
    }
    // Written at close: the third start would see both orders
    expect(JSON.parse(readFileSync(file, 'utf8')).orders).toHaveLength(2);
  });

  it('is written while the venue runs, not only at close (a crash loses a fraction of a second at most)', async () => {
    const file = freshFile();
    const v = await startVenue({ seed: 7, clock: at(START), stateFile: file, tickMs: 20 });
    try {
      await openCondor(v);
      const deadline = Date.now() + 5000;
      let saved: { accounts: { positions: unknown[] }[] } = { accounts: [{ positions: [] }] };
      while (saved.accounts[0]!.positions.length === 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        saved = JSON.parse(readFileSync(file, 'utf8'));
      }
      expect(saved.accounts[0]!.positions).toHaveLength(4);
    } finally {
      await v.close();
    }
  });

  it('refuses a file saved after the clock starts, saying when it was saved and what to do', async () => {
    const file = freshFile();
    const first = await startVenue({ seed: 7, clock: at(START + DAY), stateFile: file });
    await openCondor(first);
    await first.close();
    const again = startVenue({ seed: 7, clock: at(START), stateFile: file });
    await expect(again).rejects.toBeInstanceOf(VenueStateError);
    await expect(again).rejects.toThrow(
      `the paper account in ${file} was saved at 2026-11-18T15:00:00.000Z (venue time), after this venue's clock starts (2026-11-17T15:00:00.000Z): start the clock at or after it (e.g. VENUE_CLOCK=2026-11-18T15:01:00Z@60x), or start a new paper account with a new database (move the file away, or VENUE_STATE_FILE=off)`,
    );
    // The file is left as it was
    expect(JSON.parse(readFileSync(file, 'utf8')).orders).toHaveLength(1);
  });

  it('refuses a file that is not a venue state', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'venue-state-')), 'account.json');
    writeFileSync(file, '{"hello": "world"}');
    await expect(startVenue({ seed: 7, clock: at(START), stateFile: file })).rejects.toThrow(
      `${file} is not a venue state file (version 1)`,
    );
    writeFileSync(file, '{"version": 1,');
    await expect(startVenue({ seed: 7, clock: at(START), stateFile: file })).rejects.toThrow(
      new RegExp(`^the venue state file ${file} is not JSON`),
    );
  });
});
