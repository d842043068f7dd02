// hall.js — the hall screen (/hall): large type for a projector, no controls
// beyond pairing. Shows the current agenda item, the speaker and the
// countdown, the speakers queue, attendance and quorum, the progress of open
// votes and the last published result as a bar chart (results.js). Driven
// entirely by the server (live.js; the replica folded by the wasm kernel).
//
// Never blank, never stale (hallview.js decides what is shown, from the
// state): a document the hall may not show being presented gets a
// placeholder (the server says so without naming it: GET
// /api/meetings/{id}/presentation, asked when an event is hidden from the
// hall); a published result is shown while it belongs to the item under
// discussion and cleared when the agenda moves on; once the meeting is
// closed the screen says so and nothing else. The speakers queue is cut to
// what fits the screen, with "và N người khác" for the rest.
//
// Sign-in: a hall pairing code (/hall#code=… or typed), or a secretary session
// with ?meeting=<id> (without it, a list of meetings to choose from).
//
// data-testid contract:
//   pair-form, pair-code, pair-submit, pair-error, meeting-choice-<meeting id>,
//   conn-status, lang-toggle, hall-title, hall-status, hall-current, hall-speaker,
//   speech-clock (data-remaining-ms), hall-queue, hall-quorum (data-met),
//   hall-present, hall-poll-<poll id> (open polls), hall-progress,
//   hall-results, result-<poll id>, result-chart, result-outcome,
//   hall-presentation (data-rendered="<doc>:<version>:<page>" once drawn; the page
//   the secretariat presents, when the hall may read the document),
//   hall-presentation-hidden (a document the hall may not show is presented),
//   hall-closed (the meeting is closed), hall-queue-more (data-count: names not shown)
import { get, post, errorText } from './api.js';
import { Live } from './live.js';
import { loadKernel } from './kernel.js';
import { t, applyI18n, langButton } from './i18n.js';
import { h, replace, statusBadge, fmtClock, participantName, pollKindLabel } from './ui.js';
import { resultChart } from './results.js';
import { DocStore, openPdf, drawPage } from './pdfview.js';
import { hallView } from './hallview.js';
import './room-strings.js';

const app = document.getElementById('app');
document.body.classList.add('hall');
let live = null, kernel = null, meetingID = '', store = null;
const els = {};
// seen is what the hall learnt live and the state does not keep: when the
// agenda last moved (server time, ms) and whether a document it may not
// show is being presented.
const seen = { movedAt: 0, hiddenPresenting: false };

async function boot() {
  document.title = t('app.hall') + ' · ' + t('app.name');
  applyI18n();
  window.addEventListener('phonghop:lang', () => { if (live && live.state) render(live.state); });
  const code = new URLSearchParams(location.hash.slice(1)).get('code');
  if (code) {
    history.replaceState(null, '', location.pathname + location.search);
    return pair(code);
  }
  let who = null;
  try { who = await get('/api/me'); } catch { /* not signed in */ }
  if (who && who.kind === 'device') return start(who.meeting);
  if (who && who.kind === 'account') {
    const m = new URLSearchParams(location.search).get('meeting');
    if (m) return start(m);
    return choose();
  }
  showPair();
}

async function pair(code) {
  try {
    const r = await post('/api/pair', { code: code.trim() });
    return start(r.meeting);
  } catch (e) {
    showPair(errorText(e), code);
  }
}

function showPair(error = '', code = '') {
  const input = h('input', { id: 'code', testid: 'pair-code', value: code, autocomplete: 'one-time-code', autocapitalize: 'characters' });
  replace(app, h('main', null, h('form', { class: 'card', testid: 'pair-form', onsubmit: (e) => { e.preventDefault(); pair(input.value); } },
    h('h1', null, t('app.hall')), h('label', { for: 'code' }, t('hall.pair')), input,
    h('div', { class: 'row', style: 'margin-top:1rem' }, h('button', { type: 'submit', class: 'btn btn-primary btn-big', testid: 'pair-submit' }, t('pair.submit')), langButton()),
    h('p', { role: 'alert', testid: 'pair-error', hidden: !error, class: 'banner banner-bad' }, error))));
  input.focus();
}

