// tablet-floor.js — the congress floor on the delegate's tablet
// (docs/congress.md): opinions on the drafts (typed and sent from an
// outbox that survives the network going away), the delegate's discussion
// group (tổ) whose sitting the tablet follows while it sits, and written
// contributions (tham luận). tablet.js calls:
//
//   initFloor({me, live, kernel, render, setTab, openDoc, docUrl})
//   floorTabs(st)          → [[id, label, badge], …] the floor's tabs for this delegate
//   floorSection(tab, st)  → the tab's section, or null for another tab
//   floorBanners(st, tab)  → banners (the tổ sitting, opinions waiting to be sent)
//   floorState(st)         after every render: follows the tổ's sitting
//   floorStatus(status)    the congress connection's status (flushes the outbox online)
//
// data-testid contract:
//   drafts:   drafts-none, draft-pick (select), draft-<doc> (section; data-open),
//             draft-deadline, draft-offline, draft-rollup (readers: rollup-docx,
//             rollup-pdf, rollup-docx-delegation), section-<sec> (article; data-section,
//             "whole" for the whole draft; data-mine = kind given, data-state =
//             sent|pending|sending|refused|edited|''), inside it: section-counts,
//             section-read, section-text, kind-agree, kind-disagree, kind-partial
//             (aria-pressed), opinion-text, opinion-chars, opinion-send,
//             opinion-withdraw, opinion-status, opinion-error, section-flagged
//   group:    group-none, group-info, group-sitting (data-meeting, data-status),
//             group-checkin, group-checked-in, group-speaker, group-clock,
//             group-queue (li data-participant), group-request, group-withdraw,
//             group-position, group-give-next, group-give-<request id>, group-end,
//             group-notes (form: note-text, note-draft, note-section, note-speaker,
//             note-save), group-notes-list (li data-id), group-report, group-banner,
//             group-banner-go
//   contrib:  contrib-mine (li data-id data-status), contrib-none, contrib-form,
//             contrib-title, contrib-file, contrib-submit, contrib-error,
//             contrib-withdraw-<id>, contrib-all (presidium: li data-id),
//             contrib-schedule-<id>
import { t, lang } from './i18n.js';
import { h, fmtClock, participantName, toast } from './ui.js';
import { Live } from './live.js';
import { errorText, ApiError } from './api.js';
import { fmtDateTime, fmtTime } from './time.js';
import { OpinionOutbox } from './opinion-outbox.js';
import './floor-strings.js';

const MAX_TEXT = 5000;
const KINDS = ['agree', 'disagree', 'partial'];

let ctx = null;
let box = null;
const fl = {
  draft: '',          // the draft shown
  open: {},           // "doc/sec" → the section's text is shown
  texts: {},          // "doc@version" → {state: 'loading'|'ok'|'error', bySection: {id: text}}
  editors: new Map(), // "doc/sec" → the section's editor elements (kept across renders)
  glive: null,        // the tổ sitting's live connection
  gmeeting: '',       // its meeting
  sitting: '',        // the congress's record of the sitting followed
  group: null,        // the delegate's group (from the congress)
  clock: 0,
  contribError: '',
  notes: null,        // the thư ký's notes form (notesCard)
  dirty: false,       // the drafts tab must be drawn again at once (renderDrafts)
  draftsRoot: null, draftsKey: '', draftsAt: 0, draftsTimer: 0,
};

export function initFloor(c) {
  ctx = c;
  box = new OpinionOutbox({
    meeting: c.me.meeting,
    participant: c.me.participant,
    send: (item) => c.live.command('opinion.give', item),
    onChange: () => { fl.dirty = true; c.render(); },
  });
  fl.clock = setInterval(tickGroupClock, 250);
}

export function floorStatus(s) {
  if (s === 'online' && box) box.flush();
}

