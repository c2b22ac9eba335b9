// Owns alerts: every alert is logged at error and recorded as an `alert` audit event, then posted to the alert webhook
// (Discord and Slack incoming webhooks both accept `{content, text}`) with a short timeout. Never throws.
import type { Logger } from '../log.js';
import type { AlertKind, ExecContext } from './execution-context.js';
import type { Store } from './store-port.js';

export interface AlerterOptions {
  store: Store;
  log: Logger;
  webhookUrl?: string | undefined;
  fetch?: typeof fetch;
  /** Webhook request timeout (default 3 s). */
  timeoutMs?: number;
}

export function createAlerter(options: AlerterOptions): ExecContext['alert'] {
  const { store, log, webhookUrl } = options;
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 3000;
  return async (kind: AlertKind, message: string, data: Record<string, unknown> = {}) => {
    log.error({ alert: kind, ...data }, `ALERT ${kind}: ${message}`);
    try {
      const str = (k: string) => (typeof data[k] === 'string' ? (data[k] as string) : null);
      await store.audit.append({
        kind: 'alert',
        tradeId: str('tradeId'),
        groupId: str('groupId'),
        orderId: str('orderId'),
        data: { kind, message, ...data },
      });
    } catch (error) {
      log.error({ err: error, alert: kind }, 'alert could not be recorded');
    }
    if (!webhookUrl) return;
    const text = `[legwork] ${kind}: ${message}${Object.keys(data).length > 0 ? `\n${JSON.stringify(data).slice(0, 1500)}` : ''}`;
    try {
      const response = await doFetch(webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ content: text.slice(0, 2000), text }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (!response.ok) log.warn({ alert: kind, status: response.status }, 'alert webhook answered with an error');
    } catch (error) {
      log.warn({ err: error, alert: kind }, 'alert webhook failed');
    }
  };
}