async function choose() {
  const list = await get('/api/meetings');
  const meetings = Array.isArray(list) ? list : (list.meetings || []);
  replace(app, h('main', null, h('div', { class: 'card' }, h('h1', null, t('hall.choose')),
    h('ul', { class: 'names' }, meetings.map((m) => h('li', null,
      h('a', { class: 'btn btn-big', href: '/hall?meeting=' + encodeURIComponent(m.id), testid: 'meeting-choice-' + m.id }, m.title || (m.details && m.details.title) || m.id)))))));
}

async function start(id) {
  meetingID = id;
  replace(app, h('main', null, h('p', { role: 'status' }, t('loading'))));
  kernel = await loadKernel();
  store = new DocStore(id);
  const conn = h('span');
  els.status = statusBadge(conn);
  els.title = h('h1', { testid: 'hall-title', class: 'grow' });
  els.meetingStatus = h('span', { testid: 'hall-status', class: 'who' });
  els.body = h('main', { class: 'hall-grid' });
  replace(app, h('header', { class: 'topbar' }, els.title, els.meetingStatus, conn, langButton()), els.body);
  live = new Live({ meeting: id, kernel, onChange: render, onStatus: (s) => els.status(s), onEnded: () => showPair(t('status.ended')),
    onEvent: (e) => {
      if (e.type === 'agenda.current_set') seen.movedAt = Date.parse(e.at) || live.serverNow();
      if (e.type === 'document.presented') askPresentation();
    },
    onHidden: askPresentation, onSynced: askPresentation });
  globalThis.phonghop = { live }; // for debugging and the browser tests
  live.start();
  setInterval(tick, 250);
  let resized = 0;
  window.addEventListener('resize', () => {
    clearTimeout(resized);
    resized = setTimeout(() => { shown.key = ''; if (live.state) render(live.state); }, 200);
  });
}

