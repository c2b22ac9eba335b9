// Owns the fill monitor's public face: start it over an account-event source, optionally handing its work to a queue.
export { startFillMonitor, type FillMonitor, type MonitorHandoff, type OrderSynced } from './fill-monitor.js';
