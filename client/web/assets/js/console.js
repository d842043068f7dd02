// console.js — the secretary console (/console).
//
// data-testid contract (the whole-meeting browser test drives these; rows
// carry data-id with the domain ID, so a test selects
// [data-testid="agenda-item"][data-id="i3"] and the buttons inside it):
//
//  global     lang-vi lang-en logout conn-status user-name
//  login      login-view login-form login-username login-password login-submit
//             login-error
//  meetings   meetings-view meetings-list meeting-row[data-id] meeting-open
//             meeting-create-form meeting-title meeting-organization
//             meeting-place meeting-starts-at (dd/mm/yyyy) meeting-starts-at-time
//             (HH:mm) meeting-chair meeting-secretary
//             meeting-create-submit meeting-create-error meetings-error
//  meeting    meeting-view meeting-heading meeting-status meeting-sub open-floor (the congress floor, /floor)
//             back-to-meetings details-card (a <details>: click its summary)
//             details-form details-title details-organization details-place
//             details-starts-at details-starts-at-time details-chair
//             details-secretary details-save
//             details-error details-result; what the record prints
//             (details-record): details-locality details-collective
//             details-chair-post
//             tab-prepare tab-live tab-after panel-prepare panel-live panel-after
//  settings   settings-card (a <details>: click its summary) settings-summary
//             settings-form settings-quorum-at-least settings-quorum-num
//             settings-quorum-den settings-quorum-base settings-late-grace
//             settings-speaking-time (minutes) settings-tie-rule
//             settings-cap-enabled settings-cap-percent settings-empty-invalid
//             settings-sites settings-save settings-error settings-result;
//             the record's (settings-record): settings-layout (party|state)
//             settings-surplus-cap (1–30) settings-time-zone-search
//             settings-time-zone (a list box of the zones: picker.js)
//             settings-time-zone-help
//  agenda     agenda-list agenda-item[data-id] agenda-item-title
//             agenda-item-presenter agenda-rename agenda-up agenda-down
//             agenda-remove (click twice: arm, then confirm) agenda-edit-title
//             agenda-edit-presenter agenda-edit-save agenda-edit-cancel
//             agenda-add-form agenda-add-title agenda-add-presenter
//             agenda-add-submit agenda-error
//  people     participants-list participant-row[data-id] participant-remove
//             participants-error csv-form csv-file csv-text csv-import
//             csv-error (with csv-error-problems > problem[data-row])
//             csv-result participant-add-form
//             participant-name participant-position participant-unit
//             participant-role participant-add-submit participant-add-error
//             participant-reissue (in a row: a new code for that person only)
//  bodies     the congress's bodies: see bodies.js (bodies-card, body
//             [data-kind], body-edit, body-editor, body-vote-create, …)
//  documents  doc-upload-form doc-file doc-title doc-item doc-access
//             doc-readers doc-publish-now doc-upload-submit doc-upload-error
//             doc-upload-result doc-list doc-row[data-id] doc-status
//             doc-publish doc-withdraw doc-version-file doc-version-note
//             doc-version-submit doc-row-error doc-edit; while editing, the
//             row holds doc-edit-title doc-edit-item doc-edit-access
//             doc-edit-readers > doc-edit-reader[data-id] (checkboxes)
//             doc-edit-narrow-warning doc-edit-save (two clicks when the
//             change narrows who may read) doc-edit-cancel
//  pairing    pairing-expires pairing-expires-time (empty: the server's
//             default, said by pairing-default) pairing-issue pairing-error
//             pairing-result pairing-sheet
//             pairing-card[data-participant] pairing-name pairing-code
//             pairing-qr (img) pairing-expires-at (data-expires) pairing-print;
//             pairing-preview holds an on-screen
//             copy of the cards (their testids prefixed preview-)
//  session    live-status live-open live-pause live-resume live-close
//             live-error live-current live-advance live-agenda
//             live-item[data-id] (data-current) live-item-set
//  speakers   speaker-current speaker-countdown speaker-end speaker-pause
//             speaker-resume speaker-add-seconds speaker-add-time
//             speaker-queue speaker-request[data-id] speaker-give-floor
//             speaker-up speaker-down speaker-withdraw speaker-add-participant
//             speaker-add-kind speaker-add-submit speaker-close-list
//             speaker-reopen-list speaker-list-state speaker-error
//             speaker-item-limit (minutes) speaker-item-limit-set
//             speaker-item-limit-current
//  attendance quorum-summary quorum-state (data-met="true|false")
//             quorum-rule (data-num data-den data-at-least data-base)
//             attendance-mark-all-present attendance-list
//             attendance-row[data-id] attendance-status attendance-reason
//             attendance-present attendance-absent attendance-excused
//             attendance-error
//  polls      poll-create-form poll-question poll-kind poll-item
//             poll-candidates poll-seats poll-scale poll-subjects poll-base
//             poll-threshold poll-create-submit poll-create-error poll-list
//             poll-uncapped (an election list the rules do not cap)
//             poll-uncapped-help poll-surplus-hint poll-uncapped-badge
//             poll-row[data-id] poll-status (data-status) poll-open
//             poll-override-quorum poll-close poll-close-publish (close,
//             count and publish in one command) poll-publish poll-cancel-reason
//             poll-cancel poll-progress poll-not-voted (data-count; chips
//             .chip[data-id], poll-not-voted-more) poll-not-voted-refresh
//             poll-result (rows tr[data-choice] / tr[data-candidate])
//             poll-outcome poll-error poll-revote (closed, published or
//             cancelled polls) poll-revote-of[data-target] (in a re-vote's
//             row: the earlier poll; click to go to it) poll-revoted-by
//             [data-target] (in the earlier poll's row); poll-row has
//             data-revote-of and id="poll-<id>"
//  notices    notice-text notice-to notice-send notice-error notice-result
//             notice-list notice-item
//  support    support-list support-item[data-id] (data-resolved)
//             support-resolve support-error
//  present    present-doc present-version present-page present-send
//             present-prev present-next present-stop present-current
//             present-preview present-error present-hall-warning (the
//             chosen document will not show on the hall screen)
//  tablets    connections-list connection-row connections-count
//             connections-error
//  after      minutes-availability minutes-status (data-revision)
//             minutes-conclusions conclusion-row[data-item] minutes-item
//             minutes-text minutes-conclude minutes-error minutes-result
//             minutes-number minutes-layout minutes-place-date
//             minutes-superior minutes-finalize (click twice)
//             minutes-finalize-error minutes-finalize-result
//             minutes-corrections correction-row[data-revision]
//             minutes-correct-text minutes-correct-reason minutes-correct
//             minutes-correct-error minutes-correct-result
//             minutes-lang minutes-preview-html minutes-preview-pdf
//             minutes-preview-json archive-q
//             archive-from archive-to archive-search archive-list
//             archive-row archive-download archive-error
//
// Observable state in data attributes: conn-status data-status
// (online|polling|connecting|reconnecting|offline|ended|replaced: the
// meeting was opened in another tab, elsewhere.js) and data-source
// (live|rest); meeting-status / live-status / poll-row / poll-status /
// doc-status / attendance-row data-status; speaker-current
// data-participant; speaker-countdown data-running; poll-progress
// data-voted, data-eligible; present-current data-doc, data-page.
// window.__consoleRender {n, ms, max} counts the console's renders and their
// time (for the browser tests' figures).
// Irreversible actions ask first, in the one confirmation dialog of every
// view (confirm.js: confirm-dialog, confirm-ok, confirm-cancel; no timer):
// agenda-remove, participant-remove, participant-reissue, pairing-issue,
// live-close, poll-close, poll-close-publish, poll-publish, poll-cancel, minutes-finalize,
// minutes-correct, doc-edit-save when it narrows a document's access, and
// body-edit-save when it replaces a body's members (body.propose).
// After close code 4009 (the meeting opened in another tab or device) the
// dialog of elsewhere.js covers the console until it takes the meeting back.
//
// Times are the meeting's (Vietnam time) and dates dd/mm/yyyy whatever the
// browser's zone and locale (time.js); a date field (dd/mm/yyyy) has a time
// field beside it whose testid ends in -time (meeting-starts-at-time,
// details-starts-at-time, pairing-expires-time).
//
// Every error is shown in the box next to the control that caused it, in
// the chosen language (Vietnamese by default), with the server's per-row or
// per-field problems listed under it.

import {api, request, meetingPath, openMeeting, ApiError, toApiError} from './console-data.js';
import {S} from './console-strings.js';
import {afterPress} from './press.js';
import {lang as sharedLang, setLang as sharedSetLang} from './i18n.js';
import {confirmAction} from './confirm.js';
import {fmtDateTime, fmtDate, fmtTimeSec, parts as timeParts, toISO, dayParam, parseDate, parseTime, setZone} from './time.js';
import {picker} from './picker.js';
import {buildBodies, renderBodies, resetBodies, refreshBodyEditor} from './bodies.js';
import {zones} from './zones.js';
import {defaultTimeZone} from './terms.js';

// renderAll is renderAllTimed, held back while a pointer is down (press.js).
const renderAll = afterPress(() => renderAllTimed());

// ---- language -------------------------------------------------------------

// The language is the shared one (i18n.js: Vietnamese by default, the
// choice remembered); the console's own texts are in console-strings.js.
let lang = sharedLang() === 'en' ? 'en' : 'vi';

function t(key, ...args) {
  const e = S[key];
  if (!e) return key;
  const v = e[lang] !== undefined ? e[lang] : e.vi;
  return typeof v === 'function' ? v(...args) : v;
}

function setLang(l) {
  sharedSetLang(l); // fires phonghop:lang, which re-renders
  lang = l;
  applyLang();
}
window.addEventListener('phonghop:lang', () => {
  const l = sharedLang() === 'en' ? 'en' : 'vi';
  if (l !== lang) { lang = l; applyLang(); }
});

// ---- DOM helpers ----------------------------------------------------------

const $ = (sel, root) => (root || document).querySelector(sel);
const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));
const tid = (id, root) => $(`[data-testid="${id}"]`, root);

// h builds an element. attrs: plain attributes, plus
//   t: text key (kept in the chosen language), ta: aria-label key,
//   tp: placeholder key, on: {event: fn}, props: {prop: value}.
function h(tag, attrs, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 't') { el.dataset.t = v; el.textContent = t(v); } else if (k === 'ta') { el.dataset.ta = v; el.setAttribute('aria-label', t(v)); } else if (k === 'tp') { el.dataset.tp = v; el.placeholder = t(v); } else if (k === 'on') { for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn); } else if (k === 'props') { Object.assign(el, v); } else if (k === 'testid') { el.dataset.testid = v; } else if (v === true) { el.setAttribute(k, ''); } else { el.setAttribute(k, v); }
  }
  for (const kid of kids.flat(Infinity)) {
    if (kid === null || kid === undefined || kid === false) continue;
    el.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
  }
  return el;
}

let uid = 0;
// field returns a labelled control: label text key, control element.
function field(key, control, extra) {
  if (!control.id) control.id = 'f' + (++uid);
  return h('div', {class: 'field ' + (extra || '')}, h('label', {for: control.id, t: key}), control);
}

function btn(key, testid, onClick, cls) {
  return h('button', {type: 'button', class: 'btn ' + (cls || ''), testid, t: key, on: {click: onClick}});
}

function errBox(testid) {
  return h('div', {class: 'err', role: 'alert', 'aria-live': 'assertive', testid, hidden: true});
}

function okBox(testid) {
  return h('div', {class: 'ok', role: 'status', 'aria-live': 'polite', testid, hidden: true});
}

// showErr writes err into box, in the chosen language; kept for a language
// switch. err null clears it.
function showErr(box, err) {
  if (!box) return;
  box._err = err;
  box.textContent = '';
  if (!err) { box.hidden = true; return; }
  const e = toApiError(err);
  const main = lang === 'en' ? e.en : e.vi;
  box.append(h('p', {class: 'err-msg'}, main));
  // The problems under it, each once: not the message again (an upload's
  // "file" problem repeats it), a field named in the chosen language or not
  // at all (never the API's English field name).
  const problems = (e.problems || []).filter((p) => (lang === 'en' ? (p.message_en || p.message) : p.message) !== main || p.row);
  if (problems.length) {
    const ul = h('ul', {class: 'problems', testid: (box.dataset.testid || 'error') + '-problems'});
    for (const p of problems) {
      const msg = lang === 'en' ? (p.message_en || p.message) : p.message;
      const label = p.field && S['field_' + p.field] ? t('field_' + p.field) : '';
      const where = p.row ? t('row_n', p.row) + ': ' : (label ? label + ': ' : '');
      ul.append(h('li', {testid: 'problem', 'data-row': p.row || undefined, 'data-field': p.field || undefined}, where + msg));
    }
    box.append(ul);
  }
  box.hidden = false;
}

function showOk(box, key, ...args) {
  if (!box) return;
  box._ok = key ? [key, args] : null;
  box.textContent = key ? t(key, ...args) : '';
  box.hidden = !key;
}

function localError(vi, en) { return new ApiError({kind: 'invalid', message: vi, message_en: en}); }

// act runs fn for a control: the button is disabled while it runs, the
// error box cleared, then filled on failure. Resolves true on success.
async function act(button, box, fn) {
  if (button) { button.disabled = true; button.setAttribute('aria-busy', 'true'); }
  showErr(box, null);
  try {
    await fn();
    return true;
  } catch (err) {
    showErr(box, err);
    if (err && err.status === 401 && cur) sessionEnded();
    return false;
  } finally {
    if (button) { button.disabled = false; button.removeAttribute('aria-busy'); updateEnabled(); }
  }
}

// confirming makes an irreversible action ask first (confirm.js, the same
// dialog in every view): spec() gives {action, title, message, confirm}
// when clicked (texts in the chosen language); fn runs with the clicked
// button as ev.currentTarget once confirmed, not at all when cancelled.
function confirming(spec, fn) {
  return async (ev) => {
    const button = ev.currentTarget;
    const sp = spec();
    const ok = await confirmAction({action: sp.action, title: sp.title, message: sp.message, confirm: sp.confirm, cancel: t('confirm_back')});
    if (ok) fn({currentTarget: button});
  };
}

// replaceKeeping replaces container's children with kids, keeping the
// values of inputs marked data-key and the focus.
function replaceKeeping(container, kids) {
  const vals = new Map();
  for (const el of $$('[data-key]', container)) {
    vals.set(el.dataset.key, el.type === 'checkbox' ? el.checked : el.value);
  }
  const focused = document.activeElement && container.contains(document.activeElement) ? (document.activeElement.dataset.key || document.activeElement.dataset.focus) : null;
  container.replaceChildren(...kids);
  for (const el of $$('[data-key]', container)) {
    if (vals.has(el.dataset.key)) {
      if (el.type === 'checkbox') el.checked = vals.get(el.dataset.key); else el.value = vals.get(el.dataset.key);
    }
  }
  if (focused) {
    const el = $(`[data-key="${CSS.escape(focused)}"], [data-focus="${CSS.escape(focused)}"]`, container);
    if (el) el.focus();
  }
}

// unchanged reports whether the data a list shows is the same as when it
// was last drawn (lists of 1,600 delegates are not redrawn on every vote).
const drawn = new Map();
function unchanged(name, ...data) {
  const key = JSON.stringify([lang, ...data]);
  if (drawn.get(name) === key) return true;
  drawn.set(name, key);
  return false;
}

// keyed redraws a long list (1,600 delegates) row by row: a row is rebuilt
// only when its key (what it shows) changed; other rows, with what was
// typed in them and the focus, stay. Typed values (data-key) and the focused
// control (by data-testid) carry over into a rebuilt row.
function keyed(container, items, idOf, keyOf, build, empty) {
  if (!items.length) {
    container._rows = new Map();
    container.replaceChildren(empty);
    return;
  }
  const old = container._rows || new Map();
  const rows = new Map();
  let refocus = null;
  const els = items.map((it) => {
    const id = idOf(it);
    const key = JSON.stringify([lang, keyOf(it)]);
    const o = old.get(id);
    if (o && o.key === key) { rows.set(id, o); return o.el; }
    const el = build(it);
    if (o) {
      for (const inp of $$('[data-key]', o.el)) {
        const n = $(`[data-key="${CSS.escape(inp.dataset.key)}"]`, el);
        if (n) n.value = inp.value;
      }
      const f = document.activeElement;
      if (f && o.el.contains(f) && f.dataset.testid) refocus = [el, f.dataset.testid];
    }
    rows.set(id, {key, el});
    return el;
  });
  container._rows = rows;
  const keep = new Set(els);
  for (const c of Array.from(container.children)) if (!keep.has(c)) c.remove();
  for (let i = 0; i < els.length; i++) {
    if (container.children[i] !== els[i]) container.insertBefore(els[i], container.children[i] || null);
  }
  if (refocus) { const n = $(`[data-testid="${refocus[1]}"]`, refocus[0]); if (n) n.focus(); }
}

// fillSelect sets a select's options [{value, label}], keeping its value;
// nothing is redrawn when the options are the same.
function fillSelect(sel, options) {
  const okey = JSON.stringify(options);
  if (sel._options === okey) return;
  sel._options = okey;
  const keep = sel.multiple ? new Set($$('option', sel).filter((o) => o.selected).map((o) => o.value)) : sel.value;
  sel.replaceChildren(...options.map((o) => h('option', {value: o.value}, o.label)));
  if (sel.multiple) { for (const o of sel.options) o.selected = keep.has(o.value); } else if (options.some((o) => o.value === keep)) sel.value = keep;
}

