// ui.js — small DOM helpers shared by the apps.
//
//   h(tag, attrs?, ...children) → Element. attrs: class, text, testid (→ data-testid),
//       on{Event} handlers (onclick…), aria-* / data-* / other attributes;
//       children: nodes, strings, arrays, null (skipped).
//   clear(el), replace(el, ...children)
//   statusBadge(el) → update(status): an aria-live connection indicator
//       (data-testid="conn-status", data-status="online|offline|reconnecting|connecting|ended")
//   fmtClock(ms) → "m:ss" (or "h:mm:ss")
//   participantName(state, id) → name or id
//   pollKindLabel(poll) → translated kind
//   toast(text, {testid}) → a transient aria-live message (data-testid="toast")
import { t } from './i18n.js';

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'text') el.textContent = v;
      else if (k === 'testid') el.dataset.testid = v;
      else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (k === 'value') el.value = v;
      else if (k === 'checked' || k === 'disabled' || k === 'hidden') el[k] = Boolean(v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(el) { while (el.firstChild) el.firstChild.remove(); return el; }

export function replace(el, ...children) { clear(el); append(el, children); return el; }

export function statusBadge(el) {
  el.dataset.testid = 'conn-status';
  el.setAttribute('role', 'status');
  el.setAttribute('aria-live', 'polite');
  el.classList.add('conn');
  let last = 'connecting';
  const update = (status) => {
    last = status || last;
    el.dataset.status = last;
    el.textContent = t('status.' + last);
    el.setAttribute('aria-label', t('status.aria') + ': ' + t('status.' + last));
  };
  window.addEventListener('phonghop:lang', () => update());
  update(last);
  return update;
}

export function fmtClock(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  const hh = Math.floor(s / 3600), mm = Math.floor((s % 3600) / 60), ss = s % 60;
  const p = (n) => String(n).padStart(2, '0');
  return hh ? `${hh}:${p(mm)}:${p(ss)}` : `${mm}:${p(ss)}`;
}

export function participantName(state, id) {
  const p = state && state.participants.find((x) => x.id === id);
  return p ? p.name : id;
}

export function pollKindLabel(poll) {
  if (poll.kind === 'rating' && poll.scale === 'confidence') return t('polls.kind.confidence');
  return t('polls.kind.' + poll.kind);
}

let toastTimer = 0;
export function toast(text, { testid = 'toast', ms = 6000 } = {}) {
  let el = document.getElementById('toast');
  if (!el) {
    el = h('div', { id: 'toast', class: 'toast', role: 'status', 'aria-live': 'polite' });
    document.body.append(el);
  }
  el.dataset.testid = testid;
  el.textContent = text;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { el.hidden = true; }, ms);
}
