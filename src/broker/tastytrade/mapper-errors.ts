// Owns Tastytrade error bodies → a code, a message and details: `{code,message}` and `{domain,reason}` items alike,
// also when the body carries `data` next to `error`. Never throws: it runs while another failure is being reported.
import type { BrokerErrorDetail } from '../../domain/broker-error.js';
import { compact } from './mapper-util.js';
import { isObject, TtError } from './wire.js';

/** The `error` of an HTTP error body (AxiosError `response.data`); undefined when the body has none. */
export function parseErrorBody(
  json: unknown,
): { code?: string; message: string; details: BrokerErrorDetail[] } | undefined {
  if (!isObject(json) || json['error'] === undefined || json['error'] === null) return undefined;
  const raw = json['error'];
  if (typeof raw === 'string') return { message: raw, details: [] };
  const parsed = TtError.safeParse(raw);
  if (!parsed.success)
    return { message: `unreadable Tastytrade error: ${JSON.stringify(raw).slice(0, 300)}`, details: [] };
  const e = parsed.data;
  const details = (e.errors ?? []).map((item) =>
    compact<BrokerErrorDetail>({
      code: item.code,
      message: item.message ?? item.reason ?? item.code ?? 'no message',
      domain: item.domain,
    }),
  );
  return compact({ code: e.code, message: e.message ?? e.code ?? 'no message', details });
}
