// tablet.js — the delegate tablet app (/tablet).
//
// Pairs with a one-time code (typed, or from the pairing URL /tablet#code=…),
// checks in, follows the agenda, reads documents (pdf.js) and follows the
// presenter, requests the floor, votes, reads notices, calls for support.
// The replica is folded by the WebAssembly kernel (live.js, kernel.js).
//
// data-testid contract (stable; tests and other helpers drive these):
//   pair screen:  pair-form, pair-code, pair-submit, pair-error, pair-scan
//   header:       meeting-title, meeting-status, me-name, conn-status, lang-toggle,
//                 support-button
//   banners:      meeting-banner (draft, paused, closed: data-status), checkin-banner, checkin-button, checkin-status, presenting-banner,
//                 presenting-follow, support-status, poll-open-banner
//   tabs:         tab-agenda, tab-floor, tab-polls, tab-notices (aria-selected);
//                 polls-badge (votes still to cast), notices-badge (unread notices)
//   agenda:       agenda-list, agenda-item-<item id> (data-current="true" on the
//                 current one), doc-<doc id> (row), doc-open-<doc id> (PDF),
//                 doc-download-<doc id> (other types)
//   viewer:       doc-viewer (data-doc, data-version, data-page, data-pages,
//                 data-rendered="<doc>:<version>:<page>" once a page is drawn,
//                 data-source="network|memory|cache"), doc-title, doc-canvas,
//                 doc-page, doc-prev, doc-next, doc-follow (aria-pressed),
//                 doc-close, doc-offline, doc-error
//   floor:        floor-item, floor-request, floor-withdraw, floor-position,
//                 floor-closed, floor-queue, speaker-name, speech-clock
//                 (data-remaining-ms), floor-nobody
//   polls:        polls-none, poll-<poll id> (data-kind, data-step =
//                 edit|confirm|sending|recorded|voted|not_counted|error), inside it:
//                 choice-agree, choice-disagree, choice-abstain,
//                 candidate-<cand id> (row; class struck), strike-<cand id>,
//                 kept-count, ballot-form (data-form = strike|approve|single: the
//                 election's form, docs/rules.md §4), mark-<cand id>-agree,
//                 mark-<cand id>-disagree (aria-pressed; lists without surplus and
//                 single names), subject-<subject id> (row), rate-<subject id>-<level>
//                 (aria-pressed), vote-review,
//                 vote-confirm-panel, vote-summary, vote-warning, vote-confirm,
//                 vote-back, vote-sending, vote-receipt, vote-error, poll-progress,
//                 result-<poll id> (published results, results.js)
//   notices:      notices-list, notice-<notice id> (data-private="true"), notices-none
//   support:      support-dialog, support-message, support-send, support-cancel
//   misc:         toast
import { get, post, errorText } from './api.js';
import { Live } from './live.js';
import { loadKernel } from './kernel.js';
import { t, applyI18n, langButton } from './i18n.js';
import { h, replace, statusBadge, fmtClock, participantName, pollKindLabel, toast, onRoster, rosterEvent, prefetchNames } from './ui.js';
import { resultChart } from './results.js';
import { DocStore, openPdf, drawPage } from './pdfview.js';
import { afterPress } from './press.js';
import { fmtTime, setZone } from './time.js';
import './room-strings.js';
import { initFloor, floorTabs, floorSection, floorBanners, floorState, floorStatus } from './tablet-floor.js'; // the congress floor

// render is renderNow, held back while a pointer is down (press.js).
const render = afterPress((st) => renderNow(st));

const app = document.getElementById('app');
let me = null; // {meeting, participant, role, name}
let live = null;
let kernel = null;
const ui = {
  tab: 'agenda',
  votes: {}, // poll id → {step, choice, struck:Set, ratings:{}, error}
  myBallot: {}, // poll id → true when GET my-ballot says voted
  follow: true,
  seenNotices: null, // Set of notice ids seen
  unread: 0,
};
const els = {};

// ---- start ---------------------------------------------------------------

async function boot() {
  document.title = t('app.tablet') + ' · ' + t('app.name');
  applyI18n();
  window.addEventListener('phonghop:lang', () => {
    if (live && live.state) render(live.state);
    else if (!me) { const typed = document.getElementById('code'); showPair('', '', typed ? typed.value : ''); } // keep what was typed
  });
  const code = new URLSearchParams(location.hash.slice(1)).get('code');
  if (code) {
    history.replaceState(null, '', location.pathname); // the code is one-time: do not keep it in the address
    await pair(code);
    return;
  }
  try {
    const who = await get('/api/me');
    if (who.kind === 'device' && who.meeting) {
      me = who;
      await startLive();
      return;
    }
  } catch (e) {
    // A network failure, or a meeting archived since this tablet paired.
    if (e.kind === 'network' || e.status === 403) { showPair(errorText(e)); return; }
  }
  showPair();
}

// After the close the meeting is read-only: nothing is current, nothing is
// presented any more, only reading is left (the state keeps the last item
// and page; the room has moved on). Once the minutes are finalised (and so
// archived, server/pairing_policy.go) a delegate's tablet no longer offers
// the documents, says so, and leaves the meeting when the server refuses it
// (at its next reconnection or reload).
const isOpen = (st) => st.status === 'open' || st.status === 'paused';
const currentOf = (st) => (st.status === 'closed' ? '' : st.current || '');
const presentationOf = (st) => (st.status !== 'closed' && st.presentation && st.presentation.document_id ? st.presentation : null);
const archived = (st) => st.status === 'closed' && !!(st.minutes && st.minutes.revision);
const sealed = (st) => archived(st) && !['chair', 'secretary'].includes(me.role);

