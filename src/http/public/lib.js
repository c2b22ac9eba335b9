// Owns the dashboard's shared helpers: the JSON API client (errors as messages a trader can act on), the time format
// and the DOM builders. Everything from the API goes into the DOM as text nodes (never innerHTML).
export const $ = (id) => document.getElementById(id);

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export async function api(path, init = {}) {
  let res;
  try {
    res = await fetch(path, {
      credentials: 'same-origin',
      headers: { accept: 'application/json', ...(init.body ? { 'content-type': 'application/json' } : {}) },
      ...init,
    });
  } catch {
    throw new ApiError(0, 'The Legwork API is unreachable — is the server running?');
  }
  let body = null;
  try {
    body = await res.json();
  } catch {
    /* non-JSON body */
  }
  if (res.ok) return body;
  const detail = body?.error?.message;
  if (res.status === 409) throw new ApiError(409, detail ?? 'refused');
  if (res.status === 401)
    throw new ApiError(401, 'Not signed in (401): reload the page and enter your Legwork credentials.');
  if (res.status === 403)
    throw new ApiError(403, `Permission denied (403): ${detail ?? 'your account may not do this'}.`);
  throw new ApiError(res.status, `API error ${res.status}: ${detail ?? res.statusText}`);
}

export function time(v) {
  if (!v) return '—';
  const d = new Date(v);
  return Number.isNaN(d.getTime())
    ? String(v)
    : d.toLocaleString(undefined, {
        month: 'short',
        day: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      });
}

// ---- DOM helpers (text only) ----
export function el(tag, opts = {}, children = []) {
  const node = document.createElement(tag);
  if (opts.className) node.className = opts.className;
  if (opts.text !== undefined) node.textContent = String(opts.text);
  if (opts.title) node.title = opts.title;
  for (const c of children) node.append(c);
  return node;
}
export const td = (text, className) => el('td', { text, className });
export function fillBody(table, rows, cols, emptyText) {
  const body = $(table).tBodies[0];
  body.replaceChildren(...(rows.length ? rows : [el('tr', {}, [el('td', { text: emptyText, className: 'empty' })])]));
  if (!rows.length) body.rows[0].cells[0].colSpan = cols;
}