const floorOf = (st) => st.floor || {};
const drafts = (st) => floorOf(st).drafts || [];
const canGive = () => ['delegate', 'chair', 'secretary'].includes(ctx.me.role);
const myGroup = (st) => (floorOf(st).groups || []).find((g) => (g.members || []).includes(ctx.me.participant)) || null;
const inPresidium = (st) => {
  const b = (st.bodies || []).find((x) => x.kind === 'presidium');
  return !!(b && (b.members || []).some((m) => m.participant === ctx.me.participant));
};
const docOf = (st, id) => st.documents.find((d) => d.id === id);
const draftTitle = (st, d) => (docOf(st, d.document) || {}).title || d.document;
const isOpen = (d) => Date.parse(d.deadline) > (ctx.live.serverNow ? ctx.live.serverNow() : Date.now());

export function floorTabs(st) {
  const tabs = [];
  if (drafts(st).length && canGive()) tabs.push(['drafts', t('nav.drafts'), box ? box.count() : 0]);
  const g = myGroup(st);
  if (g) tabs.push(['group', t('nav.group'), g.sitting ? '●' : 0]);
  if (canGive()) tabs.push(['contrib', t('nav.contrib'), 0]);
  return tabs;
}

export function floorBanners(st, tab) {
  const out = [];
  const g = myGroup(st);
  if (g && g.sitting && tab !== 'group') {
    out.push(h('div', { class: 'banner banner-warn row', testid: 'group-banner', role: 'status' },
      h('span', { class: 'grow' }, t('group.banner', { name: g.name })),
      h('button', { type: 'button', class: 'btn btn-primary', testid: 'group-banner-go', onclick: () => ctx.setTab('group') }, t('group.banner_go'))));
  }
  return out;
}

// floorState follows the tổ's sitting: when the delegate's tổ begins
// sitting the tablet connects to the sitting and shows it; when it rises the
// connection stops (the last state stays on screen).
export function floorState(st) {
  const g = myGroup(st);
  fl.group = g;
  const sitting = (g && g.sitting) || '';
  if (sitting && sitting !== fl.gmeeting) {
    if (fl.glive) fl.glive.stop();
    fl.gmeeting = sitting;
    const kernel = ctx.kernel.fork();
    fl.glive = new Live({ meeting: sitting, kernel, onChange: () => ctx.render(), onStatus: () => ctx.render() });
    fl.glive.start();
    globalThis.phonghop = Object.assign(globalThis.phonghop || {}, { group: fl.glive });
    ctx.setTab('group'); // the tablet follows the tổ
  } else if (!sitting && fl.sitting && fl.glive) {
    fl.glive.stop();
  }
  fl.sitting = sitting;
}

export function floorSection(tab, st) {
  switch (tab) {
    case 'drafts': return renderDrafts(st);
    case 'group': return renderGroup(st);
    case 'contrib': return renderContrib(st);
  }
  return null;
}

// ---- drafts and opinions ----------------------------------------------------

function counts(c) {
  c = c || {};
  return t('drafts.counts', { agree: c.agree || 0, disagree: c.disagree || 0, partial: c.partial || 0 });
}

function sectionTexts(st, d) {
  const key = d.document + '@' + d.version;
  const cached = fl.texts[key];
  if (cached) return cached;
  const doc = docOf(st, d.document);
  const v = doc && doc.versions.find((x) => x.number === d.version);
  if (!v || v.content_type !== 'application/vnd.openxmlformats-officedocument.wordprocessingml.document') {
    fl.texts[key] = { state: 'ok', bySection: {} };
    return fl.texts[key];
  }
  fl.texts[key] = { state: 'loading', bySection: {} };
  fetch(`/api/meetings/${encodeURIComponent(ctx.me.meeting)}/documents/${encodeURIComponent(d.document)}/outline?version=${d.version}`, { credentials: 'same-origin' })
    .then((r) => (r.ok ? r.json() : Promise.reject(new Error(String(r.status)))))
    .then((o) => {
      const by = {};
      (o.sections || []).forEach((s, i) => { by[s.id] = (o.headings[i] || {}).text || ''; });
      fl.texts[key] = { state: 'ok', bySection: by };
      fl.dirty = true;
      ctx.render();
    })
    .catch(() => { fl.texts[key] = { state: 'error', bySection: {} }; fl.dirty = true; ctx.render(); });
  return fl.texts[key];
}