function render(st) {
  els.title.textContent = st.details.title || t('app.name');
  els.meetingStatus.textContent = t('meeting.status.' + st.status);
  const v = hallView(st, seen);
  els.body.classList.toggle('with-results', !!v.result);
  els.body.classList.toggle('closed', v.closed);
  if (v.closed) {
    // The meeting is over: nothing of it is current any more.
    replace(els.body, h('section', { class: 'card hall-closed', testid: 'hall-closed', 'aria-live': 'polite' },
      h('h1', { testid: 'hall-current' }, t('hall.closed')),
      h('p', { class: 'big-muted' }, t('hall.closed.thanks'))));
    shown.key = '';
    return;
  }
  const item = v.item, idx = st.agenda.findIndex((i) => i.id === st.current);
  const sp = kernel.speech(live.serverNow());
  const queue = kernel.queue('');
  const q = kernel.quorum();
  const pres = presentation(st);
  const hidden = !pres && v.hiddenPresenting
    ? h('section', { class: 'card hall-hidden', testid: 'hall-presentation-hidden', 'aria-live': 'polite' },
      h('h2', null, t('hall.presenting.hidden')), v.result ? null : h('p', null, t('hall.presenting.hidden.help')))
    : null;
  // A published result (no vote open) is what the room looks at: it takes
  // the wide column, alone, so the chart and the outcome fit on the screen
  // without scrolling; the current item, the speaker and the quorum stay on
  // the side, still in large type.
  const results = v.result
    ? h('section', { class: 'card results-card', testid: 'hall-results', 'aria-labelledby': 'res-h' }, h('h2', { id: 'res-h' }, t('hall.results')), resultChart(v.result))
    : null;
  const current = h('section', { class: 'card', 'aria-labelledby': 'cur-h' },
    h('h2', { id: 'cur-h' }, t('hall.current')),
    h('h1', { testid: 'hall-current' }, item ? `${idx + 1}. ${item.title}` : '—'),
    item && item.presenter ? h('p', { class: 'muted' }, t('agenda.presenter', { name: item.presenter })) : null);
  const speaker = h('section', { class: 'card', 'aria-labelledby': 'sp-h', 'aria-live': 'polite' },
    h('h2', { id: 'sp-h' }, t('hall.speaker')),
    sp ? [h('h1', { testid: 'hall-speaker' }, participantName(st, sp.participant)), h('div', { class: 'clock', testid: 'speech-clock', role: 'timer' })]
      : h('p', { class: 'muted', testid: 'hall-speaker' }, t('floor.nobody')));
  const polls = v.open.map((p) => h('section', { class: 'card', testid: 'hall-poll-' + p.id, 'aria-live': 'polite' },
    h('h2', null, t('hall.vote') + ' · ' + pollKindLabel(p)),
    h('h1', null, p.question),
    p.paper ? h('p', { testid: 'hall-paper' }, t('paper.method')) // counted by the committee: no tablet progress (docs/paper.md)
      : h('p', { class: 'clock', testid: 'hall-progress' }, `${p.voted || 0}/${(p.eligible || []).length}`)));
  const quorum = h('section', { class: 'card', testid: 'hall-quorum', 'data-met': q.met ? 'true' : 'false', 'aria-live': 'polite' },
    h('h2', null, t('hall.attendance')),
    h('p', { class: 'big', testid: 'hall-present' }, t('hall.present', { present: q.present, entitled: q.entitled })),
    h('p', { class: q.met ? '' : 'muted' }, q.met ? t('hall.quorum.met') : t('hall.quorum.notmet', { required: q.required })));
  const queueCard = h('section', { class: 'card queue-card', testid: 'hall-queue-card' },
    h('h2', null, t('hall.queue')),
    queue.length ? h('ol', { class: 'queue', testid: 'hall-queue' }, queue.map((r) => h('li', null, participantName(st, r.participant))))
      : h('p', { class: 'muted', testid: 'hall-queue' }, t('floor.queue.empty')));
  replace(els.body, results
    ? [h('div', { class: 'hall-main' }, results, pres), h('div', { class: 'hall-side' }, hidden, current, speaker, quorum, queueCard)]
    : [h('div', { class: 'hall-main' }, pres, hidden, current, speaker, polls), h('div', { class: 'hall-side' }, quorum, queueCard)]);
  tick(); // the clock's digits take room: draw them before measuring
  fitScreen(queueCard);
}

// fitScreen makes the screen's content fit the screen: a projector never
// scrolls, so nothing may fall below its edge. On a wide screen (two
// columns) the queue is cut first, so that the type stays large; on a
// narrow one (one column, a portrait screen) the content is first scaled
// down to 3/4, then the queue cut; whatever still overflows (very long
// names) is scaled down further.
function fitScreen(queueCard) {
  els.body.style.zoom = '';
  const header = document.querySelector('header.topbar');
  const avail = () => document.documentElement.clientHeight - (header ? header.getBoundingClientRect().height : 0);
  const need = () => els.body.getBoundingClientRect().height;
  const zoomTo = (z) => { els.body.style.zoom = String(Math.floor(z * 1000) / 1000); };
  const wide = getComputedStyle(els.body).gridTemplateColumns.split(' ').length > 1;
  if (!wide && need() > avail() + 1) zoomTo(Math.max(0.75, avail() / need()));
  fitQueue(queueCard);
  const z = +els.body.style.zoom || 1;
  if (need() > avail() + 1) zoomTo(Math.max(0.5, (z * avail()) / need()));
}