function applyLang() {
  document.documentElement.lang = lang;
  for (const el of $$('[data-t]')) el.textContent = t(el.dataset.t);
  for (const el of $$('[data-ta]')) el.setAttribute('aria-label', t(el.dataset.ta));
  for (const el of $$('[data-tp]')) el.placeholder = t(el.dataset.tp);
  for (const el of $$('.err')) if (el._err) showErr(el, el._err);
  for (const el of $$('.ok')) if (el._ok) showOk(el, el._ok[0], ...el._ok[1]);
  tid('lang-vi').setAttribute('aria-pressed', String(lang === 'vi'));
  tid('lang-en').setAttribute('aria-pressed', String(lang === 'en'));
  document.title = t('app_title');
  if (cur) renderAll();
}

// ---- formatting ------------------------------------------------------------

// fmtTime is dd/mm/yyyy HH:mm in the meeting's time zone (time.js).
function fmtTime(iso) { return fmtDateTime(iso); }

// fmtClockTime is HH:mm:ss in the meeting's time zone.
function fmtClockTime(iso) { return fmtTimeSec(iso); }

// fmtUntil renders an expiry: "hết ngày 15/12/2026" when it falls at
// midnight (the end of that day), else dd/mm/yyyy HH:mm.
function fmtUntil(iso) {
  const p = timeParts(iso);
  if (p.time === '00:00') return t('end_of_day', fmtDate(new Date(Date.parse(iso) - 1)));
  return fmtTime(iso);
}

// whenInputs is a date field (dd/mm/yyyy) and a time field (HH:mm, 24 h),
// read and shown in the meeting's time zone whatever the browser's locale.
// value(required) is the ISO instant, '' when both are empty, or throws a
// field error (Vietnamese and English) naming testid.
function whenInputs(testid) {
  const date = h('input', {type: 'text', testid, inputmode: 'numeric', autocomplete: 'off', maxlength: 10, tp: 'date_ph', class: 'date-input'});
  const time = h('input', {type: 'text', testid: testid + '-time', inputmode: 'numeric', autocomplete: 'off', maxlength: 5, tp: 'time_ph', class: 'time-input'});
  return {
    date, time,
    set(iso) { const p = timeParts(iso); date.value = p.date; time.value = p.time; },
    clear() { date.value = ''; time.value = ''; },
    value() {
      if (!date.value.trim() && !time.value.trim()) return '';
      if (!parseDate(date.value)) throw new ApiError({kind: 'invalid', message: S.bad_date.vi, message_en: S.bad_date.en, problems: [{field: testid, message: S.bad_date.vi, message_en: S.bad_date.en}]});
      if (time.value.trim() && !parseTime(time.value)) throw new ApiError({kind: 'invalid', message: S.bad_time.vi, message_en: S.bad_time.en, problems: [{field: testid + '-time', message: S.bad_time.vi, message_en: S.bad_time.en}]});
      return toISO(date.value, time.value);
    },
  };
}

function fmtPct(p) { // hundredths of a percent
  const s = `${Math.floor(p / 100)}${lang === 'en' ? '.' : ','}${String(p % 100).padStart(2, '0')}%`;
  return s;
}

function fmtClock(ms) {
  const neg = ms < 0;
  const s = Math.floor(Math.abs(ms) / 1000);
  return (neg ? '+' : '') + String(Math.floor(s / 60)).padStart(2, '0') + ':' + String(s % 60).padStart(2, '0');
}

const NS = 1e6; // nanoseconds per millisecond (Go durations)

// ---- application state ----------------------------------------------------

let cur = null; // {id, src, state, tab, support: Map, presented, codes, conns, connTimer}
const ui = {};   // long-lived elements by name

function st() { return (cur && cur.state) || {}; }
function partName(id) {
  const p = (st().participants || []).find((x) => x.id === id);
  return p ? p.name : id;
}
function itemTitle(id) {
  const it = (st().agenda || []).find((x) => x.id === id);
  return it ? it.title : id;
}

async function command(name, data) {
  // Not yet connected to the meeting (its page just opened): not to be read
  // as "the meeting is not opened (khai mạc)".
  if (!cur || !cur.src) throw localError('Đang kết nối tới cuộc họp; xin thử lại sau giây lát.', 'Still connecting to the meeting; try again in a moment.');
  return cur.src.command(name, data);
}

// ---- views -----------------------------------------------------------------

function show(view) {
  for (const v of ['login', 'meetings', 'meeting']) ui[v].hidden = v !== view;
  ui.logout.hidden = view === 'login';
  ui.connStatus.hidden = view !== 'meeting'; // the connection of an open meeting
}

async function boot() {
  buildShell();
  applyLang();
  let me = null;
  try { me = await api.get('/api/me'); } catch { me = null; }
  if (!me || me.kind !== 'account') { show('login'); tid('login-username').focus(); return; }
  ui.userName.textContent = (me.account && (me.account.display_name || me.account.username)) || '';
  route();
}

function route() {
  const params = new URLSearchParams(location.hash.slice(1));
  const id = params.get('m');
  if (id) openMeetingView(id, params.get('tab') || 'prepare');
  else showMeetings();
}

function buildShell() {
  const root = $('#app');
  ui.connStatus = h('span', {class: 'conn', testid: 'conn-status', role: 'status', 'aria-live': 'polite'});
  ui.userName = h('span', {class: 'user', testid: 'user-name'});
  ui.logout = btn('logout', 'logout', async () => {
    try { await api.post('/api/logout'); } catch { /* ignore */ }
    closeMeeting();
    location.hash = '';
    show('login');
  }, 'secondary');
  const header = h('header', {class: 'topbar'},
    h('h1', {t: 'app_title'}),
    h('div', {class: 'topbar-right'}, ui.connStatus, ui.userName,
      h('div', {class: 'langs', role: 'group', ta: 'lang_switch'},
        h('button', {type: 'button', class: 'btn small', testid: 'lang-vi', lang: 'vi', on: {click: () => setLang('vi')}}, 'Tiếng Việt'),
        h('button', {type: 'button', class: 'btn small', testid: 'lang-en', lang: 'en', on: {click: () => setLang('en')}}, 'English')),
      ui.logout));
  ui.login = buildLogin();
  ui.meetings = buildMeetings();
  ui.meeting = buildMeeting();
  root.replaceChildren(header, h('main', {id: 'main'}, ui.login, ui.meetings, ui.meeting));
  window.addEventListener('hashchange', () => { if (!ui.login.hidden) return; route(); });
}

// ---- login -----------------------------------------------------------------

function buildLogin() {
  const user = h('input', {type: 'text', testid: 'login-username', autocomplete: 'username', required: true, value: 'thuky'});
  const pass = h('input', {type: 'password', testid: 'login-password', autocomplete: 'current-password', required: true});
  const err = errBox('login-error');
  const submit = h('button', {type: 'submit', class: 'btn primary', testid: 'login-submit', t: 'login'});
  const form = h('form', {class: 'card narrow', testid: 'login-form', on: {submit: async (ev) => {
    ev.preventDefault();
    await act(submit, err, async () => {
      const res = await api.post('/api/login', {username: user.value, password: pass.value});
      pass.value = '';
      ui.userName.textContent = (res.account && (res.account.display_name || res.account.username)) || '';
      route();
    });
  }}}, h('h2', {t: 'login_heading'}), field('username', user), field('password', pass), err, submit);
  return h('section', {class: 'view', testid: 'login-view', hidden: true}, form);
}

// ---- meetings --------------------------------------------------------------

function buildMeetings() {
  ui.meetingsList = h('ul', {class: 'rows', testid: 'meetings-list'});
  ui.meetingsErr = errBox('meetings-error');
  const f = {
    title: h('input', {type: 'text', testid: 'meeting-title', required: true, maxlength: 500}),
    organization: h('input', {type: 'text', testid: 'meeting-organization'}),
    place: h('input', {type: 'text', testid: 'meeting-place'}),
    chair: h('input', {type: 'text', testid: 'meeting-chair'}),
    secretary: h('input', {type: 'text', testid: 'meeting-secretary'}),
  };
  const when = whenInputs('meeting-starts-at');
  const err = errBox('meeting-create-error');
  const submit = h('button', {type: 'submit', class: 'btn primary', testid: 'meeting-create-submit', t: 'create'});
  const form = h('form', {class: 'card', testid: 'meeting-create-form', on: {submit: async (ev) => {
    ev.preventDefault();
    await act(submit, err, async () => {
      const d = {title: f.title.value, organization: f.organization.value, place: f.place.value, chair: f.chair.value, secretary: f.secretary.value};
      const starts = when.value();
      if (starts) d.starts_at = starts;
      const res = await api.post('/api/meetings', d);
      for (const el of Object.values(f)) el.value = '';
      when.clear();
      location.hash = 'm=' + encodeURIComponent(res.id) + '&tab=prepare';
    });
  }}},
  h('h2', {t: 'create_heading'}),
  h('div', {class: 'grid2'}, field('f_title', f.title, 'span2'), field('f_org', f.organization), field('f_place', f.place),
    field('f_starts_date', when.date), field('f_starts_time', when.time), field('f_chair', f.chair), field('f_secretary', f.secretary)),
  err, submit);
  return h('section', {class: 'view', testid: 'meetings-view', hidden: true},
    h('div', {class: 'two-col'},
      h('div', {class: 'card'}, h('h2', {t: 'meetings_heading'}), ui.meetingsErr, ui.meetingsList),
      form));
}

async function showMeetings() {
  closeMeeting();
  show('meetings');
  showErr(ui.meetingsErr, null);
  try {
    const res = await api.get('/api/meetings');
    renderMeetings(res.meetings || []);
  } catch (err) {
    if (err.status === 401) { show('login'); return; }
    showErr(ui.meetingsErr, err);
  }
}

function renderMeetings(list) {
  ui.meetingsCache = list;
  if (!list.length) { ui.meetingsList.replaceChildren(h('li', {class: 'empty', t: 'meetings_empty'})); return; }
  const sorted = [...list].sort((a, b) => String(b.starts_at || '').localeCompare(String(a.starts_at || '')));
  ui.meetingsList.replaceChildren(...sorted.map((m) => h('li', {class: 'row', testid: 'meeting-row', 'data-id': m.id},
    h('div', {class: 'grow'}, h('strong', {}, m.title), h('div', {class: 'muted'}, [m.organization, fmtTime(m.starts_at)].filter(Boolean).join(' · '))),
    h('span', {class: 'badge st-' + m.status, t: 'st_' + m.status}),
    h('a', {class: 'btn', testid: 'meeting-open', href: '#m=' + encodeURIComponent(m.id) + '&tab=prepare', t: 'meeting_open_btn'}))));
}

// ---- one meeting -----------------------------------------------------------

function buildMeeting() {
  ui.heading = h('h2', {testid: 'meeting-heading'});
  ui.status = h('span', {class: 'badge', testid: 'meeting-status'});
  ui.sub = h('div', {class: 'muted', testid: 'meeting-sub'});
  const tabs = h('div', {class: 'tabs', role: 'tablist', ta: 'tabs_label'});
  ui.tabs = {};
  ui.panels = {};
  for (const name of ['prepare', 'live', 'after']) {
    const b = h('button', {type: 'button', role: 'tab', id: 'tab-' + name, class: 'tab', testid: 'tab-' + name, t: 'tab_' + name, 'aria-controls': 'panel-' + name,
      on: {click: () => { location.hash = 'm=' + encodeURIComponent(cur.id) + '&tab=' + name; }}});
    ui.tabs[name] = b;
    tabs.append(b);
  }
  tabs.addEventListener('keydown', (ev) => {
    const names = ['prepare', 'live', 'after'];
    const i = names.indexOf(cur && cur.tab);
    if (ev.key === 'ArrowRight' || ev.key === 'ArrowLeft') {
      const n = names[(i + (ev.key === 'ArrowRight' ? 1 : 2)) % 3];
      location.hash = 'm=' + encodeURIComponent(cur.id) + '&tab=' + n;
      ui.tabs[n].focus();
    }
  });
  ui.panels.prepare = h('section', {role: 'tabpanel', id: 'panel-prepare', 'aria-labelledby': 'tab-prepare', testid: 'panel-prepare', class: 'panel'},
    buildDetails(), buildSettings(), buildAgenda(), buildParticipants(),
    buildBodies({h, field, btn, errBox, okBox, showErr, showOk, act, confirming, command, st, t, localError, goToPoll, lang: () => lang}),
    buildDocuments(), buildPairing());
  ui.panels.live = h('section', {role: 'tabpanel', id: 'panel-live', 'aria-labelledby': 'tab-live', testid: 'panel-live', class: 'panel'},
    h('div', {class: 'live-grid'},
      h('div', {class: 'col'}, buildSession(), buildSpeakers(), buildPresent()),
      h('div', {class: 'col'}, buildAttendance(), buildNotices(), buildSupport(), buildConnections())),
    buildPolls());
  ui.panels.after = h('section', {role: 'tabpanel', id: 'panel-after', 'aria-labelledby': 'tab-after', testid: 'panel-after', class: 'panel'},
    buildMinutes(), buildArchive());
  return h('section', {class: 'view', testid: 'meeting-view', hidden: true},
    h('div', {class: 'meeting-head'},
      h('a', {class: 'btn secondary', href: '#', testid: 'back-to-meetings', t: 'back_meetings'}),
      h('div', {class: 'grow'}, h('div', {class: 'title-line'}, ui.heading, ui.status), ui.sub),
      ui.floorLink = h('a', {class: 'btn secondary', href: '/floor', testid: 'open-floor', t: 'open_floor'})), // the congress floor (floor.js)
    tabs, ui.panels.prepare, ui.panels.live, ui.panels.after, buildPrintSheet());
}

function closeMeeting() {
  if (!cur) return;
  if (cur.src) cur.src.close();
  clearInterval(cur.connTimer);
  cur = null;
}

async function openMeetingView(id, tab) {
  if (cur && cur.id === id) { selectTab(tab); return; }
  closeMeeting();
  show('meeting');
  cur = {id, src: null, state: null, tab, support: new Map(), presented: null, codes: [], conns: null, connTimer: 0};
  drawn.clear();
  ui.detailsDirty = false;
  ui.settingsDirty = false;
  ui.docEditing = null;
  ui.agendaEditing = null;
  ui.notVoted = {};
  ui.notVotedAt = {};
  ui.pollErrs = new Map();
  resetBodies();
  delete ui.pollForm.item.dataset.touched;
  delete ui.minLayout.dataset.touched;
  ui.printSheet.replaceChildren();
  ui.pairingPreview.replaceChildren();
  ui.pairingPrint.disabled = true;
  resetMeetingView();
  const me = cur;
  ui.heading.textContent = '…';
  ui.floorLink.href = '/floor?meeting=' + encodeURIComponent(id); // the congress floor
  setConn('connecting');
  selectTab(tab);
  try {
    const src = await openMeeting(id, {
      onChange: (s) => { if (cur !== me) return; me.state = s; renderAll(); },
      onEvent: (ev) => { if (cur !== me) return; foldExtra(ev); },
      onStatus: (s) => { if (cur === me) setConn(s); },
      onEnded: () => { if (cur === me) sessionEnded(); },
    });
    if (cur !== me) { src.close(); return; }
    me.src = src;
    me.state = src.state;
    setConn(src.kind === 'live' ? 'live' : 'rest');
    renderAll();
  } catch (err) {
    if (err.status === 401) { show('login'); return; }
    ui.heading.textContent = '';
    showErr(ui.agendaErr, err);
  }
}

// resetMeetingView leaves nothing of the meeting shown before: every field
// back to its default (chosen files too), every error and result box
// emptied, the archive search results cleared, the locks of a closed
// meeting lifted until the new state says otherwise.
function resetMeetingView() {
  for (const el of $$('input, textarea', ui.meeting)) {
    if (el.type === 'file') el.value = '';
    else if (el.type === 'checkbox' || el.type === 'radio') el.checked = el.defaultChecked;
    else el.value = el.defaultValue;
  }
  for (const el of $$('.err', ui.meeting)) showErr(el, null);
  for (const el of $$('.ok', ui.meeting)) showOk(el, null);
  for (const el of $$('[data-reset]', ui.meeting)) el.replaceChildren();
  for (const el of $$('[data-locked]', ui.meeting)) { el.disabled = false; delete el.dataset.locked; }
  for (const el of $$('details', ui.meeting)) el.open = false;
  ui.presHallWarn.hidden = true;
}

// sessionEnded goes back to the login form (the session expired or was
// ended elsewhere), keeping the meeting in the address to come back to.
function sessionEnded() {
  closeMeeting();
  show('login');
  showErr(tid('login-error'), new ApiError({kind: 'unauthorized', message: S.session_ended.vi, message_en: S.session_ended.en}, 401));
}