// renderDrafts draws the drafts tab. A draft of 200 sections is a few
// thousand elements, and others' opinions change its counts many times a
// second: a redraw for the state alone happens at most once a second (the
// counts are a second late at most); what the delegate does here (fl.dirty),
// the connection's status and the language redraw at once.
function renderDrafts(st) {
  const key = [fl.draft, lang(), ctx.live.status, box.count()].join('|');
  const age = Date.now() - (fl.draftsAt || 0);
  if (fl.draftsRoot && !fl.dirty && key === fl.draftsKey && age < 1000) {
    if (!fl.draftsTimer) fl.draftsTimer = setTimeout(() => { fl.draftsTimer = 0; ctx.render(); }, 1000 - age);
    return fl.draftsRoot;
  }
  fl.dirty = false;
  fl.draftsKey = key;
  fl.draftsAt = Date.now();
  fl.draftsRoot = buildDrafts(st);
  return fl.draftsRoot;
}

function buildDrafts(st) {
  const list = drafts(st);
  if (!list.length) return h('section', null, h('p', { class: 'muted', testid: 'drafts-none' }, t('drafts.none')));
  if (!list.some((d) => d.document === fl.draft)) fl.draft = list[0].document;
  const d = list.find((x) => x.document === fl.draft);
  const open = isOpen(d);
  const texts = sectionTexts(st, d);
  const mine = new Map();
  for (const o of floorOf(st).opinions || []) if (o.participant === ctx.me.participant && o.draft === d.document) mine.set(o.section || '', o);
  const doc = docOf(st, d.document);
  const latest = doc && doc.versions.find((v) => v.number === d.version);
  const isPdf = latest && latest.content_type === 'application/pdf';
  const offline = ctx.live.status !== 'online';
  const readers = (d.readers || []).includes(ctx.me.participant) && !d.anonymous;
  const rollup = (format, by) => `/api/meetings/${encodeURIComponent(ctx.me.meeting)}/drafts/${encodeURIComponent(d.document)}/rollup?format=${format}&by=${by}&lang=${lang()}`;
  return h('section', { 'aria-labelledby': 'drafts-h', testid: 'draft-' + d.document, 'data-open': open ? 'true' : 'false' },
    h('h2', { id: 'drafts-h' }, draftTitle(st, d)),
    list.length > 1 ? h('label', { class: 'row' }, t('drafts.pick'), ' ',
      h('select', { testid: 'draft-pick', onchange: (ev) => { fl.draft = ev.target.value; fl.dirty = true; ctx.render(); } },
        list.map((x) => h('option', { value: x.document, selected: x.document === d.document }, draftTitle(st, x))))) : null,
    h('p', { testid: 'draft-deadline', class: open ? 'banner banner-ok' : 'banner banner-warn' },
      open ? t('drafts.deadline', { time: fmtDateTime(d.deadline) }) : t('drafts.closed', { time: fmtDateTime(d.deadline) }),
      ' · ', t('drafts.version', { n: d.version })),
    d.anonymous ? h('p', { class: 'muted' }, t('drafts.anonymous')) : null,
    offline && open ? h('p', { class: 'banner banner-warn', testid: 'draft-offline', role: 'status' }, t('drafts.offline_note')) : null,
    doc && latest ? h('p', null, isPdf
      ? h('button', { type: 'button', class: 'btn', onclick: () => ctx.openDoc(d.document, d.version, 1) }, t('drafts.open_doc'))
      : h('a', { class: 'btn', href: ctx.docUrl(d.document, d.version), download: latest.name || '' }, t('drafts.open_doc'))) : null,
    readers ? h('div', { class: 'card', testid: 'draft-rollup' },
      h('h3', null, t('drafts.rollup')), h('p', { class: 'muted' }, t('drafts.rollup_help')),
      h('div', { class: 'row' },
        h('a', { class: 'btn', testid: 'rollup-docx', href: rollup('docx', 'group') }, t('drafts.export_docx') + ' (' + t('drafts.by_group') + ')'),
        h('a', { class: 'btn', testid: 'rollup-docx-delegation', href: rollup('docx', 'delegation') }, t('drafts.export_docx') + ' (' + t('drafts.by_delegation') + ')'),
        h('a', { class: 'btn', testid: 'rollup-pdf', href: rollup('pdf', 'group'), target: '_blank', rel: 'noopener' }, t('drafts.export_pdf')))) : null,
    sectionCard(st, d, { id: '', title: t('drafts.whole') }, mine.get(''), open, texts, isPdf),
    (d.sections || []).map((s) => sectionCard(st, d, s, mine.get(s.id), open, texts, isPdf)),
    // Opinions of the delegate on sections a new version dropped.
    [...mine.values()].filter((o) => o.flagged).map((o) => h('article', { class: 'card', testid: 'section-' + o.section, 'data-section': o.section },
      h('p', { testid: 'section-flagged', class: 'muted' }, t('drafts.flagged', { n: o.flagged })),
      h('p', null, h('strong', null, t('opinion.' + o.kind)), o.text ? ': ' + o.text : ''))));
}

