// Owns reconciliation's public face: settle every non-terminal order with the broker (periodic and at start-up),
// compare positions and apply settlements. Its steps are internal to reconcile/.
export { reconcile, reconcileOnStartup, type ReconcileOptions } from './reconcile.js';