function setConn(s) {
  const key = {live: 'conn_live', online: 'conn_live', rest: 'conn_rest', offline: 'conn_offline', ended: 'conn_offline', connecting: 'conn_connecting', reconnecting: 'conn_reconnecting',
    replaced: 'conn_replaced'}[s] || 'conn_connecting';
  const status = {live: 'online', rest: 'polling'}[s] || s;
  ui.connStatus.dataset.t = key;
  ui.connStatus.dataset.status = status;
  ui.connStatus.dataset.source = cur && cur.src ? cur.src.kind : '';
  ui.connStatus.textContent = t(key);
}

function selectTab(tab) {
  if (!['prepare', 'live', 'after'].includes(tab)) tab = 'prepare';
  cur.tab = tab;
  for (const [n, b] of Object.entries(ui.tabs)) {
    b.setAttribute('aria-selected', String(n === tab));
    b.tabIndex = n === tab ? 0 : -1;
    ui.panels[n].hidden = n !== tab;
  }
  clearInterval(cur.connTimer);
  if (tab === 'live') {
    loadConnections();
    cur.connTimer = setInterval(loadConnections, 4000);
  }
  if (tab === 'after') { checkMinutes(); }
}

// foldExtra keeps what the state does not: support requests and the
// presented document (read from the state instead when it has them).
function foldExtra(ev) {
  let d = ev.data;
  if (typeof d === 'string') { try { d = JSON.parse(d); } catch { d = {}; } }
  d = d || {};
  switch (ev.type) {
    case 'support.requested':
      cur.support.set(d.id, {id: d.id, participant: d.participant, message: d.message, at: d.at || ev.at, resolved: false});
      break;
    case 'support.resolved': {
      const r = cur.support.get(d.id);
      if (r) r.resolved = true; else cur.support.set(d.id, {id: d.id, resolved: true});
      break;
    }
    case 'document.presented':
      cur.presented = d.document_id ? {document_id: d.document_id, version: d.version, page: d.page} : null;
      break;
    default:
      return;
  }
  renderSupport();
  renderPresentCurrent();
}

// renderAll waits while a pointer is down (press.js): poll rows are redrawn
// on every vote, and a redraw between press and release would lose the click.
function renderAllTimed() {
  if (!cur || !cur.state) return;
  setZone((cur.state.settings || {}).time_zone); // every time in the meeting's zone
  const t0 = performance.now();
  renderAllNow();
  const ms = performance.now() - t0;
  const r = window.__consoleRender || (window.__consoleRender = {n: 0, ms: 0, max: 0});
  r.n++; r.ms += ms; r.max = Math.max(r.max, ms);
}

function renderAllNow() {
  const s = cur.state;
  const d = s.details || {};
  ui.heading.textContent = d.title || '';
  ui.status.dataset.t = 'st_' + s.status;
  ui.status.textContent = t('st_' + s.status);
  ui.status.className = 'badge st-' + s.status;
  ui.status.dataset.status = s.status;
  ui.sub.textContent = [d.organization, d.place, fmtTime(d.starts_at), d.chair && (t('f_chair') + ': ' + d.chair), d.secretary && (t('f_secretary') + ': ' + d.secretary)].filter(Boolean).join(' · ');
  renderDetails();
  renderSettings();
  renderAgenda();
  renderParticipants();
  renderBodies();
  refreshBodyEditor();
  renderDocuments();
  renderSession();
  renderSpeakers();
  renderAttendance();
  renderPolls();
  renderNotices();
  renderSupport();
  renderPresent();
  renderConnections();
  renderMinutesSelects();
  renderPairingDefault();
  updateEnabled();
}

// LOCKED_AFTER_CLOSE are the controls of commands the domain refuses once
// the meeting is closed (only the minutes' are accepted then).
const LOCKED_AFTER_CLOSE = ['details-save', 'settings-save', 'agenda-add-submit', 'agenda-rename', 'agenda-up', 'agenda-down', 'agenda-remove',
  'csv-import', 'participant-add-submit', 'participant-remove', 'doc-upload-submit', 'doc-publish', 'doc-withdraw', 'doc-edit', 'doc-version-submit',
  'live-advance', 'live-item-set', 'speaker-end', 'speaker-pause', 'speaker-resume', 'speaker-add-time', 'speaker-give-floor', 'speaker-up',
  'speaker-down', 'speaker-withdraw', 'speaker-add-submit', 'speaker-close-list', 'speaker-reopen-list', 'speaker-item-limit-set',
  'attendance-mark-all-present', 'attendance-present', 'attendance-absent', 'attendance-excused', 'poll-create-submit', 'poll-open',
  'poll-close', 'poll-close-publish', 'poll-publish', 'poll-cancel', 'poll-revote', 'notice-send', 'support-resolve', 'present-send', 'present-prev', 'present-next',
  'present-stop', 'body-edit', 'body-edit-add', 'body-edit-save', 'body-vote-create'];

// updateEnabled disables controls the meeting's state rules out (the
// server decides anyway; this saves a click and says what is possible):
// the session buttons by status; after the close every control of a
// command refused then (data-locked), the pairing codes once the minutes
// are final (archived); the presenting buttons while nothing is presented.
// The minutes' controls stay: the server's refusals there say what to do.
function updateEnabled() {
  if (!cur || !cur.state) return;
  const s = cur.state.status;
  const set = (id, on) => { const el = tid(id); if (el && el.getAttribute('aria-busy') !== 'true') el.disabled = !on; };
  set('live-open', s === 'draft');
  set('live-pause', s === 'open');
  set('live-resume', s === 'paused');
  set('live-close', s === 'open' || s === 'paused');
  const final = !!(cur.state.minutes && cur.state.minutes.revision);
  const locked = new Set(s === 'closed' ? LOCKED_AFTER_CLOSE : []);
  if (s === 'closed' && final) ['pairing-issue', 'participant-reissue'].forEach((x) => locked.add(x));
  if (s === 'closed' || !presented()) ['present-stop', 'present-prev', 'present-next'].forEach((x) => locked.add(x));
  // Only the buttons concerned are visited (1,600 attendance rows hold
  // 4,800 buttons): those to lock, and those locked before.
  for (const el of $$('button[data-locked]', ui.meeting)) {
    if (!locked.has(el.dataset.testid)) { el.disabled = false; delete el.dataset.locked; }
  }
  if (!locked.size) return;
  for (const el of $$([...locked].map((id) => `button[data-testid="${id}"]`).join(', '), ui.meeting)) {
    if (!el.disabled) { el.disabled = true; el.dataset.locked = s; }
  }
}

// ---- meeting details ---------------------------------------------------------

function buildDetails() {
  const f = {
    title: h('input', {type: 'text', testid: 'details-title', required: true, maxlength: 500}),
    organization: h('input', {type: 'text', testid: 'details-organization'}),
    place: h('input', {type: 'text', testid: 'details-place'}),
    chair: h('input', {type: 'text', testid: 'details-chair'}),
    secretary: h('input', {type: 'text', testid: 'details-secretary'}),
    // What the record prints (docs/record.md): the date line's place name,
    // the collective of "T/M …" and the chair's post in the signature.
    locality: h('input', {type: 'text', testid: 'details-locality', maxlength: 200, tp: 'ph_locality'}),
    collective: h('input', {type: 'text', testid: 'details-collective', maxlength: 200, tp: 'ph_collective'}),
    chairPost: h('input', {type: 'text', testid: 'details-chair-post', maxlength: 200, tp: 'ph_chair_post'}),
  };
  const when = whenInputs('details-starts-at');
  ui.detailsForm = f;
  ui.detailsWhen = when;
  const err = errBox('details-error');
  const ok = okBox('details-result');
  const save = h('button', {type: 'submit', class: 'btn primary', testid: 'details-save', t: 'save'});
  const form = h('form', {testid: 'details-form', on: {
    input: () => { ui.detailsDirty = true; },
    submit: async (ev) => {
      ev.preventDefault();
      showOk(ok, null);
      const done = await act(save, err, async () => {
        // meeting.update replaces every detail: keep any this form does
        // not show.
        const d = {...(st().details || {}), title: f.title.value, organization: f.organization.value, place: f.place.value, chair: f.chair.value, secretary: f.secretary.value,
          locality: f.locality.value, collective: f.collective.value, chair_post: f.chairPost.value};
        delete d.starts_at;
        const starts = when.value();
        if (starts) d.starts_at = starts;
        await command('meeting.update', d);
      });
      if (done) { ui.detailsDirty = false; showOk(ok, 'saved'); renderDetails(); }
    }}},
  h('div', {class: 'grid3'}, field('f_title', f.title, 'span2'), field('f_org', f.organization), field('f_starts_date', when.date), field('f_starts_time', when.time),
    field('f_place', f.place), field('f_chair', f.chair), field('f_secretary', f.secretary)),
  h('fieldset', {class: 'plain', testid: 'details-record'}, h('legend', {t: 'record_details_heading'}), h('p', {class: 'help', t: 'record_details_help'}),
    h('div', {class: 'grid3'}, field('f_locality', f.locality), field('f_collective', f.collective), field('f_chair_post', f.chairPost))),
  err, ok, save);
  return h('details', {class: 'card', testid: 'details-card'}, h('summary', {class: 'summary', t: 'details_heading'}), form);
}

// renderDetails fills the form from the state unless the secretary is
// editing it.
function renderDetails() {
  if (ui.detailsDirty) return;
  const d = st().details || {};
  const f = ui.detailsForm;
  f.title.value = d.title || '';
  f.organization.value = d.organization || '';
  f.place.value = d.place || '';
  ui.detailsWhen.set(d.starts_at);
  f.chair.value = d.chair || '';
  f.secretary.value = d.secretary || '';
  f.locality.value = d.locality || '';
  f.collective.value = d.collective || '';
  f.chairPost.value = d.chair_post || '';
}

// ---- meeting settings (meeting.configure) -----------------------------------

// minutesOf renders a Go duration (nanoseconds) in minutes for an input.
function minutesOf(ns) { const m = (ns || 0) / NS / 60000; return String(Math.round(m * 100) / 100); }
// secondsOfMinutes reads a minutes input as whole seconds (NaN stays NaN:
// the server refuses it with its own message).
function secondsOfMinutes(v) { return v.trim() === '' ? NaN : Math.round(Number(v.replace(',', '.')) * 60); }
function intOf(v) { return v.trim() === '' ? NaN : Number(v); }

// quorumRuleText renders a quorum rule: "từ 2/3 trở lên số được triệu tập".
function quorumRuleText(r) {
  if (!r) return '';
  return thresholdText(r) + ' ' + t('qb_of_' + (r.base || 'entitled'));
}

function buildSettings() {
  const f = {
    qAtLeast: h('select', {testid: 'settings-quorum-at-least'}),
    qNum: h('input', {type: 'number', min: 1, max: 1000, step: 1, testid: 'settings-quorum-num', class: 'narrow-num'}),
    qDen: h('input', {type: 'number', min: 1, max: 1000, step: 1, testid: 'settings-quorum-den', class: 'narrow-num'}),
    qBase: h('select', {testid: 'settings-quorum-base'}),
    grace: h('input', {type: 'number', min: 0, max: 240, step: 'any', testid: 'settings-late-grace'}),
    speaking: h('input', {type: 'number', min: 0, max: 240, step: 'any', testid: 'settings-speaking-time'}),
    tie: h('select', {testid: 'settings-tie-rule'}),
    capOn: h('input', {type: 'checkbox', testid: 'settings-cap-enabled'}),
    capPct: h('input', {type: 'number', min: 1, max: 100, step: 1, testid: 'settings-cap-percent', class: 'narrow-num'}),
    emptyInvalid: h('input', {type: 'checkbox', testid: 'settings-empty-invalid'}),
    sites: h('textarea', {testid: 'settings-sites', rows: 3}),
    // The record's settings (docs/record.md): whose rules and layout, the
    // time zone of every time, the surplus cap of election lists.
    layout: h('select', {testid: 'settings-layout'}),
    surplus: h('input', {type: 'number', min: 1, max: 30, step: 1, testid: 'settings-surplus-cap', class: 'narrow-num'}),
  };
  // The zones: a searchable list (600 names), the very list the server
  // accepts (zones.js, generated from server/meeting).
  const zone = picker({testid: 'settings-time-zone', size: 5});
  f.zone = zone;
  ui.zoneHelp = h('p', {class: 'help', testid: 'settings-time-zone-help'});
  ui.settingsForm = f;
  ui.settingsSummary = h('p', {class: 'muted', testid: 'settings-summary'});
  const err = errBox('settings-error');
  const ok = okBox('settings-result');
  const save = h('button', {type: 'submit', class: 'btn primary', testid: 'settings-save', t: 'save'});
  const check = (el, key) => h('div', {class: 'field check'}, el, h('label', {for: el.id = 'f' + (++uid), t: key}));
  const form = h('form', {testid: 'settings-form', novalidate: true, on: {
    // Searching the zones changes nothing until one is chosen.
    input: (ev) => { if (ev.target !== zone.search) ui.settingsDirty = true; },
    change: (ev) => { if (ev.target !== zone.search) ui.settingsDirty = true; },
    submit: async (ev) => {
      ev.preventDefault();
      showOk(ok, null);
      const done = await act(save, err, async () => {
        const d = {
          quorum: {num: intOf(f.qNum.value), den: intOf(f.qDen.value), at_least: f.qAtLeast.value === 'at_least', base: f.qBase.value},
          late_grace_seconds: secondsOfMinutes(f.grace.value),
          speaking_seconds: secondsOfMinutes(f.speaking.value),
          tie_rule: f.tie.value,
          excellent_cap: {enabled: f.capOn.checked, percent: intOf(f.capPct.value)},
          empty_election_ballot_invalid: f.emptyInvalid.checked,
          sites: f.sites.value.split('\n').map((x) => x.trim()).filter(Boolean),
          layout: f.layout.value,
          surplus_cap: intOf(f.surplus.value),
        };
        for (const [k, v] of [['quorum', d.quorum.num], ['quorum', d.quorum.den], ['late_grace_seconds', d.late_grace_seconds], ['speaking_seconds', d.speaking_seconds], ['excellent_cap.percent', d.excellent_cap.percent],
          ['surplus_cap', d.surplus_cap]]) {
          if (!Number.isInteger(v)) throw new ApiError({kind: 'invalid', message: S.enter_number.vi, message_en: S.enter_number.en, problems: [{field: k, message: S.enter_number.vi, message_en: S.enter_number.en}]});
        }
        if (!zone.value()) throw new ApiError({kind: 'invalid', message: S.choose_zone.vi, message_en: S.choose_zone.en, problems: [{field: 'time_zone', message: S.choose_zone.vi, message_en: S.choose_zone.en}]});
        d.time_zone = zone.value();
        await command('meeting.configure', d);
      });
      if (done) { ui.settingsDirty = false; showOk(ok, 'saved'); renderSettings(); }
    }}},
  h('fieldset', {class: 'plain'}, h('legend', {t: 'quorum_rule'}),
    h('div', {class: 'inline-form'}, field('q_comparison', f.qAtLeast), field('q_num', f.qNum), field('q_den', f.qDen), field('q_base', f.qBase, 'grow'))),
  h('div', {class: 'grid3'}, field('late_grace_min', f.grace), field('speaking_time_min', f.speaking), field('tie_rule', f.tie),
    check(f.capOn, 'cap_enabled'), field('cap_percent', f.capPct), check(f.emptyInvalid, 'empty_invalid'),
    field('sites_lines', f.sites, 'span2')),
  h('fieldset', {class: 'plain', testid: 'settings-record'}, h('legend', {t: 'record_settings_heading'}),
    h('div', {class: 'grid3'},
      h('div', {class: 'field-group'}, field('rules_layout', f.layout), h('p', {class: 'help', t: 'rules_help'})),
      h('div', {class: 'field-group'}, field('surplus_cap', f.surplus), h('p', {class: 'help', t: 'surplus_cap_help'})),
      h('div', {class: 'field-group'}, field('time_zone_search', zone.search), field('time_zone', zone.list), ui.zoneHelp))),
  err, ok, save);
  return h('details', {class: 'card', testid: 'settings-card'}, h('summary', {class: 'summary', t: 'settings_heading'}), ui.settingsSummary, form);
}

// renderSettings shows the settings and fills the form from the state
// unless the secretary is editing it.
function renderSettings() {
  const f = ui.settingsForm;
  fillSelect(f.qAtLeast, [{value: 'at_least', label: t('q_at_least')}, {value: 'more_than', label: t('q_more_than')}]);
  fillSelect(f.qBase, ['entitled', 'summoned'].map((b) => ({value: b, label: t('qb_' + b)})));
  fillSelect(f.tie, ['revote', 'elder'].map((x) => ({value: x, label: t('tie_' + x)})));
  fillSelect(f.layout, ['party', 'state'].map((x) => ({value: x, label: t('rules_' + x)})));
  f.zone.setOptions(zoneOptions());
  const s = st().settings || {};
  const q = s.quorum || {num: 2, den: 3, at_least: true, base: 'entitled'};
  const pr = s.polls || {};
  const zoneName = s.time_zone || defaultTimeZone;
  ui.settingsSummary.textContent = [t('quorum_rule') + ': ' + quorumRuleText(q),
    t('late_grace_min') + ': ' + minutesOf(s.late_grace), t('speaking_time_min') + ': ' + (s.speaking_time ? minutesOf(s.speaking_time) : t('no_limit')),
    t('s_rules', t('rules_short_' + (s.layout || 'party'))), t('s_zone', zoneLabel(zoneName)), t('s_surplus', pr.surplus_cap || 30)].join(' · ');
  ui.zoneHelp.textContent = t('time_zone_help', zoneLabel(zoneName));
  if (ui.settingsDirty) return;
  f.qAtLeast.value = q.at_least ? 'at_least' : 'more_than';
  f.qNum.value = String(q.num);
  f.qDen.value = String(q.den);
  f.qBase.value = q.base || 'entitled';
  f.grace.value = minutesOf(s.late_grace);
  f.speaking.value = minutesOf(s.speaking_time);
  f.tie.value = pr.tie_rule || 'revote';
  const cap = pr.excellent_cap || {};
  f.capOn.checked = !!cap.enabled;
  f.capPct.value = String(cap.percent || 20);
  f.emptyInvalid.checked = !!pr.empty_election_ballot_invalid;
  f.sites.value = (s.sites || []).join('\n');
  f.layout.value = s.layout || 'party';
  f.surplus.value = String(pr.surplus_cap || 30);
  f.zone.set(zoneName);
}

