// Runs the Broker contract suite against the local Tastytrade venue through the real adapter and the unmodified SDK.
import { afterAll } from 'vitest';
import { brokerContract, simTarget } from '../contract/broker.contract.js';
import { startTestSim } from '../support/sim.js';

const sim = await startTestSim();
afterAll(async () => {
  await sim.close();
});

brokerContract(simTarget(sim));