// fitQueue cuts the speakers queue to the names that fit on the screen (a
// projector does not scroll), with "và N người khác" for the rest.
function fitQueue(card) {
  const list = card.querySelector('ol.queue');
  if (!list) return;
  const items = [...list.children];
  // The card must end above the grid's own bottom padding: nothing below it
  // may push the page past the screen.
  const main = card.closest('main');
  const z = +els.body.style.zoom || 1; // paddings and margins scale with the zoom
  const bottom = document.documentElement.clientHeight - z * ((main ? parseFloat(getComputedStyle(main).paddingBottom) : 0) + parseFloat(getComputedStyle(card).marginBottom)) - 1;
  if (card.getBoundingClientRect().bottom <= bottom) return;
  const more = h('li', { class: 'more', testid: 'hall-queue-more' });
  list.append(more);
  // Take names off the end until the card, with its "more" line, fits.
  let hidden = 0;
  for (let i = items.length - 1; i >= 0 && card.getBoundingClientRect().bottom > bottom; i--) {
    items[i].remove();
    hidden++;
    more.dataset.count = String(hidden);
    more.textContent = t('hall.queue.more', { n: hidden });
  }
  if (!hidden) more.remove();
}

// askPresentation asks the server whether a document the hall may not read
// is being presented (its view leaves such a presentation out); at most
// one request at a time, the last ask answered.
let asking = null, askAgain = false;
async function askPresentation() {
  if (asking) { askAgain = true; return; }
  asking = (async () => {
    try {
      const r = await get(`/api/meetings/${encodeURIComponent(meetingID)}/presentation`);
      const hidden = !!(r && r.presenting && !r.readable);
      if (hidden !== seen.hiddenPresenting) { seen.hiddenPresenting = hidden; if (live && live.state) render(live.state); }
    } catch { /* offline: asked again at the next sync */ }
  })();
  await asking;
  asking = null;
  if (askAgain) { askAgain = false; askPresentation(); }
}

// presentation returns the section showing the presented page (kept across
// renders, redrawn only when the page changes), or null.
const shown = { el: null, canvas: null, label: null, key: '', view: null, viewKey: '' };
function presentation(st) {
  const p = st.presentation;
  const d = p && p.document_id && st.documents.find((x) => x.id === p.document_id);
  if (!d) { shown.key = ''; return null; }
  if (!shown.el) {
    shown.canvas = h('canvas', { style: 'background:#fff;max-width:100%' });
    shown.label = h('h2');
    shown.el = h('section', { class: 'card', testid: 'hall-presentation', 'aria-live': 'polite' }, shown.label, h('div', { style: 'display:flex;justify-content:center' }, shown.canvas));
  }
  const version = p.version || d.versions[d.versions.length - 1].number;
  const page = p.page || 1;
  shown.label.textContent = t('doc.presenting', { title: d.title, page });
  const key = `${d.id}:${version}:${page}`;
  if (key !== shown.key) {
    shown.key = key;
    draw(d, version, page, key);
  }
  return shown.el;
}

async function draw(d, version, page, key) {
  try {
    const vkey = `${d.id}:${version}`;
    if (shown.viewKey !== vkey) {
      const { bytes } = await store.bytes(d, version);
      const view = await openPdf(bytes);
      if (shown.key !== key) { view.destroy(); return; }
      if (shown.view) shown.view.destroy();
      shown.view = view;
      shown.viewKey = vkey;
    }
    if (shown.key !== key) return;
    await drawPage(shown.view, Math.min(page, shown.view.pages), shown.canvas, Math.min(1100, window.innerWidth * 0.6), window.innerHeight * 0.7);
    if (shown.key === key) shown.el.dataset.rendered = key;
  } catch (e) {
    console.warn('presentation', e);
  }
}

function tick() {
  if (!live || !live.state) return;
  const c = document.querySelector('[data-testid="speech-clock"]');
  if (!c) return;
  const sp = kernel.speech(live.serverNow());
  if (!sp) return;
  if (sp.limit) {
    c.textContent = sp.overrun_ms > 0 ? '+' + fmtClock(sp.overrun_ms) : fmtClock(sp.remaining_ms);
    c.classList.toggle('over', sp.overrun_ms > 0);
    c.dataset.remainingMs = String(sp.remaining_ms);
  } else {
    c.textContent = fmtClock(sp.elapsed_ms);
  }
}

boot().catch((e) => {
  console.error(e);
  replace(app, h('main', null, h('p', { role: 'alert', class: 'banner banner-bad' }, errorText(e) || String(e))));
});