// zoneOptions are the time zones a meeting may be set to (zones.js), each
// with its offset from UTC now ("Asia/Ho_Chi_Minh (UTC+07:00)"), made once.
let zoneOpts = null;
function zoneOptions() {
  if (!zoneOpts) zoneOpts = zones.map((z) => ({value: z, label: zoneLabel(z)}));
  return zoneOpts;
}

// zoneLabel is a zone's name and its offset from UTC now.
const zoneLabels = new Map();
function zoneLabel(z) {
  if (!zoneLabels.has(z)) {
    let off = '';
    try {
      const p = new Intl.DateTimeFormat('en-US', {timeZone: z, timeZoneName: 'longOffset'}).formatToParts(new Date()).find((x) => x.type === 'timeZoneName');
      off = p ? p.value.replace('GMT', 'UTC').replace(/^UTC$/, 'UTC+00:00') : '';
    } catch { off = ''; } // a zone this browser does not know: the name alone
    zoneLabels.set(z, off ? `${z} (${off})` : z);
  }
  return zoneLabels.get(z);
}

// ---- agenda ----------------------------------------------------------------

function buildAgenda() {
  ui.agendaList = h('ol', {class: 'rows', testid: 'agenda-list'});
  ui.agendaErr = errBox('agenda-error');
  const title = h('input', {type: 'text', testid: 'agenda-add-title', required: true, maxlength: 500});
  const presenter = h('input', {type: 'text', testid: 'agenda-add-presenter', maxlength: 200});
  const submit = h('button', {type: 'submit', class: 'btn primary', testid: 'agenda-add-submit', t: 'add_item'});
  const form = h('form', {class: 'inline-form', testid: 'agenda-add-form', on: {submit: async (ev) => {
    ev.preventDefault();
    const ok = await act(submit, ui.agendaErr, () => command('agenda.add', {title: title.value, presenter: presenter.value}));
    if (ok) { title.value = ''; presenter.value = ''; title.focus(); }
  }}}, field('item_title', title, 'grow'), field('presenter', presenter), submit);
  return h('div', {class: 'card'}, h('h3', {t: 'agenda_heading'}), ui.agendaList, ui.agendaErr, form);
}

function renderAgenda() {
  const items = st().agenda || [];
  if (unchanged('agenda', items, st().current, ui.agendaEditing)) return;
  if (!items.length) { replaceKeeping(ui.agendaList, [h('li', {class: 'empty', t: 'agenda_empty'})]); return; }
  const editing = ui.agendaEditing;
  replaceKeeping(ui.agendaList, items.map((it, i) => {
    if (editing === it.id) {
      const ti = h('input', {type: 'text', testid: 'agenda-edit-title', 'data-key': 'edit-title-' + it.id, value: it.title, maxlength: 500});
      const pr = h('input', {type: 'text', testid: 'agenda-edit-presenter', 'data-key': 'edit-presenter-' + it.id, value: it.presenter || '', maxlength: 200});
      const save = h('button', {type: 'submit', class: 'btn primary', testid: 'agenda-edit-save', t: 'save'});
      return h('li', {class: 'row editing', testid: 'agenda-item', 'data-id': it.id},
        h('form', {class: 'inline-form grow', on: {submit: async (ev) => {
          ev.preventDefault();
          const ok = await act(save, ui.agendaErr, () => command('agenda.rename', {id: it.id, title: ti.value, presenter: pr.value}));
          if (ok) { ui.agendaEditing = null; renderAgenda(); }
        }}}, field('item_title', ti, 'grow'), field('presenter', pr), save,
        btn('cancel', 'agenda-edit-cancel', () => { ui.agendaEditing = null; renderAgenda(); }, 'secondary')));
    }
    const move = (pos) => (ev) => act(ev.currentTarget, ui.agendaErr, () => command('agenda.move', {id: it.id, position: pos}));
    return h('li', {class: 'row' + (st().current === it.id ? ' current' : ''), testid: 'agenda-item', 'data-id': it.id},
      h('span', {class: 'num'}, String(i + 1) + '.'),
      h('div', {class: 'grow'}, h('span', {testid: 'agenda-item-title', class: 'strong'}, it.title),
        it.presenter ? h('span', {class: 'muted', testid: 'agenda-item-presenter'}, ' — ' + it.presenter) : null,
        it.done ? h('span', {class: 'badge done', t: 'done_mark'}) : null),
      h('button', {type: 'button', class: 'btn small', testid: 'agenda-rename', 'aria-label': t('rename_of', it.title), on: {click: () => { ui.agendaEditing = it.id; renderAgenda(); const el = tid('agenda-edit-title', ui.agendaList); if (el) el.focus(); }}}, t('rename')),
      h('button', {type: 'button', class: 'btn small', testid: 'agenda-up', 'aria-label': t('move_up_of', it.title), disabled: i === 0, on: {click: move(i)}}, '▲ ' + t('move_up')),
      h('button', {type: 'button', class: 'btn small', testid: 'agenda-down', 'aria-label': t('move_down_of', it.title), disabled: i === items.length - 1, on: {click: move(i + 2)}}, '▼ ' + t('move_down')),
      h('button', {type: 'button', class: 'btn small danger', testid: 'agenda-remove', 'aria-label': t('remove_of', it.title),
        on: {click: confirming(() => ({action: 'agenda.remove', title: t('cf_remove_item', it.title), message: t('cf_remove_item_msg'), confirm: t('remove')}),
          (ev) => act(ev.currentTarget, ui.agendaErr, () => command('agenda.remove', {id: it.id})))}}, t('remove')));
  }));
}

// ---- participants ------------------------------------------------------------

const ROLES = ['delegate', 'chair', 'secretary', 'observer', 'hall', 'technician']; // technician: keys paper ballots (docs/paper.md)

function buildParticipants() {
  ui.partList = h('ul', {class: 'rows compact', testid: 'participants-list'});
  ui.partErr = errBox('participants-error');
  // CSV import
  const file = h('input', {type: 'file', testid: 'csv-file', accept: '.csv,text/csv,text/plain'});
  const text = h('textarea', {testid: 'csv-text', rows: 4, placeholder: 'họ và tên,chức vụ,đơn vị,vai trò'});
  const csvErr = errBox('csv-error');
  const csvOk = okBox('csv-result');
  const imp = h('button', {type: 'submit', class: 'btn primary', testid: 'csv-import', t: 'csv_import'});
  const csvForm = h('form', {class: 'subcard', testid: 'csv-form', on: {submit: async (ev) => {
    ev.preventDefault();
    showOk(csvOk, null);
    await act(imp, csvErr, async () => {
      let body = text.value;
      if (file.files && file.files[0]) body = await file.files[0].text();
      if (!body.trim()) throw localError('Hãy chọn tệp hoặc dán nội dung CSV.', 'Choose a file or paste CSV text.');
      const res = await request('POST', meetingPath(cur.id, '/participants/import'), body, 'text/csv; charset=utf-8');
      showOk(csvOk, 'csv_added', (res.added || []).length);
      file.value = '';
      text.value = '';
      if (cur.src.refresh) await cur.src.refresh();
    });
  }}}, h('h4', {t: 'csv_heading'}), h('p', {class: 'help', t: 'csv_help'}),
  h('div', {class: 'grid2'}, field('csv_file', file), field('csv_text', text)), csvErr, csvOk, imp);
  // one participant
  const f = {
    name: h('input', {type: 'text', testid: 'participant-name', required: true, maxlength: 200}),
    position: h('input', {type: 'text', testid: 'participant-position', maxlength: 200}),
    unit: h('input', {type: 'text', testid: 'participant-unit', maxlength: 200}),
    role: h('select', {testid: 'participant-role'}),
  };
  ui.roleSelect = f.role;
  const addErr = errBox('participant-add-error');
  const add = h('button', {type: 'submit', class: 'btn primary', testid: 'participant-add-submit', t: 'add_participant'});
  const addForm = h('form', {class: 'subcard', testid: 'participant-add-form', on: {submit: async (ev) => {
    ev.preventDefault();
    const ok = await act(add, addErr, () => command('participant.add', {name: f.name.value, position: f.position.value, unit: f.unit.value, role: f.role.value}));
    if (ok) { f.name.value = ''; f.position.value = ''; f.unit.value = ''; f.name.focus(); }
  }}}, h('h4', {t: 'add_one_heading'}),
  h('div', {class: 'grid4'}, field('p_name', f.name), field('p_position', f.position), field('p_unit', f.unit), field('p_role', f.role)), addErr, add);
  return h('div', {class: 'card'}, h('h3', {t: 'participants_heading'}), ui.partList, ui.partErr, csvForm, addForm);
}

function renderParticipants() {
  fillSelect(ui.roleSelect, ROLES.map((r) => ({value: r, label: t('role_' + r)})));
  const ps = st().participants || [];
  if (unchanged('participants', ps)) return;
  keyed(ui.partList, ps, (p) => p.id, (p) => p, (p) => h('li', {class: 'row', testid: 'participant-row', 'data-id': p.id},
    h('div', {class: 'grow'}, h('span', {class: 'strong'}, p.name),
      h('span', {class: 'muted'}, [p.position, p.unit].filter(Boolean).map((x) => ' · ' + x).join(''))),
    h('span', {class: 'badge'}, t('role_' + p.role)),
    p.paired ? h('span', {class: 'badge ok-badge', t: 'paired'}) : null,
    p.role === 'secretary' ? null : h('button', {type: 'button', class: 'btn small', testid: 'participant-reissue', 'aria-label': t('reissue_of', p.name),
      on: {click: confirming(() => ({action: 'pairing.reissue', title: t('cf_reissue', p.name), message: t('cf_reissue_msg'), confirm: t('reissue')}),
        (ev) => issueCodes(ev.currentTarget, [p.id]))}}, t('reissue')),
    h('button', {type: 'button', class: 'btn small danger', testid: 'participant-remove', 'aria-label': t('remove_of', p.name),
      on: {click: confirming(() => ({action: 'participant.remove', title: t('cf_remove_person', p.name), message: t('cf_remove_person_msg'), confirm: t('remove')}),
        (ev) => act(ev.currentTarget, ui.partErr, () => command('participant.remove', {id: p.id})))}}, t('remove'))),
  h('li', {class: 'empty', t: 'participants_empty'}));
}

// ---- documents ---------------------------------------------------------------

function buildDocuments() {
  ui.docList = h('ul', {class: 'rows', testid: 'doc-list'});
  const file = h('input', {type: 'file', testid: 'doc-file', required: true, accept: '.pdf,.docx,.xlsx,.pptx,.jpg,.jpeg,.png'});
  const title = h('input', {type: 'text', testid: 'doc-title', maxlength: 500});
  ui.docItem = h('select', {testid: 'doc-item'});
  const access = h('select', {testid: 'doc-access'});
  ui.docAccess = access;
  ui.docReaders = h('select', {testid: 'doc-readers', multiple: true, size: 5});
  const readersField = field('doc_readers', ui.docReaders);
  readersField.hidden = true;
  access.addEventListener('change', () => { readersField.hidden = access.value !== 'named'; });
  const publish = h('input', {type: 'checkbox', testid: 'doc-publish-now'});
  const err = errBox('doc-upload-error');
  const ok = okBox('doc-upload-result');
  const submit = h('button', {type: 'submit', class: 'btn primary', testid: 'doc-upload-submit', t: 'upload'});
  const form = h('form', {class: 'subcard', testid: 'doc-upload-form', on: {submit: async (ev) => {
    ev.preventDefault();
    showOk(ok, null);
    await act(submit, err, async () => {
      if (!file.files || !file.files[0]) throw localError('Hãy chọn tệp.', 'Choose a file.');
      const fd = new FormData();
      fd.append('file', file.files[0]);
      if (title.value.trim()) fd.append('title', title.value.trim());
      if (ui.docItem.value) fd.append('item', ui.docItem.value);
      fd.append('access', access.value);
      if (access.value === 'named') for (const o of ui.docReaders.selectedOptions) fd.append('readers', o.value);
      fd.append('publish', publish.checked ? 'true' : 'false');
      await request('POST', meetingPath(cur.id, '/documents'), fd);
      file.value = ''; title.value = ''; publish.checked = false;
      showOk(ok, 'doc_uploaded');
      if (cur.src.refresh) await cur.src.refresh();
    });
  }}},
  h('div', {class: 'grid3'}, field('doc_file', file, 'span2'), field('doc_title', title), field('doc_item', ui.docItem), field('doc_access', access), readersField,
    h('div', {class: 'field check'}, publish, h('label', {for: publish.id = 'f' + (++uid), t: 'doc_publish_now'}))),
  err, ok, submit);
  return h('div', {class: 'card'}, h('h3', {t: 'docs_heading'}), ui.docList, form);
}

function itemOptions(withMeeting) {
  const opts = withMeeting ? [{value: '', label: t('whole_meeting')}] : [];
  for (const it of st().agenda || []) opts.push({value: it.id, label: it.title});
  return opts;
}

function renderDocuments() {
  fillSelect(ui.docItem, itemOptions(true));
  fillSelect(ui.docAccess, ['delegates', 'public', 'named'].map((a) => ({value: a, label: t('acc_' + a)})));
  fillSelect(ui.docReaders, (st().participants || []).map((p) => ({value: p.id, label: p.name})));
  const docs = st().documents || [];
  // The rows hold file inputs, which cannot be restored: redraw only when
  // what they show changed.
  if (unchanged('documents', docs, (st().agenda || []).map((i) => [i.id, i.title]), (st().participants || []).map((x) => [x.id, x.name]), ui.docEditing)) return;
  if (!docs.length) { replaceKeeping(ui.docList, [h('li', {class: 'empty', t: 'docs_empty'})]); return; }
  replaceKeeping(ui.docList, docs.map((d) => {
    if (ui.docEditing === d.id) return docEditRow(d);
    const err = errBox('doc-row-error');
    const vfile = h('input', {type: 'file', testid: 'doc-version-file', 'aria-label': t('new_version') + ': ' + d.title});
    const vnote = h('input', {type: 'text', testid: 'doc-version-note', 'data-key': 'vnote-' + d.id, tp: 'version_note', 'aria-label': t('version_note')});
    const last = (d.versions || [])[d.versions.length - 1] || {};
    return h('li', {class: 'row wrap', testid: 'doc-row', 'data-id': d.id},
      h('div', {class: 'grow'}, h('span', {class: 'strong'}, d.title),
        h('div', {class: 'muted'}, [d.item ? itemTitle(d.item) : t('whole_meeting'), t('acc_short_' + d.access),
          d.access === 'named' ? (d.readers || []).map(partName).join(', ') : '', t('version_n', (d.versions || []).length), last.name].filter(Boolean).join(' · '))),
      h('span', {class: 'badge ds-' + d.status, testid: 'doc-status', 'data-status': d.status}, t('ds_' + d.status)),
      h('a', {class: 'btn small secondary', href: meetingPath(cur.id, '/documents/' + d.id + '/content'), target: '_blank', rel: 'noopener'}, t('download')),
      d.status !== 'published' ? h('button', {type: 'button', class: 'btn small primary', testid: 'doc-publish', on: {click: (ev) => act(ev.currentTarget, err, () => command('document.publish', {id: d.id}))}}, t('publish')) : null,
      h('button', {type: 'button', class: 'btn small', testid: 'doc-edit', 'aria-label': t('doc_edit_of', d.title), on: {click: () => {
        ui.docEditing = d.id; renderDocuments(); const el = tid('doc-edit-title', ui.docList); if (el) el.focus();
      }}}, t('doc_edit')),
      d.status === 'published' ? h('button', {type: 'button', class: 'btn small danger', testid: 'doc-withdraw', on: {click: (ev) => act(ev.currentTarget, err, () => command('document.withdraw', {id: d.id}))}}, t('withdraw')) : null,
      h('div', {class: 'version-upload'}, vfile, vnote,
        h('button', {type: 'button', class: 'btn small', testid: 'doc-version-submit', on: {click: (ev) => act(ev.currentTarget, err, async () => {
          if (!vfile.files || !vfile.files[0]) throw localError('Hãy chọn tệp.', 'Choose a file.');
          const fd = new FormData();
          fd.append('file', vfile.files[0]);
          if (vnote.value.trim()) fd.append('note', vnote.value.trim());
          await request('POST', meetingPath(cur.id, '/documents/' + d.id + '/versions'), fd);
          vnote.value = '';
          if (cur.src.refresh) await cur.src.refresh();
        })}}, t('upload_version'))),
      err);
  }));
}

