// Runs the Broker contract suite against the local Tastytrade venue through the real adapter and the unmodified SDK.
import { afterAll } from 'vitest';
import { brokerContract, venueTarget } from '../contract/broker.contract.js';
import { startTestVenue } from '../support/venue.js';

const sim = await startTestVenue();
afterAll(async () => {
  await sim.close();
});

brokerContract(venueTarget(sim));
