// ui.js — small DOM helpers shared by the apps.
//
//   h(tag, attrs?, ...children) → Element. attrs: class, text, testid (→ data-testid),
//       on{Event} handlers (onclick…), aria-* / data-* / other attributes;
//       children: nodes, strings, arrays, null (skipped).
//   clear(el), replace(el, ...children)
//   statusBadge(el) → update(status): an aria-live connection indicator
//       (data-testid="conn-status", data-status="online|offline|reconnecting|connecting|ended")
//   fmtClock(ms) → "m:ss" (or "h:mm:ss")
//   participantName(state, id) → name, "…" while it is being looked up, or id
//   onRoster(redraw) → redraw() when looked-up names arrive
//   rosterEvent(meetingId, event) → keeps looked-up names current (participant.*)
//   prefetchNames(state, ids) → looks up names before they are shown
//   rosterOf(state) → every participant: state.participants of a full view; of a
//       lean one, the roster route's list (fetched when missing or changed;
//       [] until it arrives, then onRoster's redraw)
//   pollKindLabel(poll) → translated kind
//   toast(text, {testid}) → a transient aria-live message (data-testid="toast")
import { t } from './i18n.js';
import { get } from './api.js';

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

// A tablet's state is the lean view (docs/protocol.md, "The lean view"): it
// lists only its own participant. Other names come from the roster route, a
// few at a time (?ids=), cached per meeting for the page's life and kept
// current from the participant.* events the tablet receives.
const roster = { names: new Map(), want: new Map(), timer: 0, redraw: null, lists: new Map() };

export function onRoster(redraw) { roster.redraw = redraw; }

export function rosterEvent(meetingId, e) {
  if (e && String(e.type).startsWith('participant.')) {
    const l = roster.lists.get(meetingId);
    if (l) l.stale = true;
  }
  const d = e && e.data;
  if (!d || !d.id) return;
  const key = meetingId + '/' + d.id;
  if ((e.type === 'participant.added' || e.type === 'participant.updated') && d.name) roster.names.set(key, d.name);
}

export function participantName(state, id) {
  const p = state && state.participants.find((x) => x.id === id);
  if (p) return p.name;
  if (!state || !state.lean || !id) return id;
  const key = state.id + '/' + id;
  const known = roster.names.get(key);
  if (known !== undefined) return known;
  lookUp(state.id, id);
  return '…';
}

export function prefetchNames(state, ids) {
  if (!state || !state.lean) return;
  for (const id of ids) {
    if (id && !roster.names.has(state.id + '/' + id) && !state.participants.some((p) => p.id === id)) lookUp(state.id, id);
  }
}

export function rosterOf(state) {
  if (!state) return [];
  if (!state.lean) return state.participants || [];
  let l = roster.lists.get(state.id);
  if (!l) roster.lists.set(state.id, l = { list: [], stale: true, busy: false });
  if (l.stale && !l.busy) {
    l.busy = true;
    l.stale = false;
    // The browser revalidates with the ETag: an unchanged roster is a 304.
    get('/api/meetings/' + encodeURIComponent(state.id) + '/participants')
      .then((page) => {
        l.list = page.participants || [];
        for (const p of l.list) roster.names.set(state.id + '/' + p.id, p.name);
        if (roster.redraw) roster.redraw();
      })
      .catch(() => { l.stale = true; })
      .finally(() => { l.busy = false; });
  }
  return l.list;
}

function lookUp(meetingId, id) {
  if (!roster.want.has(meetingId)) roster.want.set(meetingId, new Set());
  roster.want.get(meetingId).add(id);
  if (!roster.timer) roster.timer = setTimeout(fetchNames, 0);
}

async function fetchNames() {
  roster.timer = 0;
  const want = roster.want;
  roster.want = new Map();
  let got = false;
  for (const [meetingId, ids] of want) {
    const list = [...ids].filter((id) => !roster.names.has(meetingId + '/' + id)).slice(0, 500);
    if (!list.length) continue;
    try {
      const page = await get('/api/meetings/' + encodeURIComponent(meetingId) + '/participants?ids=' + list.map(encodeURIComponent).join(','));
      const found = new Map((page.participants || []).map((p) => [p.id, p.name]));
      for (const id of list) roster.names.set(meetingId + '/' + id, found.has(id) ? found.get(id) : id); // gone: its ID
      got = true;
    } catch {
      // Offline: asked again at the next render.
    }
  }
  if (got && roster.redraw) roster.redraw();
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