// leaveIfRefused asks the server whether this tablet may still read the
// meeting (after the archive it may not: 403) and goes back to the pairing
// screen with the server's message if not.
async function leaveIfRefused() {
  try {
    await get('/api/me');
  } catch (e) {
    if (e.status !== 403 && e.status !== 401) return;
    if (live) live.stop();
    me = null; live = null;
    if (viewer.open) viewer.close();
    showPair(errorText(e));
  }
}

async function pair(code) {
  showPair('', t('pair.pairing'));
  try {
    me = await post('/api/pair', { code: code.trim() });
    await startLive();
  } catch (e) {
    showPair(errorText(e), '', code);
  }
}

function showPair(error = '', info = '', code = '') {
  const input = h('input', { id: 'code', name: 'code', testid: 'pair-code', autocomplete: 'one-time-code', autocapitalize: 'characters', spellcheck: 'false', value: code, 'aria-describedby': 'pair-help' });
  const form = h('form', { class: 'card', testid: 'pair-form', onsubmit: (ev) => { ev.preventDefault(); if (input.value.trim()) pair(input.value); } },
    h('h1', null, t('pair.title')),
    h('p', { id: 'pair-help' }, t('pair.help')),
    h('label', { for: 'code' }, t('pair.code')),
    input,
    h('div', { class: 'row', style: 'margin-top:1rem' },
      h('button', { type: 'submit', class: 'btn btn-primary btn-big', testid: 'pair-submit' }, t('pair.submit')),
      'BarcodeDetector' in window ? h('button', { type: 'button', class: 'btn btn-big', testid: 'pair-scan', onclick: scanQR }, t('pair.scan')) : null),
    h('p', { role: 'status', 'aria-live': 'polite', class: 'muted' }, info),
    h('p', { role: 'alert', testid: 'pair-error', class: error ? 'banner banner-bad' : '', hidden: !error }, error),
    h('video', { id: 'qr-video', hidden: true, playsinline: true, muted: true, style: 'max-width:100%' }));
  replace(app,
    h('header', { class: 'topbar' }, h('h1', null, t('app.tablet')), langButton()),
    h('main', null, form));
  input.focus();
}