// ACCESS_WIDTH orders the access levels from the widest audience.
const ACCESS_WIDTH = {public: 3, delegates: 2, named: 1};

// narrows reports whether changing a document's access from (access,
// readers) to (access2, readers2) may take it away from someone.
function narrows(access, readers, access2, readers2) {
  if (ACCESS_WIDTH[access2] < ACCESS_WIDTH[access]) return true;
  if (access === 'named' && access2 === 'named') return (readers || []).some((r) => !readers2.includes(r));
  return false;
}

// docEditRow is a document's row while its title and access are edited
// (document.update: every field is sent, the agenda item kept). Narrowing
// who may read it takes a second click.
function docEditRow(d) {
  const err = errBox('doc-row-error');
  const title = h('input', {type: 'text', testid: 'doc-edit-title', 'data-key': 'dtitle-' + d.id, value: d.title, maxlength: 500, required: true});
  const item = h('select', {testid: 'doc-edit-item', 'data-key': 'ditem-' + d.id});
  fillSelect(item, itemOptions(true));
  item.value = d.item || '';
  const access = h('select', {testid: 'doc-edit-access', 'data-key': 'dacc-' + d.id});
  fillSelect(access, ['delegates', 'public', 'named'].map((a) => ({value: a, label: t('acc_' + a)})));
  access.value = d.access;
  const readers = h('fieldset', {class: 'readers-pick', testid: 'doc-edit-readers'}, h('legend', {t: 'doc_readers_pick'}),
    ...(st().participants || []).filter((p) => p.role !== 'hall').map((p) => {
      const cb = h('input', {type: 'checkbox', testid: 'doc-edit-reader', 'data-id': p.id, 'data-key': 'dr-' + d.id + '-' + p.id, id: 'dr-' + d.id + '-' + p.id});
      cb.checked = (d.readers || []).includes(p.id);
      return h('div', {class: 'check'}, cb, h('label', {for: cb.id}, p.name));
    }));
  const warn = h('p', {class: 'notice-box', testid: 'doc-edit-narrow-warning', t: 'doc_narrow_warning', hidden: true});
  const chosen = () => $$('[data-testid="doc-edit-reader"]', readers).filter((c) => c.checked).map((c) => c.dataset.id);
  const sync = () => {
    readers.hidden = access.value !== 'named';
    warn.hidden = !narrows(d.access, d.readers, access.value, access.value === 'named' ? chosen() : []);
  };
  access.addEventListener('change', sync);
  readers.addEventListener('change', sync);
  const doSave = (ev) => act(ev.currentTarget, err, async () => {
    const data = {id: d.id, title: title.value, access: access.value};
    if (item.value) data.item = item.value;
    if (access.value === 'named') data.readers = chosen();
    await command('document.update', data);
    ui.docEditing = null;
    renderDocuments();
  });
  const save = h('button', {type: 'button', class: 'btn small primary', testid: 'doc-edit-save', t: 'save', on: {click: (ev) => {
    sync();
    if (!warn.hidden) confirming(() => ({action: 'document.update', title: t('cf_narrow', d.title), message: t('doc_narrow_warning'), confirm: t('save')}), doSave)(ev); else doSave(ev);
  }}});
  const row = h('li', {class: 'row wrap editing', testid: 'doc-row', 'data-id': d.id},
    h('div', {class: 'grid3 grow'}, field('doc_title_edit', title), field('doc_item', item), field('doc_access', access)),
    readers, warn,
    h('div', {class: 'btn-row'}, save, btn('cancel', 'doc-edit-cancel', () => { ui.docEditing = null; renderDocuments(); }, 'secondary small')),
    err);
  // After replaceKeeping restores typed values, the picker follows them.
  queueMicrotask(sync);
  sync();
  return row;
}

// ---- pairing codes -----------------------------------------------------------

// buildPairing issues the codes of the printed sheet: until a time the
// secretary sets (empty: the server's default, the end of the meeting's
// day), for everyone (the sheet) or for one participant (participant-reissue
// in the participants list). Either revokes the unused earlier codes of
// those it is for, so it asks first.
function buildPairing() {
  const err = errBox('pairing-error');
  ui.pairingErr = err;
  ui.pairingOk = okBox('pairing-result');
  ui.pairingWhen = whenInputs('pairing-expires');
  ui.pairingDefault = h('p', {class: 'help', testid: 'pairing-default'});
  const issue = btn('pairing_issue', 'pairing-issue', confirming(() => ({action: 'pairing.issue', title: t('cf_issue_all'), message: t('cf_issue_all_msg'), confirm: t('pairing_issue')}),
    (ev) => issueCodes(ev.currentTarget, [])), 'primary');
  ui.pairingPrint = btn('pairing_print', 'pairing-print', () => window.print(), 'secondary');
  ui.pairingPrint.disabled = true;
  ui.pairingPreview = h('div', {class: 'pairing-preview', testid: 'pairing-preview'});
  return h('div', {class: 'card'}, h('h3', {t: 'pairing_heading'}), h('p', {class: 'help', t: 'pairing_help'}),
    h('div', {class: 'inline-form'}, field('pairing_until_date', ui.pairingWhen.date), field('pairing_until_time', ui.pairingWhen.time)),
    ui.pairingDefault,
    h('div', {class: 'btn-row'}, issue, ui.pairingPrint), err, ui.pairingOk, ui.pairingPreview);
}

// issueCodes asks the server for codes for participants ([] for everyone
// but the secretaries) and shows them as the printable sheet.
function issueCodes(button, participants) {
  showOk(ui.pairingOk, null);
  return act(button, ui.pairingErr, async () => {
    const body = {participants, qr: true};
    const until = ui.pairingWhen.value();
    if (until) body.expires_at = until;
    const res = await api.post(meetingPath(cur.id, '/pairing-codes'), body);
    cur.codes = res.codes || [];
    renderPrintSheet();
    if (participants.length === 1 && cur.codes.length === 1) showOk(ui.pairingOk, 'pairing_reissued', cur.codes[0].name, cur.codes[0].code);
  });
}

// renderPairingDefault says until when the codes live when no time is set.
function renderPairingDefault() {
  const d = st().details || {};
  const start = d.starts_at && Date.parse(d.starts_at) > Date.now() ? d.starts_at : new Date().toISOString();
  ui.pairingDefault.textContent = t('pairing_default', fmtDate(start));
}

// buildPrintSheet is the printable sheet: one card per participant, several
// per A4 page (see @media print in console.css).
function buildPrintSheet() {
  ui.printSheet = h('section', {class: 'print-sheet', testid: 'pairing-sheet', 'aria-label': t('pairing_heading')});
  return ui.printSheet;
}

function renderPrintSheet() {
  const codes = cur.codes || [];
  const title = (st().details || {}).title || '';
  const cards = codes.map((c) => {
    const p = (st().participants || []).find((x) => x.id === c.participant) || {};
    return h('article', {class: 'pair-card', testid: 'pairing-card', 'data-participant': c.participant},
      h('div', {class: 'pc-meeting'}, title),
      h('div', {class: 'pc-name', testid: 'pairing-name'}, c.name),
      h('div', {class: 'pc-role'}, [p.position, p.role && t('role_' + p.role)].filter(Boolean).join(' · ')),
      c.qr_png ? h('img', {class: 'pc-qr', testid: 'pairing-qr', src: 'data:image/png;base64,' + c.qr_png, alt: t('qr_of', c.name)}) : null,
      h('div', {class: 'pc-code'}, h('span', {}, t('pairing_code') + ': '), h('strong', {testid: 'pairing-code'}, c.code)),
      h('div', {class: 'pc-help'}, t('pairing_scan')),
      h('div', {class: 'pc-exp', testid: 'pairing-expires-at', 'data-expires': c.expires_at}, t('pairing_expires') + ': ' + fmtUntil(c.expires_at)));
  });
  ui.printSheet.replaceChildren(...cards);
  ui.pairingPreview.replaceChildren(...cards.map((c) => c.cloneNode(true)));
  for (const el of $$('[data-testid]', ui.pairingPreview)) el.dataset.testid = 'preview-' + el.dataset.testid;
  ui.pairingPrint.disabled = cards.length === 0;
}

// ---- session -----------------------------------------------------------------

function buildSession() {
  const err = errBox('live-error');
  ui.liveErr = err;
  const cmdBtn = (key, id, name, cls) => btn(key, id, (ev) => act(ev.currentTarget, err, () => command(name, {})), cls);
  ui.liveStatus = h('span', {class: 'badge big', testid: 'live-status'});
  ui.liveCurrent = h('div', {class: 'current-item', testid: 'live-current', 'aria-live': 'polite'});
  ui.liveAgenda = h('ol', {class: 'rows compact', testid: 'live-agenda'});
  return h('div', {class: 'card'}, h('h3', {t: 'session_heading'}),
    h('div', {class: 'btn-row'}, ui.liveStatus,
      cmdBtn('open_meeting', 'live-open', 'meeting.open', 'primary'),
      cmdBtn('pause_meeting', 'live-pause', 'meeting.pause'),
      cmdBtn('resume_meeting', 'live-resume', 'meeting.resume', 'primary'),
      h('button', {type: 'button', class: 'btn danger', testid: 'live-close', t: 'close_meeting', on: {click: confirming(() => ({action: 'meeting.close', title: t('cf_close'), message: t('cf_close_msg'), confirm: t('close_meeting')}),
        (ev) => act(ev.currentTarget, err, () => command('meeting.close', {})))}})),
    err,
    h('h4', {t: 'current_item'}), ui.liveCurrent,
    h('div', {class: 'btn-row'}, cmdBtn('advance', 'live-advance', 'agenda.advance', 'primary')),
    ui.liveAgenda);
}

// liveCurrent is the item under discussion: none once the meeting is
// closed (the state keeps the last one, the room has moved on).
function liveCurrent() {
  const s = st();
  return s.status === 'closed' ? '' : (s.current || '');
}

function renderSession() {
  const s = st();
  ui.liveStatus.textContent = t('st_' + s.status);
  ui.liveStatus.className = 'badge big st-' + s.status;
  ui.liveStatus.dataset.status = s.status;
  const current = liveCurrent();
  ui.liveCurrent.textContent = current ? itemTitle(current) : t(s.status === 'closed' ? 'closed_no_current' : 'no_current');
  ui.liveCurrent.dataset.id = current;
  ui.liveCurrent.classList.toggle('none', !current);
  const items = s.agenda || [];
  replaceKeeping(ui.liveAgenda, items.map((it, i) => h('li', {class: 'row' + (current === it.id ? ' current' : ''), testid: 'live-item', 'data-id': it.id, 'data-current': String(current === it.id)},
    h('span', {class: 'num'}, (i + 1) + '.'),
    h('span', {class: 'grow' + (it.done ? ' done-text' : '')}, it.title),
    current === it.id ? h('span', {class: 'badge current-badge', t: 'is_current'}) : h('button', {type: 'button', class: 'btn small', testid: 'live-item-set', 'aria-label': t('set_current_of', it.title),
      on: {click: (ev) => act(ev.currentTarget, ui.liveErr, () => command('agenda.current', {id: it.id}))}}, t('set_current')))));
}

// ---- speakers ------------------------------------------------------------------

function buildSpeakers() {
  const err = errBox('speaker-error');
  ui.spkErr = err;
  ui.spkCurrent = h('div', {class: 'speaker-now', testid: 'speaker-current', 'aria-live': 'polite'});
  ui.countdown = h('div', {class: 'countdown', testid: 'speaker-countdown', role: 'timer', 'aria-live': 'off'});
  const secs = h('input', {type: 'number', min: 1, max: 3600, value: 60, testid: 'speaker-add-seconds', class: 'narrow-num'});
  const timer = (action, extra) => (ev) => act(ev.currentTarget, err, () => command('speaker.timer', Object.assign({action}, extra ? extra() : {})));
  ui.spkQueue = h('ol', {class: 'rows compact', testid: 'speaker-queue'});
  ui.spkListState = h('span', {class: 'badge', testid: 'speaker-list-state'});
  ui.spkAddWho = h('select', {testid: 'speaker-add-participant'});
  ui.spkAddKind = h('select', {testid: 'speaker-add-kind'});
  const add = h('button', {type: 'submit', class: 'btn', testid: 'speaker-add-submit', t: 'add_speaker'});
  const addForm = h('form', {class: 'inline-form', on: {submit: async (ev) => {
    ev.preventDefault();
    await act(add, err, async () => {
      if (!ui.spkAddWho.value) throw localError('Hãy chọn người phát biểu.', 'Choose a speaker.');
      await command('speaker.add', {participant: ui.spkAddWho.value, kind: ui.spkAddKind.value});
    });
  }}}, field('choose_participant', ui.spkAddWho, 'grow'), field('kind', ui.spkAddKind), add);
  return h('div', {class: 'card'}, h('h3', {t: 'speakers_heading'}),
    h('div', {class: 'speaker-box'}, ui.spkCurrent, ui.countdown),
    h('div', {class: 'btn-row'},
      btn('end_speech', 'speaker-end', (ev) => act(ev.currentTarget, err, () => command('speaker.end', {})), 'danger'),
      btn('pause_timer', 'speaker-pause', timer('pause')),
      btn('resume_timer', 'speaker-resume', timer('resume')),
      field('seconds', secs, 'inline'),
      btn('add_time', 'speaker-add-time', timer('add', () => ({seconds: parseInt(secs.value, 10) || 0})))),
    err,
    h('div', {class: 'queue-head'}, h('h4', {t: 'queue'}), ui.spkListState,
      btn('close_list', 'speaker-close-list', (ev) => act(ev.currentTarget, err, () => command('speaker.close_list', {})), 'small'),
      btn('reopen_list', 'speaker-reopen-list', (ev) => act(ev.currentTarget, err, () => command('speaker.reopen_list', {})), 'small')),
    ui.spkQueue, addForm, buildItemLimit(err));
}

// buildItemLimit sets the speaking limit of the current item's speeches
// (speaker.set_limit {item, seconds}; 0: the meeting's default).
function buildItemLimit(err) {
  const mins = h('input', {type: 'number', min: 0, max: 240, step: 'any', testid: 'speaker-item-limit', 'data-key': 'item-limit', class: 'narrow-num'});
  ui.itemLimitNow = h('span', {class: 'muted', testid: 'speaker-item-limit-current'});
  const set = h('button', {type: 'submit', class: 'btn small', testid: 'speaker-item-limit-set', t: 'set_item_limit'});
  return h('form', {class: 'inline-form', on: {submit: async (ev) => {
    ev.preventDefault();
    const ok = await act(set, err, async () => {
      const secs = secondsOfMinutes(mins.value);
      if (!Number.isInteger(secs)) throw localError('Hãy nhập số phút.', 'Enter the minutes.');
      await command('speaker.set_limit', {item: st().current || '', seconds: secs});
    });
    if (ok) mins.value = '';
  }}}, field('item_limit_min', mins), set, ui.itemLimitNow);
}

function currentSpeech() {
  const sp = st().speeches || [];
  for (let i = sp.length - 1; i >= 0; i--) if (!sp[i].end || sp[i].end.startsWith('0001-')) return sp[i];
  return null;
}

function renderSpeakers() {
  const s = st();
  fillSelect(ui.spkAddWho, [{value: '', label: t('choose_participant')}].concat((s.participants || []).filter((p) => p.role !== 'hall').map((p) => ({value: p.id, label: p.name}))));
  fillSelect(ui.spkAddKind, ['normal', 'reply', 'point_of_order'].map((k) => ({value: k, label: t('k_' + k)})));
  const sp = currentSpeech();
  ui.spkCurrent.textContent = sp ? `${t('speaking_now')}: ${partName(sp.participant)}` + (sp.kind && sp.kind !== 'normal' ? ` (${t('k_' + sp.kind)})` : '') : t('nobody_speaking');
  ui.spkCurrent.dataset.participant = sp ? sp.participant : '';
  const item = (s.agenda || []).find((x) => x.id === s.current);
  ui.spkListState.textContent = item && item.speakers_closed ? t('list_closed') : '';
  ui.spkListState.hidden = !(item && item.speakers_closed);
  ui.itemLimitNow.textContent = item ? (item.speaking_limit ? t('item_limit_now', minutesOf(item.speaking_limit)) : t('item_limit_default', s.settings && s.settings.speaking_time ? t('minutes_n', minutesOf(s.settings.speaking_time)) : t('no_limit'))) : '';
  if (!liveCurrent()) { replaceKeeping(ui.spkQueue, [h('li', {class: 'empty', t: s.status === 'closed' ? 'closed_no_current' : 'need_current'})]); tick(); return; }
  const q = (s.requests || []).filter((r) => r.item === s.current);
  if (!q.length) { replaceKeeping(ui.spkQueue, [h('li', {class: 'empty', t: 'queue_empty'})]); tick(); return; }
  replaceKeeping(ui.spkQueue, q.map((r, i) => {
    const name = partName(r.participant);
    const mv = (pos) => (ev) => act(ev.currentTarget, ui.spkErr, () => command('speaker.reorder', {id: r.id, position: pos}));
    return h('li', {class: 'row', testid: 'speaker-request', 'data-id': r.id, 'data-participant': r.participant},
      h('span', {class: 'num'}, (i + 1) + '.'),
      h('div', {class: 'grow'}, h('span', {class: 'strong'}, name), r.kind !== 'normal' ? h('span', {class: 'badge kind-' + r.kind}, t('k_' + r.kind)) : null,
        r.topic ? h('div', {class: 'muted'}, r.topic) : null),
      h('button', {type: 'button', class: 'btn small primary', testid: 'speaker-give-floor', 'aria-label': t('give_floor_of', name), on: {click: (ev) => act(ev.currentTarget, ui.spkErr, () => command('speaker.give_floor', {id: r.id}))}}, t('give_floor')),
      h('button', {type: 'button', class: 'btn small', testid: 'speaker-up', 'aria-label': t('move_up') + ' ' + name, disabled: i === 0, on: {click: mv(i)}}, '▲'),
      h('button', {type: 'button', class: 'btn small', testid: 'speaker-down', 'aria-label': t('move_down') + ' ' + name, disabled: i === q.length - 1, on: {click: mv(i + 2)}}, '▼'),
      h('button', {type: 'button', class: 'btn small danger', testid: 'speaker-withdraw', 'aria-label': t('withdraw_req') + ' ' + name, on: {click: (ev) => act(ev.currentTarget, ui.spkErr, () => command('speaker.withdraw', {id: r.id}))}}, t('withdraw_req')));
  }));
  tick();
}