// editor returns the section's editor, kept across renders so that typing
// is never interrupted by a redraw (others' opinions arrive all the time).
function editor(d, s) {
  const key = d.document + '/' + s.id;
  let ed = fl.editors.get(key);
  if (ed) return ed;
  ed = { kind: '' };
  ed.text = h('textarea', { testid: 'opinion-text', rows: 3, maxlength: MAX_TEXT * 2, 'aria-label': t('drafts.comment') });
  ed.chars = h('span', { class: 'muted', testid: 'opinion-chars', 'aria-live': 'polite' });
  ed.text.addEventListener('input', () => {
    box.type(d.document, s.id, { kind: ed.kind, text: ed.text.value });
    updateChars(ed);
  });
  ed.buttons = KINDS.map((k) => h('button', { type: 'button', class: 'btn', testid: 'kind-' + k, 'aria-pressed': 'false',
    onclick: () => { ed.kind = k; box.type(d.document, s.id, { kind: k, text: ed.text.value }); fl.dirty = true; ctx.render(); } }, t('opinion.' + k)));
  fl.editors.set(key, ed);
  return ed;
}

function updateChars(ed) {
  const n = [...ed.text.value].length;
  ed.chars.textContent = t('drafts.chars', { n, max: MAX_TEXT });
  ed.chars.classList.toggle('conf', n > MAX_TEXT);
}