// scanQR reads the pairing QR code with the camera where the browser has a
// BarcodeDetector; the code encodes the pairing URL (/tablet#code=…).
async function scanQR() {
  const video = document.getElementById('qr-video');
  let stream;
  try {
    const det = new window.BarcodeDetector({ formats: ['qr_code'] });
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
    video.srcObject = stream;
    video.hidden = false;
    await video.play();
    for (let i = 0; i < 600 && document.body.contains(video); i++) {
      const codes = await det.detect(video).catch(() => []);
      for (const c of codes) {
        const m = /#code=([A-Za-z0-9-]+)/.exec(c.rawValue) || /^([A-Za-z0-9-]{4,})$/.exec(c.rawValue);
        if (m) { stream.getTracks().forEach((tr) => tr.stop()); pair(m[1]); return; }
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  } catch {
    toast(t('pair.scan.unsupported'));
  }
  if (stream) stream.getTracks().forEach((tr) => tr.stop());
  video.hidden = true;
}

async function startLive() {
  if (me.role === 'hall') { location.replace('/hall'); return; } // a hall screen's code typed on /tablet
  if (me.role === 'technician') { location.replace('/count'); return; } // a counting technician's station
  replace(app, h('main', null, h('p', { role: 'status' }, t('loading'))));
  kernel = await loadKernel();
  store = new DocStore(me.meeting);
  buildShell();
  live = new Live({
    meeting: me.meeting,
    kernel,
    onChange: (st) => render(st),
    onStatus: (s) => {
      els.status(s);
      if (s === 'online') checkMyBallots();
      floorStatus(s); // sends the opinions waiting in the outbox (tablet-floor.js)
      if (els.viewer && viewer.doc) viewer.showOffline();
      if (s === 'reconnecting' && live && live.state && sealed(live.state)) leaveIfRefused();
    },
    onEnded: () => { me = null; live = null; showPair(t('status.ended')); },
    onEvent: (e) => onEvent(e),
  });
  globalThis.phonghop = { live }; // for debugging and the browser tests
  onRoster(() => { if (live && live.state) render(live.state); }); // names the lean view leaves out (ui.js)
  initFloor({ me, live, kernel, render: () => { if (live && live.state) render(live.state); }, // the congress floor (tablet-floor.js)
    setTab: (tab) => { if (ui.tab !== tab) { ui.tab = tab; if (live && live.state) render(live.state); } },
    openDoc: (id, v, page) => viewer.show(id, v, page), docUrl: (id, v) => store.url(id, v) });
  live.start();
  setInterval(tickClock, 250);
}

// ---- shell ---------------------------------------------------------------

function buildShell() {
  const conn = h('span');
  els.status = statusBadge(conn);
  els.title = h('h1', { testid: 'meeting-title' });
  els.meetingStatus = h('span', { testid: 'meeting-status', class: 'who' });
  els.me = h('span', { testid: 'me-name', class: 'who' }, me.name);
  els.support = h('button', { type: 'button', class: 'btn', testid: 'support-button', onclick: openSupport }, t('support.button'));
  els.banners = h('div', { id: 'banners' });
  els.tabs = h('nav', { class: 'tabs', role: 'tablist', 'aria-label': t('app.tablet') });
  els.main = h('main', { id: 'content', role: 'tabpanel' });
  replace(app,
    h('header', { class: 'topbar' }, els.title, els.meetingStatus, els.me, conn, els.support, langButton()),
    els.tabs,
    h('div', { style: 'max-width:1200px;margin:0 auto;padding:0 1rem' }, els.banners),
    els.main);
  els.viewer = viewer.build();
  document.body.append(els.viewer);
}

function tabButton(id, label, badge) {
  return h('button', { type: 'button', role: 'tab', class: 'btn', testid: 'tab-' + id, 'aria-selected': ui.tab === id ? 'true' : 'false',
    onclick: () => { ui.tab = id; if (id === 'notices') ui.unread = 0; render(live.state); } },
  label, badge ? h('span', { class: 'badge', testid: id + '-badge' }, String(badge)) : null);
}

// ---- render --------------------------------------------------------------

// renderNow draws the state (render, above, holds it back while a finger is
// down: press.js). After a render the keyboard focus goes back to the element with the same
// data-testid path.
function renderNow(st) {
  if (!st || !els.main || !me || !live) return; // a late render after the session ended
  setZone((st.settings || {}).time_zone); // every time in the meeting's zone
  if (sealed(st) && viewer.open) viewer.close(); // no more reading once archived
  const focus = focusPath(document.activeElement);
  draw(st);
  if (focus && !els.main.contains(document.activeElement)) {
    const el = els.main.querySelector(focus);
    if (el) el.focus({ preventScroll: true });
  }
}

// focusPath is a selector of el by the data-testids from els.main down to
// it, or null when el is not in the main section.
function focusPath(el) {
  if (!el || !els.main.contains(el) || el === els.main) return null;
  const ids = [];
  for (let n = el; n && n !== els.main; n = n.parentElement) {
    if (n.dataset && n.dataset.testid) ids.unshift('[data-testid="' + CSS.escape(n.dataset.testid) + '"]');
  }
  return ids.length ? ids.join(' ') : null;
}

function draw(st) {
  // Names of who speaks and who waits, before a tab shows them (the lean view lists only me).
  prefetchNames(st, [...(st.requests || []).map((r) => r.participant), ...(st.speeches || []).map((s) => s.participant)]);
  document.title = (st.details.title || t('app.tablet')) + ' · ' + t('app.name');
  els.title.textContent = st.details.title || t('app.name');
  els.meetingStatus.textContent = t('meeting.status.' + st.status);
  els.support.textContent = t('support.button');
  trackNotices(st);
  const openForMe = st.polls.filter((p) => p.status === 'open' && !p.paper && (p.eligible || []).includes(me.participant)); // paper polls: cast on paper
  replace(els.tabs,
    tabButton('agenda', t('nav.agenda')),
    tabButton('floor', t('nav.floor')),
    tabButton('polls', t('nav.polls'), openForMe.filter((p) => !hasVoted(p)).length),
    tabButton('notices', t('nav.notices'), ui.unread),
    ...floorTabs(st).map(([id, label, badge]) => tabButton(id, label, badge))); // the congress floor (tablet-floor.js)
  replace(els.banners, ...banners(st, openForMe), ...floorBanners(st, ui.tab));
  const views = { agenda: renderAgenda, floor: renderFloor, polls: renderPolls, notices: renderNotices };
  const section = views[ui.tab] ? views[ui.tab](st) : floorSection(ui.tab, st) || renderAgenda(st);
  replace(els.main, section);
  floorState(st);
  viewer.sync(st);
  tickClock();
}

function attending(st) {
  const a = st.attendance[me.participant];
  return Boolean(a && (a.status === 'present' || a.status === 'remote') && !a.checked_out && (a.visits || []).length > 0);
}

function banners(st, openForMe) {
  const out = [];
  if (st.status === 'paused' || st.status === 'closed' || st.status === 'draft') {
    out.push(h('div', { class: 'banner banner-warn', testid: 'meeting-banner', 'data-status': sealed(st) ? 'archived' : st.status, role: 'status' },
      sealed(st) ? t('tablet.archived') : st.status === 'closed' ? t('tablet.readonly') : t('meeting.banner.' + st.status)));
  }
  const canAttend = ['chair', 'secretary', 'delegate', 'observer'].includes(me.role);
  if (canAttend && (st.status === 'open' || st.status === 'paused')) {
    if (!attending(st)) {
      out.push(h('div', { class: 'banner banner-warn row', testid: 'checkin-banner' },
        h('span', { class: 'grow' }, t('checkin.needed')),
        h('button', { type: 'button', class: 'btn btn-primary btn-big', testid: 'checkin-button', onclick: checkIn }, t('checkin.button'))));
    } else {
      out.push(h('div', { class: 'banner banner-ok', testid: 'checkin-status' }, '✓ ' + t('checkin.done')));
    }
  }
  const pres = presentationOf(st);
  if (pres) {
    const d = st.documents.find((x) => x.id === pres.document_id);
    if (d && !(viewer.open && ui.follow)) {
      out.push(h('div', { class: 'banner banner-warn row', testid: 'presenting-banner' },
        h('span', { class: 'grow' }, t('doc.presenting', { title: d.title, page: pres.page || 1 })),
        h('button', { type: 'button', class: 'btn btn-primary', testid: 'presenting-follow', onclick: () => { ui.follow = true; viewer.sync(live.state, true); render(live.state); } }, t('doc.follow'))));
    }
  }
  const mine = (st.support || []).filter((r) => r.participant === me.participant && !r.resolved);
  if (mine.length) out.push(h('div', { class: 'banner banner-warn', testid: 'support-status', role: 'status' }, t('support.open')));
  const pending = openForMe.filter((p) => !hasVoted(p));
  if (pending.length && ui.tab !== 'polls') {
    out.push(h('div', { class: 'banner banner-warn row', testid: 'poll-open-banner' },
      h('span', { class: 'grow' }, pending[0].question),
      h('button', { type: 'button', class: 'btn btn-primary', onclick: () => { ui.tab = 'polls'; render(live.state); } }, t('nav.polls'))));
  }
  return out;
}

async function run(name, data) {
  try {
    await live.command(name, data);
    return true;
  } catch (e) {
    toast(errorText(e), { testid: 'toast' });
    return false;
  }
}

function checkIn() { run('attendance.check_in', {}); }

// ---- agenda and documents ------------------------------------------------

function docRow(d) {
  const v = d.versions[d.versions.length - 1];
  return h('li', { testid: 'doc-' + d.id },
    h('span', { class: 'grow' }, d.title, ' ', h('span', { class: 'muted' }, '(' + t('doc.version', { n: v ? v.number : 0 }) + ')'),
      d.access === 'named' ? h('span', { class: 'conf' }, ' · ' + t('doc.confidential')) : null),
    !v ? null : v.content_type === 'application/pdf'
      ? h('button', { type: 'button', class: 'btn', testid: 'doc-open-' + d.id, 'aria-label': t('doc.open') + ': ' + d.title,
        onclick: () => viewer.show(d.id, v.number, 1) }, t('doc.open'))
      // Office files and pictures: the browser opens or saves them.
      : h('a', { class: 'btn', testid: 'doc-download-' + d.id, href: store.url(d.id, v.number), download: v.name || '', 'aria-label': t('doc.download') + ': ' + d.title }, t('doc.download')));
}

function renderAgenda(st) {
  const docsOf = (item) => (sealed(st) ? [] : st.documents.filter((d) => d.status === 'published' && (d.item || '') === item && d.versions.length));
  const general = docsOf('');
  return h('section', { 'aria-labelledby': 'agenda-h' },
    h('h2', { id: 'agenda-h' }, t('agenda.title')),
    st.agenda.length === 0 ? h('p', { class: 'muted' }, t('agenda.empty')) : null,
    h('ol', { class: 'agenda', testid: 'agenda-list' }, st.agenda.map((it, i) => {
      const cur = it.id === currentOf(st);
      const docs = docsOf(it.id);
      return h('li', { testid: 'agenda-item-' + it.id, 'data-current': cur ? 'true' : 'false', 'aria-current': cur ? 'true' : null },
        h('div', null, h('span', { class: 'num' }, `${i + 1}.`), h('strong', null, it.title),
          cur ? h('span', { class: 'tag' }, t('agenda.current')) : null,
          it.done ? h('span', { class: 'muted' }, ' · ' + t('agenda.done')) : null),
        it.presenter ? h('div', { class: 'muted' }, t('agenda.presenter', { name: it.presenter })) : null,
        docs.length ? h('ul', { class: 'docs', 'aria-label': t('agenda.documents') }, docs.map(docRow)) : null);
    })),
    general.length ? h('div', { class: 'card' }, h('h3', null, t('agenda.documents')), h('ul', { class: 'docs' }, general.map(docRow))) : null);
}

// ---- floor ---------------------------------------------------------------

function renderFloor(st) {
  const item = st.agenda.find((i) => i.id === currentOf(st));
  const sp = kernel.speech(live.serverNow());
  const queue = kernel.queue('');
  const mineIdx = queue.findIndex((r) => r.participant === me.participant);
  const mine = mineIdx >= 0 ? queue[mineIdx] : null;
  const canSpeak = ['chair', 'secretary', 'delegate'].includes(me.role);
  return h('section', { 'aria-labelledby': 'floor-h' },
    h('h2', { id: 'floor-h' }, t('floor.title')),
    h('p', { testid: 'floor-item' }, item ? item.title : t('floor.noitem')),
    h('div', { class: 'card', 'aria-live': 'polite' },
      h('h3', null, t('floor.speaking')),
      sp ? [
        h('div', { testid: 'speaker-name', class: 'who' }, sp.participant === me.participant ? t('floor.you') : participantName(st, sp.participant)),
        sp.limit ? h('div', { class: 'clock', testid: 'speech-clock', role: 'timer', 'aria-label': t('floor.remaining') }) : h('div', { class: 'clock', testid: 'speech-clock', role: 'timer' }),
        sp.paused ? h('div', { class: 'muted' }, t('floor.paused')) : null,
      ] : h('p', { class: 'muted', testid: 'floor-nobody' }, t('floor.nobody'))),
    canSpeak && item && isOpen(st) && !(sp && sp.participant === me.participant) ? h('div', { class: 'card' },
      mine ? [
        h('p', { testid: 'floor-position', class: 'who' }, t('floor.position', { n: mineIdx + 1 })),
        h('button', { type: 'button', class: 'btn btn-big', testid: 'floor-withdraw', onclick: () => run('speaker.withdraw', { id: mine.id }) }, t('floor.withdraw')),
      ] : item.speakers_closed ? h('p', { testid: 'floor-closed' }, t('floor.closed'))
        : h('button', { type: 'button', class: 'btn btn-primary btn-big', testid: 'floor-request', onclick: () => run('speaker.request', {}) }, t('floor.request'))) : null,
    h('div', { class: 'card' },
      h('h3', null, t('floor.queue')),
      queue.length ? h('ol', { class: 'queue', testid: 'floor-queue' }, queue.map((r) => h('li', { class: r.participant === me.participant ? 'me' : '' }, participantName(st, r.participant))))
        : h('p', { class: 'muted', testid: 'floor-queue' }, t('floor.queue.empty'))));
}

function tickClock() {
  if (!live || !live.state) return;
  const clocks = document.querySelectorAll('[data-testid="speech-clock"]');
  if (!clocks.length) return;
  const sp = kernel.speech(live.serverNow());
  for (const c of clocks) {
    if (!sp) { c.textContent = ''; continue; }
    if (sp.limit) {
      const over = sp.overrun_ms > 0;
      c.textContent = over ? '+' + fmtClock(sp.overrun_ms) : fmtClock(sp.remaining_ms);
      c.classList.toggle('over', over);
      c.dataset.remainingMs = String(sp.remaining_ms);
      c.setAttribute('aria-label', over ? t('floor.overrun') : t('floor.remaining'));
    } else {
      c.textContent = fmtClock(sp.elapsed_ms);
      c.dataset.remainingMs = '';
    }
  }
}

// ---- polls ---------------------------------------------------------------

function hasVoted(p) {
  return (p.voters || []).some((v) => v.participant === me.participant) || ui.myBallot[p.id] === true ||
    (ui.votes[p.id] && ui.votes[p.id].step === 'recorded');
}

// checkMyBallots asks the server whether my ballot is stored in each open
// poll (after a reload or reconnect the replica of a poll may not say yet).
async function checkMyBallots() {
  const st = live && live.state;
  if (!st) { setTimeout(checkMyBallots, 300); return; }
  for (const p of st.polls) {
    if (p.status !== 'open' || !(p.eligible || []).includes(me.participant) || hasVoted(p) || ui.myBallot[p.id] !== undefined) continue;
    try {
      const r = await get(`/api/meetings/${encodeURIComponent(me.meeting)}/polls/${encodeURIComponent(p.id)}/my-ballot`);
      ui.myBallot[p.id] = Boolean(r.voted);
      if (r.voted) render(live.state);
    } catch { /* offline: try on the next reconnect */ }
  }
}

function voteState(p) {
  let v = ui.votes[p.id];
  if (!v) v = ui.votes[p.id] = { step: 'edit', choice: '', struck: new Set(), marks: {}, ratings: {}, error: '' };
  return v;
}

// lowerFirst puts a term inside a sentence ("(bầu quá số lượng …)").
function lowerFirst(s) { return s ? s.charAt(0).toLocaleLowerCase('vi') + s.slice(1) : s; }

// formOf is the form of an election's ballot, as the domain decides it
// (meeting.Poll.Form through the kernel): strike (list with surplus),
// approve (without surplus), single (one name).
function formOf(p) { return p.kind === 'election' ? kernel.ballotForm(p.id) : ''; }

function ballotOf(p, v) {
  if (p.kind === 'election' && formOf(p) !== 'strike') {
    // Đồng ý / Không đồng ý per name: a name with no box marked is in neither list.
    const ids = (m) => p.candidates.filter((c) => v.marks[c.id] === m).map((c) => c.id);
    return { agree: ids('agree'), disagree: ids('disagree') };
  }
  if (p.kind === 'election') return { kept: p.candidates.filter((c) => !v.struck.has(c.id)).map((c) => c.id) };
  if (p.kind === 'rating') return { ratings: { ...v.ratings } };
  return { choice: v.choice };
}

function renderPolls(st) {
  // Open polls, and any poll whose ballot is still on its way or was refused
  // (the voter must see that answer even after the poll closed).
  const open = st.polls.filter((p) => p.status === 'open' || ['sending', 'error', 'not_counted'].includes((ui.votes[p.id] || {}).step));
  const published = st.polls.filter((p) => p.status === 'published').slice(-3).reverse();
  return h('section', { 'aria-labelledby': 'polls-h' },
    h('h2', { id: 'polls-h' }, t('polls.title')),
    open.length ? open.map((p) => pollCard(st, p)) : h('p', { class: 'muted', testid: 'polls-none' }, t('polls.none')),
    published.map((p) => h('div', { class: 'card' }, resultChart(p))));
}

function pollCard(st, p) {
  const v = voteState(p);
  const eligible = (p.eligible || []).includes(me.participant);
  let step = v.step;
  if (hasVoted(p) && step !== 'recorded') step = 'voted';
  const card = h('article', { class: 'card', testid: 'poll-' + p.id, 'data-kind': p.kind, 'data-step': step, 'aria-labelledby': 'q-' + p.id },
    h('div', { class: 'muted' }, pollKindLabel(p)),
    h('h3', { id: 'q-' + p.id }, p.question),
    h('p', { class: 'muted', testid: 'poll-progress' }, t('polls.progress', { voted: p.voted || 0, eligible: p.issued || (p.eligible || []).length })));
  if (p.paper) { card.append(h('p', { class: 'banner', testid: 'poll-paper' }, t('paper.tablet'))); return card; } // docs/paper.md
  if (!eligible) { card.append(h('p', null, t('polls.not_eligible'))); return card; }
  const cast = () => {
    v.step = 'sending';
    render(live.state);
    live.castBallot(p.id, ballotOf(p, v)).then(() => {
      v.step = 'recorded';
      render(live.state);
    }, (e) => {
      v.step = e.status_text === 'not_counted' ? 'not_counted' : 'error';
      v.error = e.status_text === 'not_counted' ? t('vote.not_counted') : errorText(e);
      render(live.state);
    });
  };
  switch (step) {
    case 'recorded':
    case 'voted':
      card.append(h('div', { role: 'status', 'aria-live': 'assertive' },
        h('p', { class: 'receipt', testid: 'vote-receipt' }, '✓ ' + t('vote.recorded')),
        h('p', null, step === 'recorded' ? t('vote.recorded.help') : t('vote.voted_before'))));
      return card;
    case 'sending':
      card.append(h('p', { class: 'banner banner-warn', role: 'status', 'aria-live': 'polite', testid: 'vote-sending' }, t('vote.sending')));
      return card;
    case 'not_counted':
    case 'error':
      card.append(h('p', { class: 'banner banner-bad', role: 'alert', testid: 'vote-error' }, v.error));
      if (step === 'error') card.append(h('button', { type: 'button', class: 'btn', testid: 'vote-back', onclick: () => { v.step = 'edit'; render(live.state); } }, t('vote.back')));
      return card;
    case 'confirm':
      card.append(confirmPanel(p, v, cast));
      return card;
  }
  // edit
  if (p.kind === 'open' || p.kind === 'secret') {
    // Every choice looks the same: a ballot must not suggest an answer.
    card.append(h('div', { class: 'choices', role: 'group', 'aria-label': p.question },
      ['agree', 'disagree', 'abstain'].map((c) => h('button', { type: 'button', class: 'btn btn-big', testid: 'choice-' + c,
        onclick: () => { v.choice = c; v.step = 'confirm'; render(live.state); } }, t('choice.' + c)))));
    return card;
  }
  if (p.kind === 'election' && formOf(p) !== 'strike') {
    // A list without surplus, or one name: two boxes per name, at most one
    // pressed (pressing it again clears the row).
    card.append(
      h('p', { testid: 'ballot-form', 'data-form': formOf(p) }, t('form.' + formOf(p))),
      h('ul', { class: 'names' }, p.candidates.map((c) => h('li', { testid: 'candidate-' + c.id },
        h('span', { class: 'name' }, c.name),
        h('div', { class: 'levels', role: 'group', 'aria-label': c.name }, ['agree', 'disagree'].map((m) => h('button', { type: 'button', class: 'btn',
          testid: `mark-${c.id}-${m}`, 'aria-pressed': v.marks[c.id] === m ? 'true' : 'false',
          onclick: () => { v.marks[c.id] = v.marks[c.id] === m ? '' : m; render(live.state); } }, t('mark.' + m))))))),
      h('button', { type: 'button', class: 'btn btn-primary btn-big', testid: 'vote-review', onclick: () => { v.step = 'confirm'; render(live.state); } }, t('vote.review')));
    return card;
  }
  if (p.kind === 'election') {
    const kept = p.candidates.filter((c) => !v.struck.has(c.id)).length;
    card.append(
      h('p', { testid: 'ballot-form', 'data-form': 'strike' }, t('vote.election.help', { seats: p.seats })),
      h('p', { class: 'who', testid: 'kept-count', 'aria-live': 'polite' }, t('vote.election.kept', { kept, seats: p.seats })),
      h('ul', { class: 'names' }, p.candidates.map((c) => {
        const struck = v.struck.has(c.id);
        return h('li', { testid: 'candidate-' + c.id, class: struck ? 'struck' : '' },
          h('span', { class: 'name' }, c.name, struck ? h('span', { class: 'sr-only' }, ` (${t('vote.struck')})`) : null),
          h('button', { type: 'button', class: 'btn', testid: 'strike-' + c.id, 'aria-pressed': struck ? 'true' : 'false', 'aria-label': (struck ? t('vote.unstrike') : t('vote.strike')) + ': ' + c.name,
            onclick: () => { if (struck) v.struck.delete(c.id); else v.struck.add(c.id); render(live.state); } }, struck ? t('vote.unstrike') : t('vote.strike')));
      })),
      h('button', { type: 'button', class: 'btn btn-primary btn-big', testid: 'vote-review', onclick: () => { v.step = 'confirm'; render(live.state); } }, t('vote.review')));
    return card;
  }
  // rating
  const levels = p.scale === 'confidence' ? ['high', 'medium', 'low'] : ['excellent', 'good', 'done', 'failed'];
  card.append(
    h('p', null, t('vote.rating.help')),
    h('ul', { class: 'names' }, p.subjects.map((sub) => h('li', { testid: 'subject-' + sub.id },
      h('span', { class: 'name' }, sub.name),
      h('div', { class: 'levels', role: 'group', 'aria-label': sub.name }, levels.map((l) => h('button', { type: 'button', class: 'btn', testid: `rate-${sub.id}-${l}`,
        'aria-pressed': v.ratings[sub.id] === l ? 'true' : 'false', onclick: () => { v.ratings[sub.id] = l; render(live.state); } }, t('level.' + l))))))),
    h('button', { type: 'button', class: 'btn btn-primary btn-big', testid: 'vote-review', onclick: () => { v.step = 'confirm'; render(live.state); } }, t('vote.review')));
  return card;
}

function confirmPanel(p, v, cast) {
  const ballot = ballotOf(p, v);
  const check = kernel.checkBallot(p.id, ballot);
  let summary;
  if (p.kind === 'election' && formOf(p) !== 'strike') {
    summary = h('ul', null, p.candidates.map((c) => h('li', null, `${c.name}: `,
      h('strong', null, v.marks[c.id] ? t('mark.' + v.marks[c.id]) : t('vote.nothing')))));
  } else if (p.kind === 'election') {
    summary = h('ul', null, p.candidates.map((c) => h('li', { class: v.struck.has(c.id) ? 'muted' : 'who' },
      v.struck.has(c.id) ? h('s', null, c.name) : c.name)));
  } else if (p.kind === 'rating') {
    summary = h('ul', null, p.subjects.map((s) => h('li', null, `${s.name}: `, h('strong', null, v.ratings[s.id] ? t('level.' + v.ratings[s.id]) : t('vote.nothing')))));
  } else {
    summary = h('p', { class: 'receipt', style: 'color:inherit' }, t('choice.' + v.choice));
  }
  return h('div', { testid: 'vote-confirm-panel', role: 'group', 'aria-label': t('vote.confirm.title') },
    h('h4', null, t('vote.confirm.title')),
    h('div', { testid: 'vote-summary' }, summary),
    check && check.valid === false ? h('p', { class: 'banner banner-warn', testid: 'vote-warning' }, t('vote.invalid_warning', { reason: lowerFirst(t('reason.' + check.reason)) })) : null,
    h('p', { class: 'muted' }, t('vote.confirm.help')),
    h('div', { class: 'row' },
      h('button', { type: 'button', class: 'btn btn-primary btn-big', testid: 'vote-confirm', onclick: cast }, t('vote.confirm')),
      h('button', { type: 'button', class: 'btn btn-big', testid: 'vote-back', onclick: () => { v.step = 'edit'; render(live.state); } }, t('vote.back'))));
}

// ---- notices -------------------------------------------------------------

function trackNotices(st) {
  if (ui.seenNotices === null) { ui.seenNotices = new Set(st.notices.map((n) => n.id)); return; }
  for (const n of st.notices) {
    if (ui.seenNotices.has(n.id)) continue;
    ui.seenNotices.add(n.id);
    if (ui.tab !== 'notices') ui.unread++;
    toast(t('notices.new') + ': ' + n.text, { testid: 'toast' });
  }
}

function renderNotices(st) {
  const list = [...st.notices].reverse();
  return h('section', { 'aria-labelledby': 'notices-h' },
    h('h2', { id: 'notices-h' }, t('notices.title')),
    list.length ? h('ul', { class: 'names', testid: 'notices-list', 'aria-live': 'polite' }, list.map((n) => h('li', { class: 'card notice' + (n.to ? ' private' : ''), testid: 'notice-' + n.id, 'data-private': n.to ? 'true' : 'false' },
      h('div', { class: 'muted' }, fmtTime(n.at), n.to ? ' · ' + t('notices.private') : ''),
      h('div', null, n.text))))
      : h('p', { class: 'muted', testid: 'notices-none' }, t('notices.none')));
}

// ---- support -------------------------------------------------------------

function openSupport() {
  const msg = h('textarea', { id: 'support-msg', testid: 'support-message', rows: 3, maxlength: 500 });
  const close = () => dlg.remove();
  const dlg = h('div', { class: 'dialog', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'support-h', testid: 'support-dialog',
    onkeydown: (e) => { if (e.key === 'Escape') close(); } },
  h('form', { class: 'card', onsubmit: async (e) => {
    e.preventDefault();
    if (await run('support.request', { message: msg.value.trim() })) { close(); toast(t('support.sent')); }
  } },
  h('h2', { id: 'support-h' }, t('support.title')),
  h('label', { for: 'support-msg' }, t('support.message')), msg,
  h('div', { class: 'row', style: 'margin-top:1rem' },
    h('button', { type: 'submit', class: 'btn btn-primary btn-big', testid: 'support-send' }, t('support.send')),
    h('button', { type: 'button', class: 'btn btn-big', testid: 'support-cancel', onclick: close }, t('support.cancel')))));
  document.body.append(dlg);
  msg.focus();
}

// ---- events --------------------------------------------------------------

function onEvent(e) {
  rosterEvent(me.meeting, e);
  switch (e.type) {
    case 'poll.opened':
      // Voting comes first: show the ballot, over any document.
      if (((e.data && e.data.eligible) || []).includes(me.participant)) {
        ui.tab = 'polls';
        if (viewer.open) viewer.close();
      }
      break;
    case 'agenda.current_set':
      // Follow the secretary: bring the new current item into view.
      if (ui.tab === 'agenda') {
        setTimeout(() => {
          const el = document.querySelector('[data-testid="agenda-item-' + ((e.data && e.data.id) || '') + '"]');
          if (el) el.scrollIntoView({ block: 'nearest' });
        }, 250);
      }
      break;
    case 'support.resolved':
      toast(t('support.resolved'));
      break;
  }
}

// ---- document viewer (pdf.js) ---------------------------------------------

let store = null; // DocStore (pdfview.js): bytes of opened documents, readable offline

const viewer = {
  open: false,
  doc: '', version: 0, page: 1, pages: 0,
  pdf: null, pdfKey: '', renderSeq: 0,

  build() {
    this.el = h('div', { class: 'viewer', testid: 'doc-viewer', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'doc-title', hidden: true,
      onkeydown: (e) => { if (e.key === 'Escape') this.close(); if (e.key === 'ArrowRight') this.step(1); if (e.key === 'ArrowLeft') this.step(-1); } });
    this.title = h('span', { class: 'title', id: 'doc-title', testid: 'doc-title' });
    this.pageLabel = h('span', { testid: 'doc-page', 'aria-live': 'polite' });
    this.followBtn = h('button', { type: 'button', class: 'btn', testid: 'doc-follow', onclick: () => this.toggleFollow() });
    this.offline = h('span', { testid: 'doc-offline', class: 'banner banner-warn', hidden: true, style: 'margin:0;color:#000' });
    this.error = h('p', { testid: 'doc-error', role: 'alert', hidden: true, style: 'padding:1rem' });
    this.canvas = h('canvas', { testid: 'doc-canvas', 'aria-label': '' });
    this.prev = h('button', { type: 'button', class: 'btn', testid: 'doc-prev', onclick: () => this.step(-1) });
    this.next = h('button', { type: 'button', class: 'btn', testid: 'doc-next', onclick: () => this.step(1) });
    this.closeBtn = h('button', { type: 'button', class: 'btn', testid: 'doc-close', onclick: () => this.close() });
    this.el.append(
      h('div', { class: 'bar' }, this.title, this.prev, this.pageLabel, this.next, this.followBtn, this.offline, this.closeBtn),
      this.error,
      h('div', { class: 'pages' }, this.canvas));
    this.labels();
    window.addEventListener('phonghop:lang', () => this.labels());
    window.addEventListener('resize', () => { if (this.open) this.draw(); });
    return this.el;
  },

  labels() {
    this.prev.textContent = '‹';
    this.prev.setAttribute('aria-label', t('doc.prev'));
    this.next.textContent = '›';
    this.next.setAttribute('aria-label', t('doc.next'));
    this.closeBtn.textContent = t('doc.close');
    // Following shows only while something is presented: after "stop
    // presenting" or the close, the button says there is nothing to follow.
    const presenting = !!(live && live.state && presentationOf(live.state));
    const following = ui.follow && presenting;
    this.followBtn.textContent = !presenting ? t('doc.follow.none') : following ? t('doc.follow.on') : t('doc.follow');
    this.followBtn.setAttribute('aria-pressed', following ? 'true' : 'false');
    this.followBtn.disabled = !presenting;
    this.offline.textContent = t('doc.offline');
    this.pageLabel.textContent = this.pages ? t('doc.page', { page: this.page, pages: this.pages }) : t('doc.loading');
  },

  toggleFollow() {
    ui.follow = !ui.follow;
    this.labels();
    if (ui.follow) this.sync(live.state, true);
    render(live.state);
  },

  // sync follows the presentation when following; force opens the viewer
  // even if it is closed.
  sync(st, force = false) {
    if (this.el) this.labels(); // the follow button follows the presentation
    if (!st || !ui.follow) return;
    const p = presentationOf(st);
    if (!p) { this.lastPresented = ''; return; }
    if (!force && this.lastPresented === `${p.document_id}:${p.version}:${p.page}`) return; // already followed
    this.lastPresented = `${p.document_id}:${p.version}:${p.page}`;
    if (this.open && this.doc === p.document_id && this.version === (p.version || this.version) && this.page === (p.page || 1)) return;
    const d = st.documents.find((x) => x.id === p.document_id);
    if (!d) return;
    this.show(d.id, p.version || d.versions[d.versions.length - 1].number, p.page || 1);
  },

  async show(docID, version, page) {
    const st = live.state;
    const d = st.documents.find((x) => x.id === docID);
    if (!d) return;
    const wasOpen = this.open;
    this.open = true;
    this.el.hidden = false;
    this.doc = docID; this.version = version; this.page = page;
    this.el.dataset.doc = docID; this.el.dataset.version = String(version);
    this.title.textContent = d.title;
    this.error.hidden = true;
    this.labels();
    if (!wasOpen) this.closeBtn.focus();
    const key = `${docID}:${version}`;
    if (this.pdfKey !== key) {
      this.pdf = null; this.pages = 0; this.pdfKey = key;
      this.el.dataset.rendered = '';
      this.labels();
      try {
        const { bytes, source } = await store.bytes(d, version);
        if (this.pdfKey !== key) return;
        this.el.dataset.source = source;
        const view = await openPdf(bytes);
        if (this.pdfKey !== key) { view.destroy(); return; }
        if (this.view) this.view.destroy();
        this.view = view;
        this.pdf = view.pdf;
        this.pages = view.pages;
      } catch (e) {
        if (this.pdfKey !== key) return;
        this.error.textContent = t('doc.error') + (e && e.status ? ` (HTTP ${e.status})` : '');
        this.error.hidden = false;
        this.pdfKey = '';
        return;
      }
    }
    this.showOffline();
    await this.draw();
  },

  showOffline() {
    this.offline.hidden = !live || live.status === 'online';
  },

  async draw() {
    if (!this.pdf) return;
    this.page = Math.min(Math.max(1, this.page), this.pages);
    this.el.dataset.page = String(this.page);
    this.el.dataset.pages = String(this.pages);
    this.labels();
    const seq = ++this.renderSeq;
    const box = this.canvas.parentElement.getBoundingClientRect();
    const c = document.createElement('canvas');
    await drawPage(this.view, this.page, c, box.width - 16, box.height - 16);
    if (seq !== this.renderSeq) return;
    this.canvas.width = c.width; this.canvas.height = c.height;
    this.canvas.style.width = c.style.width;
    this.canvas.getContext('2d').drawImage(c, 0, 0);
    this.canvas.setAttribute('aria-label', `${this.title.textContent} — ${t('doc.page', { page: this.page, pages: this.pages })}`);
    this.el.dataset.rendered = `${this.doc}:${this.version}:${this.page}`;
  },

  step(d) {
    if (!this.pdf) return;
    const p = Math.min(Math.max(1, this.page + d), this.pages);
    if (p === this.page) return;
    if (ui.follow) { ui.follow = false; this.labels(); render(live.state); }
    this.page = p;
    this.draw();
  },

  close() {
    this.open = false;
    this.el.hidden = true;
    // Free pdf.js's copy; the bytes stay in the DocStore (and Cache Storage).
    if (this.view) this.view.destroy();
    this.view = null; this.pdf = null; this.pdfKey = ''; this.pages = 0; this.renderSeq++;
    this.el.dataset.rendered = '';
    if (ui.follow && live.state && presentationOf(live.state)) ui.follow = false;
    if (live.state) render(live.state);
  },
};

boot().catch((e) => {
  console.error(e);
  replace(app, h('main', null, h('p', { role: 'alert', class: 'banner banner-bad' }, errorText(e) || String(e))));
});