// tick redraws the countdown from the speech's clock fields (Go durations
// in nanoseconds; running_since is when the clock last started).
function tick() {
  if (!cur || !ui.countdown) return;
  const sp = currentSpeech();
  if (!sp) { ui.countdown.textContent = ''; ui.countdown.className = 'countdown'; return; }
  const now = cur.src ? cur.src.now() : Date.now();
  const running = !sp.paused && sp.running_since && !sp.running_since.startsWith('0001-');
  let elapsed = (sp.elapsed || 0) / NS;
  const k = cur.src && cur.src.speech(now); // the domain's own clock (wasm)
  if (k && typeof k.elapsed_ms === 'number') elapsed = k.elapsed_ms;
  else if (running) elapsed += Math.max(0, now - Date.parse(sp.running_since));
  const limit = (sp.limit || 0) / NS;
  if (limit > 0) {
    const left = limit - elapsed;
    ui.countdown.textContent = (left >= 0 ? t('time_left') + ' ' : t('overtime') + ' ') + fmtClock(left >= 0 ? left : left);
    ui.countdown.className = 'countdown' + (left < 0 ? ' over' : left < 30000 ? ' low' : '') + (running ? '' : ' paused');
  } else {
    ui.countdown.textContent = t('elapsed') + ' ' + fmtClock(elapsed);
    ui.countdown.className = 'countdown' + (running ? '' : ' paused');
  }
  ui.countdown.dataset.running = String(!!running);
}
setInterval(tick, 250);

// ---- attendance --------------------------------------------------------------

function entitled(p) { return (p.role === 'chair' || p.role === 'secretary' || p.role === 'delegate') && !p.non_voting; }
function isIn(a) {
  return a && (a.status === 'present' || a.status === 'remote') && (!a.checked_out || a.checked_out.startsWith('0001-')) && (a.visits || []).length > 0;
}

// quorumOf is meeting.QuorumOf (server/meeting/attendance.go) on the state,
// for the REST fallback only; live, the kernel computes it.
function quorumOf(s) {
  const q = {entitled: 0, present: 0, excused: 0, absent: 0, left: 0, not_recorded: 0};
  const att = s.attendance || {};
  for (const p of s.participants || []) {
    if (!entitled(p)) continue;
    q.entitled++;
    const a = att[p.id];
    if (a && isIn(a)) q.present++;
    else if (!a) q.not_recorded++;
    else if (a.status === 'excused') q.excused++;
    else if (a.status === 'absent') q.absent++;
    else q.left++;
  }
  const rule = (s.settings && s.settings.quorum) || {num: 2, den: 3, at_least: true, base: 'entitled'};
  q.base = q.entitled - (rule.base === 'summoned' ? q.excused : 0);
  const num = rule.num || 2, den = rule.den || 3;
  q.required = rule.at_least ? Math.ceil(num * q.base / den) : Math.floor(num * q.base / den) + 1;
  q.met = q.base > 0 && (rule.at_least ? q.present * den >= num * q.base : q.present * den > num * q.base);
  q.rule = rule;
  return q;
}

function buildAttendance() {
  const err = errBox('attendance-error');
  ui.attErr = err;
  ui.quorum = h('div', {class: 'quorum', testid: 'quorum-summary', 'aria-live': 'polite'});
  ui.attList = h('ul', {class: 'rows compact scroll', testid: 'attendance-list'});
  // Everyone not yet in, 16 commands in flight at a time; the first refusal
  // stops the rest and is shown.
  // One command: the server marks present only those with no record yet,
  // so an excused absence keeps its reason (issue 13).
  const all = btn('mark_all_present', 'attendance-mark-all-present', (ev) => act(ev.currentTarget, err,
    () => command('attendance.mark_all_present', {})), 'small');
  return h('div', {class: 'card'}, h('h3', {t: 'attendance_heading'}), ui.quorum, h('div', {class: 'btn-row'}, all), err, ui.attList);
}

function renderAttendance() {
  const s = st();
  const q = (cur.src && cur.src.quorum()) || quorumOf(s);
  const rule = q.rule || (s.settings && s.settings.quorum) || {num: 2, den: 3, at_least: true, base: 'entitled'};
  ui.quorum.replaceChildren(
    h('span', {class: 'big-num'}, t('present_of', q.present, q.entitled)),
    h('span', {class: 'badge ' + (q.met ? 'ok-badge' : 'warn-badge'), testid: 'quorum-state', 'data-met': String(q.met)}, q.met ? t('quorum_met') : t('quorum_not', q.required)),
    h('span', {class: 'muted'}, [q.excused ? t('excused_n', q.excused) : '', q.absent ? t('absent_n', q.absent) : ''].filter(Boolean).join(' · ')),
    h('span', {class: 'quorum-rule', testid: 'quorum-rule', 'data-num': rule.num, 'data-den': rule.den, 'data-at-least': String(!!rule.at_least), 'data-base': rule.base || 'entitled'},
      t('quorum_rule_line', quorumRuleText(rule), q.required)));
  const att = s.attendance || {};
  if (unchanged('attendance', s.participants, att)) return;
  const people = (s.participants || []).filter((p) => p.role !== 'hall');
  keyed(ui.attList, people, (p) => p.id, (p) => [p.name, p.role, p.non_voting, att[p.id] || null, isIn(att[p.id])], (p) => {
    const a = att[p.id];
    const status = !a ? 'none' : (a.status === 'present' || a.status === 'remote') && !isIn(a) ? 'left' : a.status;
    const reason = h('input', {type: 'text', testid: 'attendance-reason', 'data-key': 'reason-' + p.id, tp: 'reason', 'aria-label': t('reason') + ' — ' + p.name, class: 'reason'});
    const mark = (stt) => (ev) => act(ev.currentTarget, ui.attErr, () => command('attendance.mark', Object.assign({participant: p.id, status: stt}, stt === 'present' ? {} : (reason.value.trim() ? {reason: reason.value.trim()} : {}))));
    return h('li', {class: 'row', testid: 'attendance-row', 'data-id': p.id, 'data-status': status},
      h('div', {class: 'grow'}, h('span', {class: 'strong'}, p.name), entitled(p) ? null : h('span', {class: 'muted'}, ' (' + t('role_' + p.role) + ')')),
      h('span', {class: 'badge att-' + status, testid: 'attendance-status'}, t('a_' + status) + (a && a.late ? ' · ' + t('a_late') : '') + (a && a.reason ? ' — ' + a.reason : '')),
      h('div', {class: 'att-actions'}, reason,
        h('button', {type: 'button', class: 'btn small', testid: 'attendance-present', 'aria-label': t('mark_present') + ' — ' + p.name, on: {click: mark('present')}}, t('mark_present')),
        h('button', {type: 'button', class: 'btn small', testid: 'attendance-absent', 'aria-label': t('mark_absent') + ' — ' + p.name, on: {click: mark('absent')}}, t('mark_absent')),
        h('button', {type: 'button', class: 'btn small', testid: 'attendance-excused', 'aria-label': t('mark_excused') + ' — ' + p.name, on: {click: mark('excused')}}, t('mark_excused'))));
  }, h('li', {class: 'empty', t: 'participants_empty'}));
}

// ---- polls -------------------------------------------------------------------

const THRESHOLDS = {
  gt_1_2: {num: 1, den: 2},
  ge_1_2: {num: 1, den: 2, at_least: true},
  ge_2_3: {num: 2, den: 3, at_least: true},
  ge_3_4: {num: 3, den: 4, at_least: true},
};

function parseNames(text) {
  return text.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => {
    const [name, born] = l.split(';').map((x) => x.trim());
    return born ? {name, born} : {name};
  });
}

function buildPolls() {
  const f = {
    question: h('input', {type: 'text', testid: 'poll-question', required: true, maxlength: 500}),
    kind: h('select', {testid: 'poll-kind'}),
    item: h('select', {testid: 'poll-item'}),
    candidates: h('textarea', {testid: 'poll-candidates', rows: 4}),
    seats: h('input', {type: 'number', min: 1, value: 1, testid: 'poll-seats'}),
    scale: h('select', {testid: 'poll-scale'}),
    subjects: h('textarea', {testid: 'poll-subjects', rows: 4}),
    base: h('select', {testid: 'poll-base'}),
    threshold: h('select', {testid: 'poll-threshold'}),
    // Party rules say "more than 1/2" (quá 1/2): "at least 1/2" is flagged
    // in a meeting under Party rules (settings.layout, party by default).
    thresholdWarn: h('p', {class: 'muted', testid: 'poll-threshold-warning', role: 'status', hidden: true}),
    paper: h('input', {type: 'checkbox', testid: 'poll-paper'}), // docs/paper.md: cast on paper, keyed at /count
    // An election list the rules do not cap (docs/rules.md §4): poll.create
    // {uncapped: true}, said in the minutes; the help says when.
    uncapped: h('input', {type: 'checkbox', testid: 'poll-uncapped'}),
    uncappedHelp: h('p', {class: 'help', testid: 'poll-uncapped-help'}),
    surplusHint: h('p', {class: 'help', testid: 'poll-surplus-hint', 'aria-live': 'polite'}),
  };
  const syncWarn = () => {
    const party = ((st().settings || {}).layout || 'party') === 'party';
    f.thresholdWarn.hidden = !(party && f.threshold.value === 'ge_1_2');
    f.thresholdWarn.textContent = t('warn_party_half');
  };
  f.threshold.addEventListener('change', syncWarn);
  ui.pollForm = f;
  const fCand = field('candidates', f.candidates, 'span2');
  const fSeats = field('seats', f.seats);
  const fScale = field('scale', f.scale);
  const fSubj = field('subjects', f.subjects, 'span2');
  const fPaper = field('poll_paper', f.paper);
  const fUncapped = h('div', {class: 'span-all'}, h('div', {class: 'field check'}, f.uncapped, h('label', {for: f.uncapped.id = 'f' + (++uid), t: 'uncapped'})),
    f.uncappedHelp, f.surplusHint);
  const syncKind = () => {
    const k = f.kind.value;
    fPaper.hidden = k === 'open';
    fCand.hidden = fSeats.hidden = fUncapped.hidden = k !== 'election';
    fScale.hidden = fSubj.hidden = k !== 'rating';
    syncSurplus();
  };
  // syncSurplus says how long the list may be, as the server will check it
  // (meeting.MaxSurplus: seats·cap/100 rounded down, at least one more).
  const syncSurplus = () => {
    const cap = ((st().settings || {}).polls || {}).surplus_cap || 30;
    f.uncappedHelp.textContent = t('uncapped_help', cap);
    const seats = parseInt(f.seats.value, 10) || 0;
    f.surplusHint.textContent = seats > 0 && !f.uncapped.checked ? t('surplus_hint', seats, seats + Math.max(1, Math.floor(cap * seats / 100))) : '';
  };
  f.seats.addEventListener('input', syncSurplus);
  f.uncapped.addEventListener('change', syncSurplus);
  f.kind.addEventListener('change', syncKind);
  f.item.addEventListener('change', () => { f.item.dataset.touched = 'true'; });
  ui.syncPollKind = syncKind;
  const err = errBox('poll-create-error');
  const submit = h('button', {type: 'submit', class: 'btn primary', testid: 'poll-create-submit', t: 'create_poll'});
  const form = h('form', {class: 'subcard', testid: 'poll-create-form', on: {submit: async (ev) => {
    ev.preventDefault();
    const spec = {question: f.question.value, kind: f.kind.value};
    if (f.item.value) spec.item = f.item.value;
    if (f.kind.value === 'election') {
      spec.candidates = parseNames(f.candidates.value);
      spec.seats = parseInt(f.seats.value, 10) || 0;
      if (f.uncapped.checked) spec.uncapped = true;
    }
    if (f.kind.value === 'rating') { spec.subjects = parseNames(f.subjects.value); spec.scale = f.scale.value; }
    if (f.base.value) spec.base = f.base.value;
    if (f.paper.checked && f.kind.value !== 'open') spec.paper = true;
    spec.threshold = THRESHOLDS[f.threshold.value] || THRESHOLDS.gt_1_2;
    const ok = await act(submit, err, () => command('poll.create', spec));
    if (ok) { f.question.value = ''; f.candidates.value = ''; f.subjects.value = ''; f.uncapped.checked = false; syncSurplus(); }
  }}}, h('h4', {t: 'poll_new'}),
  h('div', {class: 'grid3'}, field('question', f.question, 'span2'), field('poll_kind', f.kind), field('doc_item', f.item), fSeats, fScale, field('base', f.base), field('threshold', f.threshold), fPaper, fCand, fSubj,
    fUncapped),
  f.thresholdWarn, err, submit);
  ui.pollList = h('ul', {class: 'rows', testid: 'poll-list'});
  // First fill so the kind-dependent fields start right.
  fillSelect(f.kind, ['open', 'secret', 'election', 'rating'].map((k) => ({value: k, label: t('pk_' + k)})));
  syncKind();
  return h('div', {class: 'card'}, h('h3', {t: 'polls_heading'}), ui.pollList, form);
}

function renderPolls() {
  const f = ui.pollForm;
  fillSelect(f.kind, ['open', 'secret', 'election', 'rating'].map((k) => ({value: k, label: t('pk_' + k)})));
  fillSelect(f.item, itemOptions(true));
  if (!f.item.dataset.touched && st().current) f.item.value = st().current; // follows the current item until chosen
  fillSelect(f.scale, ['review', 'confidence'].map((k) => ({value: k, label: t('sc_' + k)})));
  fillSelect(f.base, ['', 'summoned', 'present', 'cast', 'valid'].map((k) => ({value: k, label: t(k ? 'b_' + k : 'b_default')})));
  fillSelect(f.threshold, Object.keys(THRESHOLDS).map((k) => ({value: k, label: t('th_' + k)})));
  ui.syncPollKind();
  const polls = st().polls || [];
  if (!polls.length) { replaceKeeping(ui.pollList, [h('li', {class: 'empty', t: 'polls_empty'})]); return; }
  replaceKeeping(ui.pollList, [...polls].reverse().map(renderPoll));
}