function sectionCard(st, d, s, mine, open, texts, isPdf) {
  const ed = editor(d, s);
  const typed = box.typed(d.document, s.id);
  const pending = box.pending(d.document, s.id);
  const sending = box.sending(d.document, s.id);
  const err = box.error(d.document, s.id);
  // What the editor shows: what was typed and not sent, else the opinion given.
  if (document.activeElement !== ed.text) {
    const v = typed ? typed.text : (mine ? mine.text || '' : '');
    if (ed.text.value !== v) ed.text.value = v;
  }
  ed.kind = typed ? typed.kind : (mine ? mine.kind : ed.kind);
  ed.text.disabled = !open;
  ed.text.setAttribute('aria-label', ed.kind === 'disagree' ? t('drafts.reason') : ed.kind === 'partial' ? t('drafts.proposal') : t('drafts.comment'));
  ed.text.placeholder = ed.text.getAttribute('aria-label');
  updateChars(ed);
  KINDS.forEach((k, i) => {
    const b = ed.buttons[i];
    b.textContent = t('opinion.' + k);
    b.setAttribute('aria-pressed', ed.kind === k ? 'true' : 'false');
    b.classList.toggle('btn-primary', ed.kind === k);
    b.disabled = !open;
  });
  let state = '';
  let status = null;
  if (sending) { state = 'sending'; status = t('drafts.sending'); }
  else if (pending) { state = 'pending'; status = t('drafts.pending'); }
  else if (err) { state = 'refused'; status = null; }
  else if (typed && (!mine || typed.kind !== mine.kind || typed.text !== (mine.text || ''))) { state = 'edited'; status = t('drafts.edited'); }
  else if (mine) { state = 'sent'; status = t('drafts.sent', { time: fmtTime(mine.at) }); }
  const key = d.document + '/' + s.id;
  const showText = fl.open[key];
  const text = s.id ? texts.bySection[s.id] : '';
  const count = (d.counts || []).find((c) => (c.section || '') === s.id);
  return h('article', { class: 'card opinion', testid: 'section-' + (s.id || 'whole'), 'data-section': s.id || 'whole', 'data-mine': mine ? mine.kind : '', 'data-state': state },
    h('h3', null, s.label ? s.label + ' ' : '', s.title),
    h('p', { class: 'muted', testid: 'section-counts' }, counts(count)),
    s.id ? h('div', { class: 'row' },
      h('button', { type: 'button', class: 'btn btn-quiet', testid: 'section-read', 'aria-expanded': showText ? 'true' : 'false',
        onclick: () => { fl.open[key] = !showText; fl.dirty = true; ctx.render(); } }, showText ? t('drafts.hide') : t('drafts.read')),
      isPdf && s.page ? h('button', { type: 'button', class: 'btn btn-quiet', onclick: () => ctx.openDoc(d.document, d.version, s.page) }, t('drafts.open_doc')) : null) : null,
    showText ? h('div', { class: 'section-text', testid: 'section-text' },
      texts.state === 'loading' ? t('drafts.text_loading') : texts.state === 'error' ? t('drafts.text_error')
        : text ? text.split('\n').map((p) => h('p', null, p)) : h('p', { class: 'muted' }, t('drafts.text_none'))) : null,
    canGive() ? [
      h('div', { class: 'levels', role: 'group', 'aria-label': t('drafts.kind') }, ed.buttons),
      ed.text, ed.chars,
      h('div', { class: 'row' },
        h('button', { type: 'button', class: 'btn btn-primary', testid: 'opinion-send', disabled: !open, onclick: () => send(d, s, ed) }, t('drafts.send')),
        mine && open ? h('button', { type: 'button', class: 'btn', testid: 'opinion-withdraw', onclick: () => withdraw(d, s) }, t('drafts.withdraw')) : null,
        status ? h('span', { class: 'muted', testid: 'opinion-status', role: 'status' }, status) : null),
      err ? h('p', { class: 'banner banner-bad', testid: 'opinion-error', role: 'alert' },
        t('drafts.refused', { error: lang() === 'en' ? (err.message_en || err.message_vi) : (err.message_vi || err.message_en) })) : null,
    ] : null);
}

function send(d, s, ed) {
  const text = ed.text.value.trim();
  const n = [...text].length;
  const fail = (msg) => toast(msg, { testid: 'toast' });
  if (!ed.kind) return fail(t('drafts.kind'));
  if (ed.kind === 'disagree' && !text) return fail(t('drafts.need_reason'));
  if (ed.kind === 'partial' && !text) return fail(t('drafts.need_text'));
  if (n > MAX_TEXT) return fail(t('drafts.too_long', { n: MAX_TEXT }));
  box.queue(d.document, s.id, ed.kind, text);
  box.flush();
}

async function withdraw(d, s) {
  try {
    await ctx.live.command('opinion.withdraw', { draft: d.document, section: s.id });
    const ed = fl.editors.get(d.document + '/' + s.id);
    if (ed) { ed.kind = ''; ed.text.value = ''; }
    box.type(d.document, s.id, { kind: '', text: '' });
  } catch (e) {
    toast(errorText(e), { testid: 'toast' });
  }
  fl.dirty = true;
  ctx.render();
}

// ---- the tổ ------------------------------------------------------------------

