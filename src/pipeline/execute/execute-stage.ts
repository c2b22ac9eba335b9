// Owns the executor's public face: run (or resume) one order group. Combo and legged paths, the legged saga's
// compensation, order submission and the pre-trade gate are internal to execute/.
export { executeGroup, MissingTradeError, type ExecuteResult } from './execute-group.js';
