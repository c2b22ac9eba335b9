// Owns the exit stage's public face: one evaluation of every open trade (repair pass, exit rules, a standing flatten)
// and flattening on demand (halt --flatten). Starting exit groups and repairing trades are internal to exit/.
export { evaluateExits, flattenAll } from './exits.js';