function renderGroup(st) {
  const g = myGroup(st);
  if (!g) return h('section', null, h('p', { class: 'muted', testid: 'group-none' }, t('group.none')));
  const name = (id) => participantName(st, id);
  const info = h('div', { class: 'card', testid: 'group-info' },
    h('h2', null, g.name),
    h('p', null, t('group.leader') + ': ' + name(g.leader) + (g.deputy ? ' · ' + t('group.deputy') + ': ' + name(g.deputy) : '') + ' · ' + t('group.secretary') + ': ' + name(g.secretary)),
    h('p', { class: 'muted' }, t('group.members', { n: (g.members || []).length })));
  const gl = fl.glive;
  const report = (g.sittings || []).length ? h('a', { class: 'btn', testid: 'group-report', target: '_blank', rel: 'noopener',
    href: `/api/meetings/${encodeURIComponent(ctx.me.meeting)}/groups/${encodeURIComponent(g.id)}/report?format=pdf&lang=${lang()}` }, t('group.report_pdf')) : null;
  if (!gl || !gl.state) {
    return h('section', null, info,
      g.sitting ? h('p', { role: 'status' }, t('group.connecting')) : h('p', { class: 'muted' }, t('group.not_sitting')), g.sitting ? null : report);
  }
  const ts = gl.state;
  const gk = gl.kernel;
  const meP = ts.participants.find((p) => p.id === ctx.me.participant);
  const role = meP ? meP.role : '';
  const open = ts.status === 'open' || ts.status === 'paused';
  const att = ts.attendance[ctx.me.participant];
  const checkedIn = att && (att.status === 'present' || att.status === 'remote') && !att.checked_out && (att.visits || []).length > 0;
  const sp = gk.speech(gl.serverNow());
  const queue = gk.queue('');
  const mineIdx = queue.findIndex((r) => r.participant === ctx.me.participant);
  const run = async (name, data) => {
    try { await gl.command(name, data); } catch (e) { toast(errorText(e), { testid: 'toast' }); }
  };
  const n = (g.sittings || []).length;
  return h('section', { 'aria-labelledby': 'group-h' },
    info,
    h('div', { class: 'card', testid: 'group-sitting', 'data-meeting': ts.id, 'data-status': ts.status },
      h('h3', { id: 'group-h' }, open ? t('group.sitting', { name: g.name, n }) : t('group.closed')),
      open ? (checkedIn
        ? h('p', { class: 'banner banner-ok', testid: 'group-checked-in' }, '✓ ' + t('group.checked_in'))
        : h('button', { type: 'button', class: 'btn btn-primary btn-big', testid: 'group-checkin', onclick: () => run('attendance.check_in', {}) }, t('group.checkin'))) : null,
      h('h4', null, t('group.speaking')),
      sp ? h('div', null,
        h('div', { class: 'who', testid: 'group-speaker' }, participantName(ts, sp.participant)),
        h('div', { class: 'clock', testid: 'group-clock', role: 'timer' }),
        role === 'chair' && open ? h('button', { type: 'button', class: 'btn', testid: 'group-end', onclick: () => run('speaker.end', {}) }, t('group.end')) : null)
        : h('p', { class: 'muted', testid: 'group-speaker' }, t('group.nobody')),
      h('h4', null, t('group.queue')),
      queue.length ? h('ol', { class: 'queue', testid: 'group-queue' }, queue.map((r) => h('li', { 'data-participant': r.participant, class: r.participant === ctx.me.participant ? 'me' : '' },
        participantName(ts, r.participant), r.topic ? ' — ' + r.topic : '',
        role === 'chair' && ts.status === 'open' ? [' ', h('button', { type: 'button', class: 'btn', testid: 'group-give-' + r.id, onclick: () => run('speaker.give_floor', { id: r.id }) }, t('group.give'))] : null)))
        : h('p', { class: 'muted', testid: 'group-queue' }, t('group.queue_empty')),
      open ? h('div', { class: 'row' },
        mineIdx >= 0 ? [h('span', { testid: 'group-position' }, t('group.position', { n: mineIdx + 1 })),
          h('button', { type: 'button', class: 'btn', testid: 'group-withdraw', onclick: () => run('speaker.withdraw', { id: queue[mineIdx].id }) }, t('group.withdraw'))]
          : ts.status === 'open' && !(sp && sp.participant === ctx.me.participant) ? h('button', { type: 'button', class: 'btn btn-primary btn-big', testid: 'group-request', onclick: () => run('speaker.request', {}) }, t('group.request')) : null,
        role === 'chair' && ts.status === 'open' && queue.length ? h('button', { type: 'button', class: 'btn btn-primary', testid: 'group-give-next', onclick: () => run('speaker.give_floor', {}) }, t('group.give_next')) : null) : null,
      !open ? report : null),
    role === 'secretary' || role === 'chair' ? notesCard(ts, gl, run) : null);
}

