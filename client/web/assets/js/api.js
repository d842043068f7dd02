// api.js — JSON over fetch against the phonghop REST API (docs/openapi.yaml).
//
//   api(method, path, body?, {signal}?) → Promise<parsed JSON | null (204)>
//       path is absolute ("/api/me"); body is JSON-encoded; cookies are sent
//       (same origin). Non-2xx answers reject with an ApiError.
//   get(path), post(path, body), patch(path, body), del(path) — shorthands.
//   class ApiError extends Error { status, kind, message, message_en, problems }
//       kind is the server's stable error kind (invalid, not_found, conflict,
//       forbidden, unauthorized, rate_limited, internal) or "network" when the
//       request did not reach the server.
//   errorText(err) → the message in the current language (i18n.js).
import { lang, t } from './i18n.js';

export class ApiError extends Error {
  constructor(status, body) {
    const b = body && typeof body === 'object' ? body : {};
    super(b.message_en || b.message || `HTTP ${status}`);
    this.status = status;
    this.kind = b.kind || (status === 0 ? 'network' : 'internal');
    this.message_vi = b.message || '';
    this.message_en = b.message_en || '';
    this.problems = b.problems || [];
  }
}

export async function api(method, path, body, opts = {}) {
  const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json' }, signal: opts.signal };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let resp;
  try {
    resp = await fetch(path, init);
  } catch (e) {
    if (e && e.name === 'AbortError') throw e;
    throw new ApiError(0, { kind: 'network', message: t('error.network'), message_en: 'network error' });
  }
  if (resp.status === 204) return null;
  let data = null;
  const text = await resp.text();
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (!resp.ok) throw new ApiError(resp.status, data);
  return data;
}

export const get = (path, opts) => api('GET', path, undefined, opts);
export const post = (path, body, opts) => api('POST', path, body === undefined ? {} : body, opts);
export const patch = (path, body, opts) => api('PATCH', path, body, opts);
export const del = (path, opts) => api('DELETE', path, undefined, opts);

// errorText returns err's message in the current language.
export function errorText(err) {
  if (!err) return '';
  const vi = err.message_vi || (err.error && err.error.message);
  const en = err.message_en || (err.error && err.error.message_en);
  if (lang() === 'en') return en || vi || String(err.message || err);
  return vi || en || String(err.message || err);
}