function renderPoll(p) {
  // A poll's row is redrawn on every vote: its last error is kept apart, so
  // a refusal stays on screen through unrelated redraws, until the next
  // action on that poll or until what it was about changes (the poll's
  // status, or the quorum: "not enough present" is stale once people come).
  const err = errBox('poll-error');
  ui.pollErrs = ui.pollErrs || new Map();
  const situation = () => {
    const q = (cur && cur.src && cur.src.quorum()) || quorumOf(st());
    return [p.status, q.present, q.entitled, q.required, q.met].join('|');
  };
  const kept = ui.pollErrs.get(p.id);
  if (kept && kept.situation === situation()) showErr(err, kept.err);
  else if (kept) ui.pollErrs.delete(p.id);
  const run = (name, data) => async (ev) => {
    ui.pollErrs.delete(p.id);
    const ok = await act(ev.currentTarget, err, () => command(name, data()));
    if (!ok) ui.pollErrs.set(p.id, {err: err._err, situation: situation()});
    const row = $(`[data-testid="poll-row"][data-id="${CSS.escape(p.id)}"]`);
    const box = row && tid('poll-error', row);
    if (box && box !== err) showErr(box, ok ? null : err._err);
  };
  const eligible = (p.eligible || []).length;
  const kids = [];
  const override = h('input', {type: 'checkbox', testid: 'poll-override-quorum', 'data-key': 'override-' + p.id, id: 'ovr-' + p.id});
  const reason = h('input', {type: 'text', testid: 'poll-cancel-reason', 'data-key': 'creason-' + p.id, tp: 'cancel_reason', 'aria-label': t('cancel_reason'), class: 'reason'});
  const controls = h('div', {class: 'btn-row'});
  if (p.status === 'draft') {
    controls.append(h('button', {type: 'button', class: 'btn primary', testid: 'poll-open', on: {click: run('poll.open', () => (override.checked ? {id: p.id, override_quorum: true} : {id: p.id}))}}, t('open_poll')),
      h('span', {class: 'check'}, override, h('label', {for: override.id}, t('override_quorum'))));
  }
  if (p.status === 'open') {
    controls.append(h('button', {type: 'button', class: 'btn primary', testid: 'poll-close', on: {click: confirming(() => ({action: 'poll.close', title: t('cf_poll_close', p.question),
      message: t('cf_poll_close_msg', livePoll(p).voted || 0, (livePoll(p).eligible || []).length), confirm: t('close_poll')}), run('poll.close', () => ({id: p.id})))}}, t('close_poll')));
    // Close, count and publish in one command (poll.close with publish):
    // the tablets get the result at the close, not a second command later.
    controls.append(h('button', {type: 'button', class: 'btn', testid: 'poll-close-publish', on: {click: confirming(() => ({action: 'poll.close', title: t('cf_poll_close_publish', p.question),
      message: t('cf_poll_close_publish_msg', livePoll(p).voted || 0, (livePoll(p).eligible || []).length), confirm: t('close_publish_poll')}), run('poll.close', () => ({id: p.id, publish: true})))}}, t('close_publish_poll')));
  }
  if (p.status === 'closed') {
    controls.append(h('button', {type: 'button', class: 'btn primary', testid: 'poll-publish', on: {click: confirming(() => ({action: 'poll.publish', title: t('cf_publish', p.question),
      message: t('cf_publish_msg'), confirm: t('publish_poll')}), run('poll.publish', () => ({id: p.id})))}}, t('publish_poll')));
  }
  if (p.status === 'draft' || p.status === 'open' || p.status === 'closed') {
    controls.append(reason, h('button', {type: 'button', class: 'btn danger', testid: 'poll-cancel', on: {click: confirming(() => ({action: 'poll.cancel', title: t('cf_poll_cancel', p.question),
      message: t('cf_poll_cancel_msg'), confirm: t('cancel_poll')}), run('poll.cancel', () => ({id: p.id, reason: reason.value})))}}, t('cancel_poll')));
  }
  // A re-vote (poll.revote): a new draft with the same definition, linked
  // to this one; for an election that tied, among the tied candidates.
  if (p.status === 'closed' || p.status === 'published' || p.status === 'cancelled') {
    controls.append(h('button', {type: 'button', class: 'btn', testid: 'poll-revote', 'aria-label': t('revote_of_q', p.question), on: {click: run('poll.revote', () => ({id: p.id}))}}, t('revote')));
  }
  if (p.paper && p.status === 'open') { // the entry stations and the counting (docs/paper.md)
    controls.append(h('a', {class: 'btn', testid: 'poll-paper-count', href: '/count?meeting=' + encodeURIComponent(st().id) + '&poll=' + encodeURIComponent(p.id), target: '_blank'}, t('poll_paper_count')));
  }
  if (controls.childElementCount) kids.push(controls);
  const polls = st().polls || [];
  const link = (testid, key, other) => h('p', {class: 'muted poll-link'}, t(key) + ' ',
    h('button', {type: 'button', class: 'btn small linklike', testid, 'data-target': other.id, on: {click: () => focusPoll(other.id)}}, `${other.question} (${other.id})`));
  const earlier = p.revote_of && polls.find((x) => x.id === p.revote_of);
  if (earlier) kids.push(link('poll-revote-of', 'revote_of_label', earlier));
  for (const later of polls.filter((x) => x.revote_of === p.id)) kids.push(link('poll-revoted-by', 'revoted_by_label', later));
  kids.push(err);
  if (p.status !== 'draft' && p.status !== 'cancelled' || eligible) {
    const pct = eligible ? Math.round(100 * (p.voted || 0) / eligible) : 0;
    kids.push(h('div', {class: 'progress-wrap', testid: 'poll-progress', 'data-voted': p.voted || 0, 'data-eligible': eligible},
      h('span', {}, t('voted_of', p.voted || 0, eligible)),
      h('div', {class: 'bar', role: 'progressbar', 'aria-label': t('voted_of', p.voted || 0, eligible), 'aria-valuemin': 0, 'aria-valuemax': eligible, 'aria-valuenow': p.voted || 0}, h('div', {class: 'fill', style: `width:${pct}%`}))));
  }
  if (p.status === 'open') {
    const nv = h('ul', {class: 'chips', testid: 'poll-not-voted'});
    const cached = ui.notVoted && ui.notVoted[p.id];
    if (cached) fillNotVoted(nv, cached);
    kids.push(h('div', {class: 'not-voted'}, h('span', {class: 'strong'}, t('not_voted') + ': '), nv,
      h('button', {type: 'button', class: 'btn small', testid: 'poll-not-voted-refresh', on: {click: (ev) => act(ev.currentTarget, err, () => loadNotVoted(p.id))}}, t('refresh'))));
    if (!cached || cached.voted !== p.voted) scheduleNotVoted(p.id);
  }
  if (p.status === 'cancelled' && p.cancel_reason) kids.push(h('p', {class: 'muted'}, t('cancel_reason') + ': ' + p.cancel_reason));
  if (p.result) kids.push(renderResult(p));
  return h('li', {class: 'row poll wrap', testid: 'poll-row', 'data-id': p.id, 'data-status': p.status, 'data-revote-of': p.revote_of || undefined, id: 'poll-' + p.id, tabindex: -1},
    h('div', {class: 'poll-head'}, h('span', {class: 'strong poll-q'}, p.question),
      h('span', {class: 'badge'}, t('pk_' + p.kind)),
      p.uncapped ? h('span', {class: 'badge', testid: 'poll-uncapped-badge'}, t('uncapped_badge')) : null,
      p.item ? h('span', {class: 'muted'}, itemTitle(p.item)) : null,
      h('span', {class: 'badge ps-' + p.status, testid: 'poll-status', 'data-status': p.status}, t('ps_' + p.status))),
    ...kids);
}

// livePoll is poll p as the state has it now (its counts move while a
// confirmation is open).
function livePoll(p) { return (st().polls || []).find((x) => x.id === p.id) || p; }

// goToPoll shows the live tab and brings poll id's row into view.
function goToPoll(id) {
  if (!cur) return;
  location.hash = 'm=' + encodeURIComponent(cur.id) + '&tab=live';
  selectTab('live');
  focusPoll(id);
}

// focusPoll brings a poll's row into view and gives it the focus.
function focusPoll(id) {
  const row = document.getElementById('poll-' + id);
  if (!row) return;
  row.scrollIntoView({block: 'center'});
  row.focus();
}

// scheduleNotVoted refreshes a poll's not-voted list after votes came in,
// at most once a second per poll (a vote of 1,600 is not 1,600 requests).
const notVotedTimers = new Map();
function scheduleNotVoted(pollID) {
  if (notVotedTimers.has(pollID)) return;
  const last = (ui.notVotedAt && ui.notVotedAt[pollID]) || 0;
  const wait = Math.max(0, 1000 - (Date.now() - last));
  notVotedTimers.set(pollID, setTimeout(() => {
    notVotedTimers.delete(pollID);
    if (!cur) return;
    const p = (st().polls || []).find((x) => x.id === pollID);
    if (!p || p.status !== 'open') return;
    loadNotVoted(pollID).catch(() => {});
  }, wait));
}

async function loadNotVoted(pollID) {
  ui.notVotedAt = ui.notVotedAt || {};
  ui.notVotedAt[pollID] = Date.now();
  const res = await api.get(meetingPath(cur.id, '/polls/' + encodeURIComponent(pollID) + '/not-voted'));
  ui.notVoted = ui.notVoted || {};
  const p = (st().polls || []).find((x) => x.id === pollID) || {};
  ui.notVoted[pollID] = {list: res.not_voted || [], voted: p.voted};
  const row = $(`[data-testid="poll-row"][data-id="${CSS.escape(pollID)}"]`);
  const nv = row && tid('poll-not-voted', row);
  if (nv) fillNotVoted(nv, ui.notVoted[pollID]);
}

// fillNotVoted lists who has not voted: every name up to 100, then the
// first 100 and how many more.
function fillNotVoted(ul, cached) {
  if (!cached.list.length) { ul.dataset.count = 0; ul.replaceChildren(h('li', {class: 'muted'}, t('all_voted'))); return; }
  const shown = cached.list.slice(0, 100);
  ul.dataset.count = cached.list.length;
  const more = cached.list.length - shown.length;
  // replaceChildren writes a null as the text "null": only nodes go in.
  ul.replaceChildren(...shown.map((p) => h('li', {class: 'chip', 'data-id': p.id}, p.name || p.id)),
    ...(more > 0 ? [h('li', {class: 'muted', testid: 'poll-not-voted-more'}, t('and_more', more))] : []));
}

function renderResult(p) {
  const r = p.result;
  const box = h('div', {class: 'result', testid: 'poll-result', 'data-outcome': r.outcome || ''});
  box.append(h('h5', {t: 'result'}), h('p', {class: 'muted'}, t('r_summary', r) + ' ' + t('base') + ': ' + t('b_' + r.base) + ', ' + t('threshold') + ': ' + thresholdText(r.threshold)));
  if (r.options) {
    box.append(h('table', {class: 'tbl'}, h('tbody', {}, r.options.map((o) => h('tr', {'data-choice': o.choice},
      h('th', {scope: 'row'}, t('ch_' + o.choice)), h('td', {class: 'num-cell'}, String(o.votes)), h('td', {class: 'num-cell'}, fmtPct(o.percent)),
      h('td', {class: 'bar-cell'}, h('div', {class: 'bar'}, h('div', {class: 'fill', style: `width:${Math.min(100, o.percent / 100)}%`}))))))));
    box.append(h('p', {class: 'outcome ' + (r.passed ? 'pass' : 'fail'), testid: 'poll-outcome'}, r.passed ? t('passed') : t('not_passed')));
  }
  if (r.candidates) {
    box.append(h('table', {class: 'tbl'}, h('tbody', {}, r.candidates.map((c) => h('tr', {'data-candidate': c.id, class: c.elected ? 'elected' : ''},
      h('th', {scope: 'row'}, c.name), h('td', {class: 'num-cell'}, String(c.votes)), h('td', {class: 'num-cell'}, fmtPct(c.percent)),
      h('td', {}, c.elected ? h('span', {class: 'badge ok-badge'}, t('elected')) : ''))))));
    if (r.outcome === 'tie') box.append(h('p', {class: 'outcome fail'}, t('tie')));
    if (r.short) box.append(h('p', {class: 'outcome fail'}, t('short_seats', r.short)));
  }
  if (r.subjects) {
    for (const sj of r.subjects) {
      box.append(h('div', {class: 'subject'}, h('strong', {}, sj.name + (sj.level ? ' — ' + t('lv_' + sj.level) : '')),
        h('table', {class: 'tbl'}, h('tbody', {}, (sj.levels || []).map((l) => h('tr', {}, h('th', {scope: 'row'}, t('lv_' + l.level)),
          h('td', {class: 'num-cell'}, String(l.votes)), h('td', {class: 'num-cell'}, fmtPct(l.percent))))))));
    }
  }
  return box;
}

function thresholdText(th) {
  if (!th) return '';
  if (lang === 'en') return (th.at_least ? 'at least ' : 'more than ') + th.num + '/' + th.den;
  return th.at_least ? `từ ${th.num}/${th.den} trở lên` : `trên ${th.num}/${th.den}`;
}

// ---- notices -----------------------------------------------------------------

function buildNotices() {
  const text = h('textarea', {testid: 'notice-text', rows: 2, maxlength: 2000, required: true});
  ui.noticeTo = h('select', {testid: 'notice-to'});
  const err = errBox('notice-error');
  const ok = okBox('notice-result');
  const send = h('button', {type: 'submit', class: 'btn primary', testid: 'notice-send', t: 'send'});
  ui.noticeList = h('ul', {class: 'rows compact scroll', testid: 'notice-list', tabindex: 0, ta: 'notices_heading'});
  const form = h('form', {class: 'stack', on: {submit: async (ev) => {
    ev.preventDefault();
    showOk(ok, null);
    const data = {text: text.value};
    if (ui.noticeTo.value) data.to = ui.noticeTo.value;
    const done = await act(send, err, () => command('notice.send', data));
    if (done) { text.value = ''; showOk(ok, 'notice_sent'); }
  }}}, field('notice_text', text), h('div', {class: 'inline-form'}, field('notice_to', ui.noticeTo, 'grow'), send), err, ok);
  return h('div', {class: 'card'}, h('h3', {t: 'notices_heading'}), form, ui.noticeList);
}

function renderNotices() {
  fillSelect(ui.noticeTo, [{value: '', label: t('to_all')}].concat((st().participants || []).map((p) => ({value: p.id, label: p.name}))));
  const ns = st().notices || [];
  if (unchanged('notices', ns, (st().participants || []).length)) return;
  if (!ns.length) { ui.noticeList.replaceChildren(h('li', {class: 'empty', t: 'notices_empty'})); return; }
  ui.noticeList.replaceChildren(...[...ns].reverse().map((n) => h('li', {class: 'row', testid: 'notice-item', 'data-id': n.id},
    h('div', {class: 'grow'}, h('div', {}, n.text), h('div', {class: 'muted'}, fmtTime(n.at) + (n.to ? ' · ' + t('private_to', partName(n.to)) : ' · ' + t('to_all')))))));
}

// ---- support requests --------------------------------------------------------

function buildSupport() {
  ui.supportErr = errBox('support-error');
  ui.supportList = h('ul', {class: 'rows compact', testid: 'support-list'});
  return h('div', {class: 'card'}, h('h3', {t: 'support_heading'}), ui.supportErr, ui.supportList);
}

function supportItems() {
  const s = st();
  if (Array.isArray(s.support)) return s.support.map((r) => Object.assign({}, r, {resolved: !!r.resolved}));
  return [...cur.support.values()];
}

function renderSupport() {
  if (!cur) return;
  const items = supportItems().sort((a, b) => (a.resolved - b.resolved) || String(b.at || '').localeCompare(String(a.at || '')));
  if (!items.length) { ui.supportList.replaceChildren(h('li', {class: 'empty', t: 'support_empty'})); return; }
  ui.supportList.replaceChildren(...items.map((r) => h('li', {class: 'row' + (r.resolved ? ' resolved' : ' urgent'), testid: 'support-item', 'data-id': r.id, 'data-resolved': String(!!r.resolved)},
    h('div', {class: 'grow'}, h('span', {class: 'strong'}, partName(r.participant || '')), r.message ? ' — ' + r.message : '', h('div', {class: 'muted'}, fmtTime(r.at))),
    r.resolved ? h('span', {class: 'badge', t: 'resolved'}) : h('button', {type: 'button', class: 'btn small primary', testid: 'support-resolve',
      on: {click: (ev) => act(ev.currentTarget, ui.supportErr, () => command('support.resolve', {id: r.id}))}}, t('resolve')))));
}

// ---- presenting a document ---------------------------------------------------

function buildPresent() {
  const err = errBox('present-error');
  ui.presentErr = err;
  ui.presDoc = h('select', {testid: 'present-doc'});
  ui.presVer = h('select', {testid: 'present-version'});
  ui.presPage = h('input', {type: 'number', min: 1, value: 1, testid: 'present-page', class: 'narrow-num'});
  ui.presCurrent = h('div', {class: 'muted', testid: 'present-current', 'aria-live': 'polite'});
  ui.presPreview = h('canvas', {class: 'preview', testid: 'present-preview', hidden: true, 'aria-hidden': 'true'});
  ui.presHallWarn = h('p', {class: 'notice-box', testid: 'present-hall-warning', role: 'status', hidden: true});
  ui.presDoc.addEventListener('change', () => { renderPresent(); ui.presPage.value = 1; previewPage(); });
  ui.presVer.addEventListener('change', previewPage);
  ui.presPage.addEventListener('change', previewPage);
  const send = (page) => act(null, err, async () => {
    if (!ui.presDoc.value) throw localError('Hãy chọn tài liệu.', 'Choose a document.');
    const p = Math.max(1, page);
    ui.presPage.value = p;
    await command('document.present', {document_id: ui.presDoc.value, version: parseInt(ui.presVer.value, 10) || 0, page: p});
    renderPresentCurrent();
    previewPage();
  });
  return h('div', {class: 'card'}, h('h3', {t: 'present_heading'}),
    h('div', {class: 'inline-form'}, field('present_doc', ui.presDoc, 'grow'), field('present_version', ui.presVer), field('present_page', ui.presPage)),
    h('div', {class: 'btn-row'},
      btn('present_send', 'present-send', () => send(parseInt(ui.presPage.value, 10) || 1), 'primary'),
      btn('present_prev', 'present-prev', () => send((parseInt(ui.presPage.value, 10) || 1) - 1)),
      btn('present_next', 'present-next', () => send((parseInt(ui.presPage.value, 10) || 1) + 1)),
      btn('present_stop', 'present-stop', () => act(null, err, async () => { await command('document.present', {document_id: ''}); renderPresentCurrent(); }), 'danger')),
    ui.presHallWarn, err, ui.presCurrent, ui.presPreview);
}