// notesCard is the thư ký's notes form: its fields are kept across renders
// (a redraw comes with every event of the sitting) and per sitting.
function notesCard(ts, gl, run) {
  const link = (ts.floor && ts.floor.link) || {};
  const notes = (ts.floor && ts.floor.notes) || [];
  const draftsL = link.drafts || [];
  if (!fl.notes || fl.notes.meeting !== ts.id) {
    const n = { meeting: ts.id, speakerTouched: false };
    n.text = h('textarea', { testid: 'note-text', rows: 3 });
    n.draft = h('select', { testid: 'note-draft', onchange: () => { fillSections(n, draftsL); } });
    n.section = h('select', { testid: 'note-section' });
    n.speaker = h('select', { testid: 'note-speaker', onchange: () => { n.speakerTouched = true; } });
    fl.notes = n;
  }
  const n = fl.notes;
  n.text.setAttribute('aria-label', t('group.note_text'));
  n.text.placeholder = t('group.note_text');
  n.draft.setAttribute('aria-label', t('group.note_draft'));
  n.section.setAttribute('aria-label', t('group.note_section'));
  n.speaker.setAttribute('aria-label', t('group.note_speaker'));
  setOptions(n.draft, [['', t('group.note_none')], ...draftsL.map((d) => [d.document, d.title])]);
  fillSections(n, draftsL);
  setOptions(n.speaker, [['', t('group.note_none')], ...ts.participants.map((p) => [p.id, p.name])]);
  const sp = gl.kernel.speech(gl.serverNow());
  if (sp && !n.speakerTouched) n.speaker.value = sp.participant;
  return h('form', { class: 'card', testid: 'group-notes', onsubmit: async (ev) => {
    ev.preventDefault();
    if (!n.text.value.trim()) return;
    await run('sitting.note', { text: n.text.value, draft: n.draft.value, section: n.section.value, speaker: n.speaker.value });
    n.text.value = '';
    n.speakerTouched = false;
    toast(t('group.note_saved'), { testid: 'toast' });
  } },
  h('h3', null, t('group.notes')), n.text,
  h('div', { class: 'row' }, h('label', null, t('group.note_draft'), ' ', n.draft), h('label', null, t('group.note_section'), ' ', n.section), h('label', null, t('group.note_speaker'), ' ', n.speaker)),
  h('button', { type: 'submit', class: 'btn btn-primary', testid: 'note-save' }, t('group.note_save')),
  h('h4', null, t('group.notes_list', { n: notes.length })),
  h('ol', { testid: 'group-notes-list' }, notes.map((x) => h('li', { 'data-id': x.id }, fmtTime(x.at), ' — ', x.speaker ? participantName(ts, x.speaker) + ': ' : '', x.text))));
}

// setOptions gives a select its options, keeping the value chosen.
function setOptions(sel, options) {
  const v = sel.value;
  sel.replaceChildren(...options.map(([value, label]) => h('option', { value }, label)));
  if (options.some(([value]) => value === v)) sel.value = v;
}

function fillSections(n, draftsL) {
  const d = draftsL.find((x) => x.document === n.draft.value);
  setOptions(n.section, [['', t('group.note_none')], ...(d ? d.sections : []).map((s) => [s.id, (s.label ? s.label + ' ' : '') + s.title])]);
}

function tickGroupClock() {
  const el = document.querySelector('[data-testid="group-clock"]');
  if (!el || !fl.glive || !fl.glive.state) return;
  const sp = fl.glive.kernel.speech(fl.glive.serverNow());
  if (!sp) { el.textContent = ''; return; }
  if (sp.limit) {
    const over = sp.overrun_ms > 0;
    el.textContent = over ? '+' + fmtClock(sp.overrun_ms) : fmtClock(sp.remaining_ms);
    el.classList.toggle('over', over);
  } else {
    el.textContent = fmtClock(sp.elapsed_ms);
  }
}

// ---- written contributions ----------------------------------------------------

function contribStatus(st, c) {
  if (c.withdrawn) return ['withdrawn', t('contrib.status.withdrawn')];
  const sp = c.request ? [...st.speeches].reverse().find((x) => x.request === c.request) : null;
  if (sp) {
    const ms = sp.end ? (sp.elapsed || 0) / 1e6 : ctx.kernel.speech(ctx.live.serverNow())?.elapsed_ms || 0; // Go durations are nanoseconds
    return ['spoken', t('contrib.status.spoken', { time: fmtTime(sp.start), duration: fmtClock(ms) })];
  }
  if (c.request && st.requests.some((r) => r.id === c.request)) return ['scheduled', t('contrib.status.scheduled')];
  return ['registered', t('contrib.status.registered')];
}

function renderContrib(st) {
  const all = floorOf(st).contributions || [];
  const mine = all.filter((c) => c.participant === ctx.me.participant);
  const title = h('input', { type: 'text', testid: 'contrib-title', maxlength: 480, required: true, id: 'contrib-title' });
  const file = h('input', { type: 'file', testid: 'contrib-file', accept: '.pdf,.docx,application/pdf,application/vnd.openxmlformats-officedocument.wordprocessingml.document', required: true, id: 'contrib-file' });
  const errEl = h('p', { class: 'banner banner-bad', testid: 'contrib-error', role: 'alert', hidden: !fl.contribError }, fl.contribError);
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', testid: 'contrib-submit' }, t('contrib.submit'));
  const form = h('form', { class: 'card', testid: 'contrib-form', onsubmit: async (ev) => {
    ev.preventDefault();
    const fd = new FormData();
    fd.append('title', title.value);
    if (file.files[0]) fd.append('file', file.files[0], file.files[0].name);
    submit.disabled = true;
    try {
      const r = await fetch(`/api/meetings/${encodeURIComponent(ctx.me.meeting)}/contributions`, { method: 'POST', body: fd, credentials: 'same-origin' });
      const body = await r.json().catch(() => ({}));
      if (!r.ok) throw new ApiError(r.status, body);
      fl.contribError = '';
      toast(t('contrib.sent'), { testid: 'toast' });
    } catch (e) {
      fl.contribError = errorText(e);
    }
    submit.disabled = false;
    ctx.render();
  } },
  h('h3', null, t('contrib.register')),
  h('label', { for: 'contrib-title' }, t('contrib.title')), title,
  h('label', { for: 'contrib-file' }, t('contrib.file')), file, errEl, submit);
  const row = (c, schedule) => {
    const [state, label] = contribStatus(st, c);
    return h('li', { 'data-id': c.id, 'data-status': state },
      h('strong', null, c.title), ' — ', schedule ? participantName(st, c.participant) + ' — ' : '', h('span', { class: 'muted' }, label), ' ',
      docOf(st, c.document) ? h('a', { class: 'btn', href: ctx.docUrl(c.document, 1), target: '_blank', rel: 'noopener' }, t('contrib.text')) : null,
      !schedule && (state === 'registered' || state === 'scheduled') ? h('button', { type: 'button', class: 'btn', testid: 'contrib-withdraw-' + c.id,
        onclick: () => ctx.live.command('contribution.withdraw', { id: c.id }).catch((e) => toast(errorText(e), { testid: 'toast' })) }, t('contrib.withdraw')) : null,
      schedule && state === 'registered' && (st.status === 'open' || st.status === 'paused') ? h('button', { type: 'button', class: 'btn btn-primary', testid: 'contrib-schedule-' + c.id,
        onclick: () => ctx.live.command('contribution.schedule', { id: c.id }).catch((e) => toast(errorText(e), { testid: 'toast' })) }, t('contrib.schedule')) : null);
  };
  return h('section', { 'aria-labelledby': 'contrib-h' },
    h('h2', { id: 'contrib-h' }, t('contrib.mine')),
    mine.length ? h('ul', { class: 'docs', testid: 'contrib-mine' }, mine.map((c) => row(c, false))) : h('p', { class: 'muted', testid: 'contrib-none' }, t('contrib.none')),
    st.status !== 'closed' ? form : null,
    inPresidium(st) && all.length ? h('div', { class: 'card' }, h('h3', null, t('contrib.all')),
      h('ul', { class: 'docs', testid: 'contrib-all' }, all.filter((c) => !c.withdrawn).map((c) => row(c, true)))) : null);
}