// renderHallWarning warns, before presenting, that the hall screen will not
// show the chosen document (only public documents are for the hall: it then
// shows that a document for the delegates is being presented).
function renderHallWarning() {
  const d = (st().documents || []).find((x) => x.id === ui.presDoc.value);
  const hidden = !!d && d.access !== 'public';
  ui.presHallWarn.hidden = !hidden;
  ui.presHallWarn.textContent = hidden ? t('present_hall_warning', t('acc_short_' + d.access)) : '';
}

function renderPresent() {
  const docs = st().documents || [];
  fillSelect(ui.presDoc, [{value: '', label: t('choose_doc')}].concat(docs.map((d) => ({value: d.id, label: d.title}))));
  const d = docs.find((x) => x.id === ui.presDoc.value);
  const vs = d ? d.versions || [] : [];
  const had = ui.presVer.value;
  fillSelect(ui.presVer, [...vs].reverse().map((v) => ({value: String(v.number), label: t('version_n', v.number)})));
  if (!vs.some((v) => String(v.number) === had) && vs.length) ui.presVer.value = String(vs[vs.length - 1].number);
  renderHallWarning();
  renderPresentCurrent();
}

// presented is the page being presented, or null (nothing once the
// meeting is closed: the screens have moved on).
function presented() {
  const s = st();
  if (s.status === 'closed') return null;
  if (Array.isArray(s.support)) return s.presentation && s.presentation.document_id ? s.presentation : null; // a domain that keeps it
  return cur.presented || null;
}

function renderPresentCurrent() {
  if (!cur) return;
  const p = presented();
  if (!p) { ui.presCurrent.textContent = t('not_presenting'); ui.presCurrent.dataset.doc = ''; return; }
  const d = (st().documents || []).find((x) => x.id === p.document_id);
  ui.presCurrent.textContent = t('presenting', d ? d.title : p.document_id, p.version || '', p.page || 1) + (d && d.access !== 'public' ? ' ' + t('not_on_hall') : '');
  ui.presCurrent.dataset.doc = p.document_id;
  ui.presCurrent.dataset.page = p.page || 1;
}

// previewPage draws the chosen page with pdf.js when it is vendored
// (assets/vendor/pdfjs); without it there is no preview.
let pdfjs = null;
let pdfjsTried = false;
let previewBusy = false;
let previewAgain = false;
// previewPage draws one page at a time (pdf.js refuses two renders on one
// canvas); a request during a render redraws once it is done.
async function previewPage() {
  if (previewBusy) { previewAgain = true; return; }
  previewBusy = true;
  try {
    await drawPreview();
  } finally {
    previewBusy = false;
    if (previewAgain) { previewAgain = false; previewPage(); }
  }
}

async function drawPreview() {
  const d = (st().documents || []).find((x) => x.id === ui.presDoc.value);
  const v = d && (d.versions || []).find((x) => String(x.number) === ui.presVer.value);
  if (!v || v.content_type !== 'application/pdf') { ui.presPreview.hidden = true; return; }
  if (!pdfjsTried) {
    pdfjsTried = true;
    for (const p of ['../vendor/pdfjs/pdf.min.mjs', '../vendor/pdfjs/pdf.mjs', '../vendor/pdfjs/build/pdf.min.mjs', '../vendor/pdfjs/build/pdf.mjs']) {
      try {
        pdfjs = await import(p);
        const w = p.replace(/pdf(\.min)?\.mjs$/, 'pdf.worker$1.mjs');
        if (pdfjs.GlobalWorkerOptions) pdfjs.GlobalWorkerOptions.workerSrc = new URL(w, import.meta.url).href;
        break;
      } catch { pdfjs = null; }
    }
  }
  if (!pdfjs) { ui.presPreview.hidden = true; return; }
  try {
    const url = meetingPath(cur.id, '/documents/' + d.id + '/versions/' + v.number + '/content');
    if (!ui.pdfCache || ui.pdfCache.url !== url) ui.pdfCache = {url, doc: await pdfjs.getDocument({url, withCredentials: true}).promise};
    const pdf = ui.pdfCache.doc;
    const n = Math.min(Math.max(1, parseInt(ui.presPage.value, 10) || 1), pdf.numPages);
    const page = await pdf.getPage(n);
    const vp = page.getViewport({scale: 1});
    const scale = 360 / vp.width;
    const view = page.getViewport({scale});
    ui.presPreview.width = view.width;
    ui.presPreview.height = view.height;
    await page.render({canvasContext: ui.presPreview.getContext('2d'), viewport: view}).promise;
    ui.presPreview.hidden = false;
  } catch (err) {
    console.warn('preview', err);
    ui.presPreview.hidden = true;
  }
}

// ---- connected tablets -------------------------------------------------------

function buildConnections() {
  ui.connErr = errBox('connections-error');
  ui.connCount = h('span', {class: 'badge', testid: 'connections-count'});
  // A list that scrolls takes the focus, to be scrolled from the keyboard.
  ui.connList = h('ul', {class: 'rows compact scroll', testid: 'connections-list', tabindex: 0, ta: 'connections_heading'});
  return h('div', {class: 'card'}, h('div', {class: 'queue-head'}, h('h3', {t: 'connections_heading'}), ui.connCount), ui.connErr, ui.connList);
}

async function loadConnections() {
  if (!cur) return;
  const me = cur;
  try {
    const res = await api.get(meetingPath(cur.id, '/connections'));
    if (cur !== me) return;
    me.conns = res.participants || [];
    showErr(ui.connErr, null);
  } catch (err) {
    if (cur !== me) return;
    me.conns = null;
    if (notAvailable(err)) {
      showErr(ui.connErr, new ApiError({kind: 'not_found', message: t('not_available'), message_en: S.not_available.en}, 404));
      clearInterval(me.connTimer);
    } else showErr(ui.connErr, err);
  }
  renderConnections();
}

function renderConnections() {
  if (!cur) return;
  const list = cur.conns;
  if (!list) { ui.connList.replaceChildren(); ui.connCount.textContent = ''; return; }
  ui.connCount.textContent = t('connections_n', list.filter((c) => c.participant).length);
  if (!list.length) { ui.connList.replaceChildren(h('li', {class: 'empty', t: 'connections_empty'})); return; }
  ui.connList.replaceChildren(...list.map((c) => h('li', {class: 'row', testid: 'connection-row', 'data-participant': c.participant || '', 'data-actor': c.actor},
    h('span', {class: 'grow strong'}, c.name || (c.participant ? partName(c.participant) : c.actor)),
    c.role ? h('span', {class: 'badge'}, S['role_' + c.role] ? t('role_' + c.role) : c.role) : null,
    c.sockets > 1 ? h('span', {class: 'badge'}, '×' + c.sockets) : null,
    h('span', {class: 'muted'}, t('connected_since', fmtClockTime(c.connected_at), fmtClockTime(c.last_seen))))));
}

// ---- after the meeting ---------------------------------------------------------

// notAvailable tells a route or command this server does not have (yet)
// from an ordinary error.
function notAvailable(err) {
  if (!err) return false;
  if (err.status === 404 || err.status === 405) return /no such route|not available|method not allowed/i.test(err.en || '') || err.status === 405;
  return err.kind === 'invalid' && /unknown command/i.test(err.en || '');
}

function naError() { return new ApiError({kind: 'not_found', message: S.not_available.vi, message_en: S.not_available.en}, 404); }

function buildMinutes() {
  const err = errBox('minutes-error');
  const ferr = errBox('minutes-finalize-error');
  const cerr = errBox('minutes-correct-error');
  ui.minutesErr = err;
  ui.minItem = h('select', {testid: 'minutes-item'});
  const text = h('textarea', {testid: 'minutes-text', rows: 4});
  ui.minText = text;
  // Choosing an item shows its recorded conclusion, to edit.
  ui.minItem.addEventListener('change', () => { text.value = conclusionOf(ui.minItem.value); });
  const guard = async (fn) => {
    try { await fn(); } catch (e) { throw notAvailable(e) ? naError() : e; }
  };
  const ok = (box) => showOk(box, 'saved');
  const concludeOk = okBox('minutes-result');
  const conclude = btn('conclude', 'minutes-conclude', (ev) => { showOk(concludeOk, null); act(ev.currentTarget, err, () => guard(async () => {
    await command('minutes.conclude', {item_id: ui.minItem.value, text: text.value});
    ok(concludeOk);
  })); }, 'primary');
  const number = h('input', {type: 'text', testid: 'minutes-number', placeholder: '01-BB/ĐU'});
  const layout = h('select', {testid: 'minutes-layout'}, h('option', {value: 'party', t: 'layout_party'}), h('option', {value: 'state', t: 'layout_state'}));
  // The layout follows the meeting's setting (settings-layout) until the
  // secretary chooses another for this finalisation.
  ui.minLayout = layout;
  layout.addEventListener('change', () => { layout.dataset.touched = 'true'; });
  const placeDate = h('input', {type: 'text', testid: 'minutes-place-date', tp: 'place_date_ph'});
  const superior = h('input', {type: 'text', testid: 'minutes-superior', tp: 'superior_ph'});
  const finalizeOk = okBox('minutes-finalize-result');
  const finalize = btn('finalize', 'minutes-finalize', confirming(() => ({action: 'minutes.finalize', title: t('cf_finalize'), message: t('cf_finalize_msg'), confirm: t('finalize')}), (ev) => { showOk(finalizeOk, null); act(ev.currentTarget, ferr, () => guard(async () => {
    const d = {number: number.value, layout: layout.value};
    if (placeDate.value.trim()) d.place_date = placeDate.value.trim();
    if (superior.value.trim()) d.superior = superior.value.trim();
    await command('minutes.finalize', d);
    ok(finalizeOk);
  })); }), 'primary');
  const ctext = h('textarea', {testid: 'minutes-correct-text', rows: 2});
  const creason = h('input', {type: 'text', testid: 'minutes-correct-reason'});
  const correctOk = okBox('minutes-correct-result');
  const correct = btn('correct', 'minutes-correct', confirming(() => ({action: 'minutes.correct', title: t('cf_correct'), message: t('cf_correct_msg'), confirm: t('correct')}), (ev) => { showOk(correctOk, null); act(ev.currentTarget, cerr, () => guard(async () => {
    await command('minutes.correct', {text: ctext.value, reason: creason.value});
    ctext.value = ''; creason.value = '';
    ok(correctOk);
  })); }));
  ui.minutesOk = concludeOk;
  ui.minLang = h('select', {testid: 'minutes-lang'}, h('option', {value: 'vi'}, 'Tiếng Việt'), h('option', {value: 'en'}, 'English'));
  ui.minLinks = {};
  const links = h('div', {class: 'btn-row'}, ['html', 'pdf', 'json'].map((f) => {
    ui.minLinks[f] = h('a', {class: 'btn secondary', testid: 'minutes-preview-' + f, target: '_blank', rel: 'noopener'}, f.toUpperCase());
    return ui.minLinks[f];
  }));
  ui.minLang.addEventListener('change', renderMinutesLinks);
  ui.minAvail = h('div', {class: 'notice-box', testid: 'minutes-availability', hidden: true, role: 'status'});
  ui.minStatus = h('div', {class: 'muted', testid: 'minutes-status', 'aria-live': 'polite'});
  ui.minConclusions = h('ul', {class: 'rows compact', testid: 'minutes-conclusions'});
  ui.minCorrections = h('ul', {class: 'rows compact', testid: 'minutes-corrections'});
  return h('div', {class: 'card'}, h('h3', {t: 'minutes_heading'}), ui.minAvail, ui.minStatus,
    h('div', {class: 'subcard'}, h('h4', {t: 'conclusions_heading'}), ui.minConclusions,
      field('conclusion_for', ui.minItem), field('conclusion', text), err, concludeOk, conclude),
    h('div', {class: 'subcard'}, h('h4', {t: 'finalize_heading'}),
      h('div', {class: 'grid2'}, field('minutes_number', number), field('layout', layout), field('place_date', placeDate), field('superior', superior)),
      ferr, finalizeOk, finalize),
    h('div', {class: 'subcard'}, h('h4', {t: 'correct_heading'}), ui.minCorrections, field('correct_text', ctext), field('reason', creason), cerr, correctOk, correct),
    h('div', {class: 'subcard'}, h('h4', {t: 'preview_heading'}), h('div', {class: 'inline-form'}, field('preview_lang', ui.minLang), links)));
}

// conclusionOf is the recorded conclusion of item ("" the meeting's).
function conclusionOf(item) {
  const m = st().minutes || {};
  const c = (m.conclusions || []).find((x) => (x.item || '') === item);
  return c ? c.text : '';
}

function renderMinutesSelects() {
  if (!ui.minLayout.dataset.touched) ui.minLayout.value = (st().settings || {}).layout || 'party';
  fillSelect(ui.minItem, [{value: '', label: t('whole_meeting')}].concat((st().agenda || []).map((it) => ({value: it.id, label: it.title}))));
  renderMinutesLinks();
  const m = st().minutes || {};
  ui.minStatus.textContent = m.revision ? t('minutes_final', m.revision, m.number || '', m.layout ? t('layout_' + m.layout) : '') : t('minutes_draft');
  ui.minStatus.dataset.revision = m.revision || 0;
  const cs = m.conclusions || [];
  ui.minConclusions.replaceChildren(...(cs.length ? cs.map((c) => h('li', {class: 'row', testid: 'conclusion-row', 'data-item': c.item || ''},
    h('span', {class: 'strong'}, (c.item ? itemTitle(c.item) : t('whole_meeting')) + ': '), h('span', {class: 'grow'}, c.text))) : [h('li', {class: 'empty', t: 'conclusions_empty'})]));
  const cr = m.corrections || [];
  ui.minCorrections.replaceChildren(...cr.map((c) => h('li', {class: 'row', testid: 'correction-row', 'data-revision': c.revision},
    h('span', {class: 'strong'}, t('revision_n', c.revision) + ': '), h('span', {class: 'grow'}, c.text + (c.reason ? ' — ' + t('reason') + ': ' + c.reason : '')))));
}

function renderMinutesLinks() {
  if (!cur) return;
  for (const f of ['html', 'pdf', 'json']) ui.minLinks[f].href = meetingPath(cur.id, `/minutes?format=${f}&lang=${ui.minLang.value}`);
}

async function checkMinutes() {
  const me = cur;
  let missing = false;
  try {
    await api.get(meetingPath(cur.id, '/minutes?format=json&lang=vi'));
  } catch (err) {
    missing = notAvailable(err);
  }
  if (cur !== me) return;
  ui.minAvail.hidden = !missing;
  ui.minAvail.dataset.t = 'not_available';
  ui.minAvail.textContent = t('not_available');
}

function buildArchive() {
  const q = h('input', {type: 'search', testid: 'archive-q'});
  const from = h('input', {type: 'text', testid: 'archive-from', inputmode: 'numeric', autocomplete: 'off', maxlength: 10, tp: 'date_ph', class: 'date-input'});
  const to = h('input', {type: 'text', testid: 'archive-to', inputmode: 'numeric', autocomplete: 'off', maxlength: 10, tp: 'date_ph', class: 'date-input'});
  const err = errBox('archive-error');
  const list = h('ul', {class: 'rows', testid: 'archive-list', 'data-reset': 'true'});
  const search = h('button', {type: 'submit', class: 'btn primary', testid: 'archive-search', t: 'search'});
  const form = h('form', {class: 'inline-form', on: {submit: async (ev) => {
    ev.preventDefault();
    await act(search, err, async () => {
      const p = new URLSearchParams();
      if (q.value.trim()) p.set('q', q.value.trim());
      for (const [name, el] of [['from', from], ['to', to]]) {
        if (!el.value.trim()) continue;
        const day = dayParam(el.value);
        if (!day) throw new ApiError({kind: 'invalid', message: S.bad_date.vi, message_en: S.bad_date.en, problems: [{field: 'archive-' + name, message: S.bad_date.vi, message_en: S.bad_date.en}]});
        p.set(name, day);
      }
      let res;
      try { res = await api.get('/api/archives?' + p.toString()); } catch (e) { throw notAvailable(e) ? naError() : e; }
      const rows = Array.isArray(res) ? res : (res.archives || []);
      if (!rows.length) { list.replaceChildren(h('li', {class: 'empty', t: 'archive_empty'})); return; }
      list.replaceChildren(...rows.map((a) => {
        const m = a.meeting && typeof a.meeting === 'object' ? a.meeting : {id: a.meeting, title: a.title, starts_at: a.starts_at};
        const rev = a.revision || 1;
        const zip = a.zip_url || '/api/archives/' + encodeURIComponent(m.id) + '/' + encodeURIComponent(rev) + '/zip';
        return h('li', {class: 'row', testid: 'archive-row', 'data-id': m.id, 'data-revision': rev},
          h('div', {class: 'grow'}, h('span', {class: 'strong'}, m.title || m.id),
            h('div', {class: 'muted'}, [fmtTime(m.starts_at || a.created_at), t('revision_n', rev), a.size ? Math.ceil(a.size / 1024) + ' KB' : '',
              a.key_fingerprint ? t('key_fp') + ' ' + String(a.key_fingerprint).slice(0, 16) : ''].filter(Boolean).join(' · '))),
          h('a', {class: 'btn small', testid: 'archive-download', href: zip, download: ''}, t('download_zip')));
      }));
    });
  }}}, field('archive_q', q, 'grow'), field('date_from', from), field('date_to', to), search);
  return h('div', {class: 'card'}, h('h3', {t: 'archive_heading'}), form, err, list);
}

boot();
