// floor.js — the congress floor for the secretariat and the presidium
// (/floor?meeting=ID; docs/congress.md): drafts opened for opinions with
// their structure and deadline, their counts and the drafting team's
// exports; discussion groups (tổ), their sittings and every tổ live; written
// contributions (tham luận) chosen for the speaker list. A secretary account
// (log in here or on /console).
//
// data-testid contract:
//   page:     floor-login (login-username, login-password, login-submit, login-error),
//             floor-meetings (a[data-id]), floor-title, floor-status, conn-status,
//             lang-toggle, floor-back, tab-drafts, tab-groups, tab-contrib (aria-selected),
//             floor-paused, floor-error
//   drafts:   open-draft-form, open-draft-doc (select), open-draft-outline,
//             sections-editor (tr[data-id]: section-label, section-title, section-level,
//             section-remove), section-add, open-draft-date, open-draft-time,
//             open-draft-readers (input[data-id]), open-draft-anonymous, open-draft-submit,
//             open-draft-error, drafts-list, draft-card-<doc> (data-deadline, data-open),
//             draft-counts (tr[data-section] with td.agree/.disagree/.partial/.total),
//             draft-close, draft-extend-date, draft-extend-time, draft-extend,
//             draft-revise-<n> (a new version), revise-editor, revise-submit,
//             export-docx, export-pdf, export-json, export-docx-delegation, draft-error
//   groups:   group-form, group-name, group-members (input[data-id]), group-leader,
//             group-deputy, group-secretary, group-save, group-error, groups-list,
//             group-row-<id> (data-sitting), group-sit-<id>, group-rise-<id>,
//             group-report-<id>, group-console-<id>, sit-all, groups-live,
//             live-<id> (data-sitting, data-present, data-speaker, data-waiting,
//             data-notes, data-opinions)
//   contrib:  contrib-list (tr[data-id][data-status]), contrib-schedule-<id>,
//             contrib-withdraw-<id>, contrib-upload (contrib-participant,
//             contrib-up-title, contrib-up-file, contrib-up-submit, contrib-up-error)
import { get, post, errorText, ApiError } from './api.js';
import { Live } from './live.js';
import { loadKernel } from './kernel.js';
import { t, lang, applyI18n, langButton } from './i18n.js';
import { h, replace, statusBadge, fmtClock, participantName, toast } from './ui.js';
import { fmtDateTime, fmtTime, toISO, setZone } from './time.js';
import { confirmAction } from './confirm.js';
import './floor-strings.js';

const app = document.getElementById('app');
const meetingID = new URLSearchParams(location.search).get('meeting') || '';
let live = null;
let kernel = null;
const ui = {
  tab: 'drafts',
  sections: [],           // the structure being prepared for draft.open
  readers: new Set(),     // readers chosen for draft.open
  perDraft: new Map(),    // doc → persistent controls (extend, revise)
  groupMembers: new Set(),
  liveGroups: null,       // last answer of …/groups/live
  liveTimer: 0,
  redraws: new Set(),     // the structure editors on the page (relabelled on a language switch)
};
const els = {};

// L is an element whose text is the string key, relabelled on a language
// switch (applyI18n).
function L(tag, key, attrs = {}) {
  return h(tag, { ...attrs, 'data-i18n': key }, t(key));
}

// ---- start ------------------------------------------------------------------

async function boot() {
  document.title = t('cf.title') + ' · ' + t('app.name');
  applyI18n();
  // A language switch relabels the page in place (data-i18n: applyI18n) and
  // redraws what is drawn from the state; forms keep what was typed.
  window.addEventListener('phonghop:lang', () => {
    applyI18n(app);
    for (const redraw of ui.redraws) if (redraw.table.isConnected) redraw(); else ui.redraws.delete(redraw);
    if (live && live.state) draw(live.state);
  });
  try {
    const me = await get('/api/me');
    if (me.kind !== 'account') throw new ApiError(401, {});
  } catch (e) {
    showLogin(e.status === 401 || e.status === 403 ? '' : errorText(e));
    return;
  }
  if (!meetingID) { await showMeetings(); return; }
  await start();
}

function showLogin(error) {
  const user = h('input', { type: 'text', id: 'fl-user', testid: 'login-username', autocomplete: 'username', value: 'thuky' });
  const pass = h('input', { type: 'password', id: 'fl-pass', testid: 'login-password', autocomplete: 'current-password' });
  const err = h('p', { class: 'banner banner-bad', testid: 'login-error', role: 'alert', hidden: !error }, error || '');
  replace(app,
    h('header', { class: 'topbar' }, h('h1', null, t('cf.title')), langButton()),
    h('main', { id: 'main' }, h('form', { class: 'card narrow', testid: 'floor-login', onsubmit: async (ev) => {
      ev.preventDefault();
      try {
        await post('/api/login', { username: user.value, password: pass.value });
        if (meetingID) await start(); else await showMeetings();
      } catch (e) { err.hidden = false; err.textContent = errorText(e); }
    } },
    h('h2', null, t('login.title')), h('p', { class: 'muted' }, t('cf.login_needed')),
    h('label', { for: 'fl-user' }, t('login.user')), user,
    h('label', { for: 'fl-pass' }, t('login.password')), pass, err,
    h('button', { type: 'submit', class: 'btn btn-primary', testid: 'login-submit' }, t('login.submit')))));
}

async function showMeetings() {
  const res = await get('/api/meetings');
  replace(app,
    h('header', { class: 'topbar' }, h('h1', null, t('cf.title')), langButton()),
    h('main', { id: 'main' }, h('div', { class: 'card' }, h('h2', null, t('cf.pick_meeting')),
      h('ul', { class: 'docs', testid: 'floor-meetings' }, (res.meetings || []).map((m) => h('li', null,
        h('a', { class: 'btn', 'data-id': m.id, href: '/floor?meeting=' + encodeURIComponent(m.id) }, m.title)))))));
}

async function start() {
  replace(app, h('main', null, h('p', { role: 'status' }, t('loading'))));
  kernel = await loadKernel();
  buildShell();
  live = new Live({
    meeting: meetingID,
    kernel,
    onChange: (st) => draw(st),
    onStatus: (s) => els.status && els.status(s),
    onEnded: () => showLogin(''),
  });
  globalThis.phonghop = { live };
  live.start();
  ui.liveTimer = setInterval(pollLive, 2000);
  pollLive();
}

function buildShell() {
  if (!kernel) return;
  const conn = h('span');
  els.status = statusBadge(conn);
  if (live) els.status(live.status);
  els.title = h('h1', { testid: 'floor-title' }, t('cf.title'));
  els.meetingStatus = h('span', { class: 'who', testid: 'floor-status' });
  els.tabs = h('nav', { class: 'tabs', role: 'tablist', 'aria-label': t('cf.title') });
  els.banner = h('div', { id: 'banners' });
  els.panels = {
    drafts: h('section', { role: 'tabpanel', id: 'panel-drafts' }, buildOpenDraft(), h('div', { class: 'card' }, L('h2', 'cf.drafts_open'), els.drafts = h('div', { testid: 'drafts-list' }))),
    groups: h('section', { role: 'tabpanel', id: 'panel-groups' },
      h('div', { class: 'card' }, L('h2', 'cf.live'), L('p', 'cf.live_help', { class: 'muted' }), els.liveTable = h('div', { testid: 'groups-live' })),
      h('div', { class: 'card' }, L('h2', 'cf.groups'), els.sitAll = L('button', 'cf.sit_all', { type: 'button', class: 'btn btn-primary', testid: 'sit-all', onclick: sitAll }),
        els.groups = h('div', { testid: 'groups-list' })),
      buildGroupForm()),
    contrib: h('section', { role: 'tabpanel', id: 'panel-contrib' },
      h('div', { class: 'card' }, L('h2', 'cf.contrib_all'), L('p', 'cf.schedule_help', { class: 'muted' }), els.contribs = h('div')),
      buildUploadForm()),
  };
  els.error = h('p', { class: 'banner banner-bad', testid: 'floor-error', role: 'alert', hidden: true });
  replace(app,
    h('header', { class: 'topbar' }, els.title, els.meetingStatus, conn,
      L('a', 'cf.back', { class: 'btn', testid: 'floor-back', href: '/console#m=' + encodeURIComponent(meetingID) + '&tab=live' }), langButton()),
    els.tabs,
    h('main', { id: 'main', class: 'floor-main' }, els.banner, els.error, els.panels.drafts, els.panels.groups, els.panels.contrib));
}

function fail(e) {
  els.error.hidden = false;
  els.error.textContent = errorText(e);
}

async function cmd(name, data, errEl) {
  try {
    const r = await live.command(name, data);
    if (errEl) errEl.hidden = true;
    els.error.hidden = true;
    return r;
  } catch (e) {
    if (errEl) { errEl.hidden = false; errEl.textContent = errorText(e); } else fail(e);
    throw e;
  }
}

// ---- render -----------------------------------------------------------------

function draw(st) {
  setZone((st.settings || {}).time_zone);
  els.title.textContent = t('cf.title') + ' — ' + (st.details.title || '');
  document.title = t('cf.title') + ' — ' + (st.details.title || '') + ' · ' + t('app.name');
  els.meetingStatus.textContent = t('meeting.status.' + st.status);
  const tab = (id, label) => h('button', { type: 'button', role: 'tab', class: 'btn', testid: 'tab-' + id, 'aria-selected': ui.tab === id ? 'true' : 'false',
    onclick: () => { ui.tab = id; draw(live.state); } }, label);
  replace(els.tabs, tab('drafts', t('cf.tab.drafts')), tab('groups', t('cf.tab.groups')), tab('contrib', t('cf.tab.contrib')));
  replace(els.banner, st.status === 'paused' ? h('p', { class: 'banner banner-warn', testid: 'floor-paused' }, t('cf.plenary_paused')) : null);
  for (const [id, el] of Object.entries(els.panels)) el.hidden = id !== ui.tab;
  drawOpenDraft(st);
  drawDrafts(st);
  drawGroupForm(st);
  drawGroups(st);
  drawLive();
  drawContribs(st);
}

// ---- drafts -----------------------------------------------------------------

function sectionsEditor(list, testid) {
  const body = h('tbody');
  const table = h('table', { class: 'sections', testid }, h('thead', null, h('tr', null,
    h('th', null, 'ID'), L('th', 'cf.section_label'), L('th', 'cf.section_title'), L('th', 'cf.section_level'), h('th', null, ''))), body);
  const redraw = () => {
    replace(body, list.map((s, i) => h('tr', { 'data-id': s.id },
      // The ID ties opinions to the section across versions: the
      // secretariat may give a section the ID of the one it continues.
      h('td', null, h('input', { type: 'text', class: 'narrow-num', testid: 'section-id', value: s.id, 'aria-label': 'ID', size: 6,
        onchange: (ev) => { s.id = ev.target.value.trim(); ev.target.closest('tr').dataset.id = s.id; } })),
      h('td', null, h('input', { type: 'text', testid: 'section-label', value: s.label || '', 'aria-label': t('cf.section_label'), oninput: (ev) => { s.label = ev.target.value; } })),
      h('td', null, h('input', { type: 'text', testid: 'section-title', value: s.title || '', 'aria-label': t('cf.section_title'), oninput: (ev) => { s.title = ev.target.value; } })),
      h('td', null, h('select', { testid: 'section-level', 'aria-label': t('cf.section_level'), onchange: (ev) => { s.level = Number(ev.target.value); } },
        [1, 2, 3, 4].map((n) => h('option', { value: n, selected: s.level === n }, n + ' — ' + t('cf.level.' + n))))),
      h('td', null, h('button', { type: 'button', class: 'btn', testid: 'section-remove', 'aria-label': t('cf.section_remove'), onclick: () => { list.splice(i, 1); redraw(); } }, '✕')))));
  };
  redraw();
  redraw.table = table;
  ui.redraws.add(redraw);
  const add = h('button', { type: 'button', class: 'btn', testid: 'section-add', 'data-i18n': 'cf.section_add', onclick: () => {
    let n = list.length + 1;
    while (list.some((s) => s.id === 'm' + n)) n++;
    list.push({ id: 'm' + n, label: '', title: '', level: 2 });
    redraw();
  } }, t('cf.section_add'));
  return { table, add, redraw };
}

function buildOpenDraft() {
  els.od = {};
  const od = els.od;
  od.doc = h('select', { testid: 'open-draft-doc', id: 'od-doc' });
  od.err = h('p', { class: 'banner banner-bad', testid: 'open-draft-error', role: 'alert', hidden: true });
  od.editorBox = h('div');
  od.date = h('input', { type: 'text', testid: 'open-draft-date', id: 'od-date', placeholder: 'dd/mm/yyyy', inputmode: 'numeric' });
  od.time = h('input', { type: 'text', testid: 'open-draft-time', id: 'od-time', placeholder: 'HH:mm', inputmode: 'numeric' });
  od.readers = h('div', { testid: 'open-draft-readers', class: 'checks' });
  od.anonymous = h('input', { type: 'checkbox', testid: 'open-draft-anonymous', id: 'od-anon' });
  const outline = h('button', { type: 'button', class: 'btn', testid: 'open-draft-outline', onclick: async () => {
    if (!od.doc.value) return;
    try {
      const o = await get(`/api/meetings/${encodeURIComponent(meetingID)}/documents/${encodeURIComponent(od.doc.value)}/outline`);
      ui.sections = o.sections.map((s) => ({ ...s }));
      od.err.hidden = true;
    } catch (e) { od.err.hidden = false; od.err.textContent = errorText(e); ui.sections = []; }
    const ed = sectionsEditor(ui.sections, 'sections-editor');
    replace(od.editorBox, L('h3', 'cf.sections'), L('p', 'cf.outline_help', { class: 'muted' }), ed.table, ed.add);
  } }, t('cf.read_outline'));
  outline.dataset.i18n = 'cf.read_outline';
  const submit = L('button', 'cf.open', { type: 'submit', class: 'btn btn-primary', testid: 'open-draft-submit' });
  return h('form', { class: 'card', testid: 'open-draft-form', onsubmit: async (ev) => {
    ev.preventDefault();
    const deadline = toISO(od.date.value, od.time.value || '17:00');
    if (!deadline) { od.err.hidden = false; od.err.textContent = t('cf.deadline_date'); return; }
    try {
      await cmd('draft.open', { document: od.doc.value, sections: ui.sections.map(({ id, label, title, level, page }) => ({ id, label, title, level, page })),
        deadline, readers: [...ui.readers], anonymous: od.anonymous.checked }, od.err);
      ui.sections = [];
      replace(od.editorBox);
    } catch { /* shown */ }
  } },
  L('h2', 'cf.open_draft'),
  h('div', { class: 'row' }, L('label', 'cf.document', { for: 'od-doc' }), od.doc, outline),
  od.editorBox,
  h('div', { class: 'row' }, L('label', 'cf.deadline_date', { for: 'od-date' }), od.date, L('label', 'cf.deadline_time', { for: 'od-time' }), od.time),
  L('h3', 'cf.readers'), od.readers,
  h('label', { class: 'check', for: 'od-anon' }, od.anonymous, ' ', L('span', 'cf.anonymous')),
  od.err, submit);
}

function drawOpenDraft(st) {
  const od = els.od;
  const taken = new Set(((st.floor || {}).drafts || []).map((d) => d.document));
  const docs = st.documents.filter((d) => d.status === 'published' && d.access !== 'named' && !taken.has(d.id) && d.versions.length);
  const cur = od.doc.value;
  replace(od.doc, docs.map((d) => h('option', { value: d.id, selected: d.id === cur }, d.title + ' (' + t('drafts.version', { n: d.versions.length }) + ')')));
  // Readers: the presidium ticked by default, once.
  const pres = (st.bodies || []).find((b) => b.kind === 'presidium');
  if (!ui.readersInit && pres) { for (const m of pres.members) ui.readers.add(m.participant); ui.readersInit = true; }
  const people = st.participants.filter((p) => ['delegate', 'chair', 'secretary'].includes(p.role));
  if (od.readers.childElementCount !== people.length) {
    replace(od.readers, people.map((p) => h('label', { class: 'check' },
      h('input', { type: 'checkbox', 'data-id': p.id, checked: ui.readers.has(p.id), onchange: (ev) => { if (ev.target.checked) ui.readers.add(p.id); else ui.readers.delete(p.id); } }),
      ' ' + p.name + (p.unit ? ' (' + p.unit + ')' : ''))));
  }
}

function perDraft(doc) {
  let c = ui.perDraft.get(doc);
  if (c) return c;
  c = {
    date: h('input', { type: 'text', testid: 'draft-extend-date', placeholder: 'dd/mm/yyyy', 'aria-label': t('cf.extend') }),
    time: h('input', { type: 'text', testid: 'draft-extend-time', placeholder: 'HH:mm', 'aria-label': t('cf.deadline_time') }),
    err: h('p', { class: 'banner banner-bad', testid: 'draft-error', role: 'alert', hidden: true }),
    revise: null, // {version, sections, box}
    box: h('div'),
  };
  ui.perDraft.set(doc, c);
  return c;
}

function drawDrafts(st) {
  const list = (st.floor || {}).drafts || [];
  if (!list.length) { replace(els.drafts, h('p', { class: 'muted' }, t('cf.no_drafts'))); return; }
  const now = live.serverNow();
  replace(els.drafts, list.map((d) => {
    const doc = st.documents.find((x) => x.id === d.document) || { title: d.document, versions: [] };
    const c = perDraft(d.document);
    const open = Date.parse(d.deadline) > now;
    const count = (sec) => (d.counts || []).find((x) => (x.section || '') === sec) || {};
    const row = (sec, label) => {
      const x = count(sec);
      const tot = (x.agree || 0) + (x.disagree || 0) + (x.partial || 0);
      return h('tr', { 'data-section': sec || 'whole' }, h('td', null, label),
        h('td', { class: 'num agree' }, String(x.agree || 0)), h('td', { class: 'num disagree' }, String(x.disagree || 0)),
        h('td', { class: 'num partial' }, String(x.partial || 0)), h('td', { class: 'num total' }, String(tot)));
    };
    const known = new Set((d.sections || []).map((s) => s.id));
    const dropped = (d.counts || []).filter((x) => x.section && !known.has(x.section) && (x.agree + x.disagree + x.partial) > 0);
    const latest = doc.versions.length;
    const rollup = (format, by = 'group') => `/api/meetings/${encodeURIComponent(meetingID)}/drafts/${encodeURIComponent(d.document)}/rollup?format=${format}&by=${by}&lang=${lang()}`;
    return h('article', { class: 'card', testid: 'draft-card-' + d.document, 'data-deadline': d.deadline, 'data-open': open ? 'true' : 'false' },
      h('h3', null, doc.title, ' · ', t('drafts.version', { n: d.version })),
      h('p', null, open ? t('drafts.deadline', { time: fmtDateTime(d.deadline) }) : t('drafts.closed', { time: fmtDateTime(d.deadline) }),
        d.anonymous ? ' · ' + t('drafts.anonymous') : ''),
      h('table', { class: 'counts', testid: 'draft-counts' },
        h('thead', null, h('tr', null, h('th', null, t('cf.count_section')), h('th', null, t('opinion.agree')), h('th', null, t('opinion.disagree')),
          h('th', null, t('opinion.partial')), h('th', null, t('cf.count_total')))),
        h('tbody', null, row('', t('drafts.whole')), (d.sections || []).map((s) => row(s.id, (s.label ? s.label + ' ' : '') + s.title)),
          dropped.map((x) => row(x.section, t('cf.flagged') + ' (' + x.section + ')')))),
      h('div', { class: 'row' },
        h('strong', null, t('cf.exports') + ':'),
        h('a', { class: 'btn', testid: 'export-docx', href: rollup('docx') }, 'DOCX (' + t('drafts.by_group') + ')'),
        h('a', { class: 'btn', testid: 'export-docx-delegation', href: rollup('docx', 'delegation') }, 'DOCX (' + t('drafts.by_delegation') + ')'),
        h('a', { class: 'btn', testid: 'export-pdf', href: rollup('pdf'), target: '_blank', rel: 'noopener' }, 'PDF'),
        h('a', { class: 'btn', testid: 'export-json', href: rollup('json'), target: '_blank', rel: 'noopener' }, 'JSON')),
      open ? h('div', { class: 'row' },
        h('button', { type: 'button', class: 'btn btn-danger', testid: 'draft-close', onclick: async () => {
          if (await confirmAction({ action: 'draft-close', title: t('cf.close_draft'), message: t('cf.close_confirm', { title: doc.title }), confirm: t('cf.close_draft') })) {
            cmd('draft.update', { document: d.document, close: true }, c.err).catch(() => {});
          }
        } }, t('cf.close_draft')),
        h('span', null, t('cf.extend')), c.date, c.time,
        h('button', { type: 'button', class: 'btn', testid: 'draft-extend', onclick: () => {
          const iso = toISO(c.date.value, c.time.value || '17:00');
          if (iso) cmd('draft.update', { document: d.document, deadline: iso }, c.err).catch(() => {});
        } }, t('cf.extend_save'))) : null,
      latest > d.version ? h('button', { type: 'button', class: 'btn', testid: 'draft-revise-' + latest, onclick: async () => {
        try {
          const o = await get(`/api/meetings/${encodeURIComponent(meetingID)}/documents/${encodeURIComponent(d.document)}/outline?version=${latest}`);
          c.revise = { version: latest, sections: o.sections.map((s) => ({ ...s })) };
          const ed = sectionsEditor(c.revise.sections, 'revise-editor');
          replace(c.box, L('p', 'cf.revise_help', { class: 'muted' }), ed.table, ed.add,
            h('button', { type: 'button', class: 'btn btn-primary', testid: 'revise-submit', onclick: async () => {
              try {
                await cmd('draft.revise', { document: d.document, version: c.revise.version, sections: c.revise.sections.map(({ id, label, title, level, page }) => ({ id, label, title, level, page })) }, c.err);
                c.revise = null;
                replace(c.box);
              } catch { /* shown */ }
            } }, t('cf.revise', { n: latest })));
        } catch (e) { c.err.hidden = false; c.err.textContent = errorText(e); }
      } }, t('cf.new_version', { n: latest })) : null,
      c.box, c.err);
  }));
}

// ---- groups -----------------------------------------------------------------

function buildGroupForm() {
  const gf = els.gf = {};
  gf.name = h('input', { type: 'text', testid: 'group-name', id: 'gf-name', maxlength: 200 });
  gf.members = h('div', { testid: 'group-members', class: 'checks' });
  gf.leader = h('select', { testid: 'group-leader', id: 'gf-leader' });
  gf.deputy = h('select', { testid: 'group-deputy', id: 'gf-deputy' });
  gf.secretary = h('select', { testid: 'group-secretary', id: 'gf-secretary' });
  gf.err = h('p', { class: 'banner banner-bad', testid: 'group-error', role: 'alert', hidden: true });
  return h('form', { class: 'card', testid: 'group-form', onsubmit: async (ev) => {
    ev.preventDefault();
    try {
      await cmd('group.define', { name: gf.name.value, members: [...ui.groupMembers], leader: gf.leader.value, deputy: gf.deputy.value, secretary: gf.secretary.value }, gf.err);
      gf.name.value = '';
      ui.groupMembers.clear();
      gf.members.dataset.sig = ''; // drawn again from the state, whenever it arrives
      if (live.state) drawGroupForm(live.state);
    } catch { /* shown */ }
  } },
  L('h2', 'cf.define_group'),
  L('label', 'cf.group_name', { for: 'gf-name' }), gf.name,
  L('h3', 'cf.group_members'), gf.members,
  h('div', { class: 'row' },
    L('label', 'group.leader', { for: 'gf-leader' }), gf.leader,
    L('label', 'group.deputy', { for: 'gf-deputy' }), gf.deputy,
    L('label', 'group.secretary', { for: 'gf-secretary' }), gf.secretary),
  gf.err, L('button', 'cf.group_save', { type: 'submit', class: 'btn btn-primary', testid: 'group-save' }));
}

function drawGroupForm(st) {
  const gf = els.gf;
  const taken = new Set();
  for (const g of (st.floor || {}).groups || []) for (const m of g.members) taken.add(m);
  const free = st.participants.filter((p) => ['delegate', 'chair', 'secretary'].includes(p.role) && !taken.has(p.id));
  const sig = free.map((p) => p.id).join(',');
  if (gf.members.dataset.sig !== sig) {
    gf.members.dataset.sig = sig;
    replace(gf.members, free.map((p) => h('label', { class: 'check' },
      h('input', { type: 'checkbox', 'data-id': p.id, checked: ui.groupMembers.has(p.id), onchange: (ev) => {
        if (ev.target.checked) ui.groupMembers.add(p.id); else ui.groupMembers.delete(p.id);
        fillOfficers(st);
      } }), ' ' + p.name)));
    fillOfficers(st);
  }
}

function fillOfficers(st) {
  const gf = els.gf;
  const chosen = st.participants.filter((p) => ui.groupMembers.has(p.id));
  for (const [sel, optional] of [[gf.leader, false], [gf.deputy, true], [gf.secretary, false]]) {
    const v = sel.value;
    replace(sel, optional ? h('option', { value: '' }, '—') : null, chosen.map((p) => h('option', { value: p.id, selected: p.id === v }, p.name)));
  }
  if (!gf.secretary.value && chosen[1]) gf.secretary.value = chosen[1].id;
}

async function sit(g) {
  try { await post(`/api/meetings/${encodeURIComponent(meetingID)}/groups/${encodeURIComponent(g.id)}/sit`); pollLive(); } catch (e) { fail(e); }
}

async function sitAll() {
  for (const g of ((live.state || {}).floor || {}).groups || []) if (!g.sitting) await sit(g);
}

function drawGroups(st) {
  const groups = (st.floor || {}).groups || [];
  els.sitAll.hidden = !groups.some((g) => !g.sitting);
  replace(els.groups, h('ul', { class: 'docs' }, groups.map((g) => {
    const n = (g.sittings || []).length;
    return h('li', { testid: 'group-row-' + g.id, 'data-sitting': g.sitting || '' },
      h('strong', null, g.name), ' · ', t('group.members', { n: g.members.length }), ' · ',
      t('group.leader') + ': ' + participantName(st, g.leader) + ', ' + t('group.secretary') + ': ' + participantName(st, g.secretary),
      g.sitting ? [' ', h('span', { class: 'tag' }, t('cf.live_sitting'))] : null, ' ',
      !g.sitting && st.status !== 'closed' && st.status !== 'draft' ? h('button', { type: 'button', class: 'btn btn-primary', testid: 'group-sit-' + g.id, onclick: () => sit(g) }, t('cf.sit')) : null,
      g.sitting ? h('button', { type: 'button', class: 'btn btn-danger', testid: 'group-rise-' + g.id, onclick: async () => {
        if (!await confirmAction({ action: 'group-rise', title: t('cf.rise'), message: t('cf.rise_confirm', { name: g.name }), confirm: t('cf.rise') })) return;
        try { await post(`/api/meetings/${encodeURIComponent(meetingID)}/groups/${encodeURIComponent(g.id)}/rise`); pollLive(); } catch (e) { fail(e); }
      } }, t('cf.rise')) : null,
      g.sitting ? h('a', { class: 'btn', testid: 'group-console-' + g.id, href: '/console#m=' + encodeURIComponent(g.sitting) + '&tab=live', target: '_blank', rel: 'noopener' }, t('cf.open_console')) : null,
      n ? h('a', { class: 'btn', testid: 'group-report-' + g.id, target: '_blank', rel: 'noopener',
        href: `/api/meetings/${encodeURIComponent(meetingID)}/groups/${encodeURIComponent(g.id)}/report?format=pdf&lang=${lang()}` }, t('cf.report')) : null);
  })));
}

async function pollLive() {
  if (!live) return;
  try {
    ui.liveGroups = await get(`/api/meetings/${encodeURIComponent(meetingID)}/groups/live`);
  } catch { return; }
  drawLive();
}

function drawLive() {
  const res = ui.liveGroups;
  if (!res || !els.liveTable) return;
  replace(els.liveTable, h('table', { class: 'counts' },
    h('thead', null, h('tr', null, h('th', null, t('cf.group_name')), h('th', null, t('cf.live_status')), h('th', null, t('cf.live_present')),
      h('th', null, t('cf.live_speaker')), h('th', null, t('cf.live_waiting')), h('th', null, t('cf.live_notes')), h('th', null, t('cf.live_opinions')))),
    h('tbody', null, res.groups.map((g) => h('tr', { testid: 'live-' + g.id, 'data-sitting': g.sitting || '', 'data-present': g.present, 'data-speaker': g.speaker || '',
      'data-waiting': g.waiting, 'data-notes': g.notes, 'data-opinions': g.opinions },
    h('td', null, g.name), h('td', null, g.sitting ? t('cf.live_sitting') + ' (' + g.number + ')' : t('cf.live_idle')),
    h('td', { class: 'num' }, g.sitting ? g.present + '/' + g.members : '—'),
    h('td', null, g.speaker ? g.speaker + ' · ' + fmtClock(g.speaking_ms || 0) : '—'),
    h('td', { class: 'num' }, String(g.waiting)), h('td', { class: 'num' }, String(g.notes)), h('td', { class: 'num' }, String(g.opinions)))))));
}

// ---- contributions ----------------------------------------------------------

function contribState(st, c) {
  if (c.withdrawn) return ['withdrawn', t('contrib.status.withdrawn')];
  const sp = c.request ? [...st.speeches].reverse().find((x) => x.request === c.request) : null;
  if (sp) return ['spoken', t('contrib.status.spoken', { time: fmtTime(sp.start), duration: sp.end ? fmtClock((sp.elapsed || 0) / 1e6) : '…' })];
  if (c.request && st.requests.some((r) => r.id === c.request)) return ['scheduled', t('contrib.status.scheduled')];
  return ['registered', t('contrib.status.registered')];
}

function drawContribs(st) {
  const list = (st.floor || {}).contributions || [];
  if (!list.length) { replace(els.contribs, h('p', { class: 'muted' }, t('cf.contrib_none'))); return; }
  const docUrl = (id) => `/api/meetings/${encodeURIComponent(meetingID)}/documents/${encodeURIComponent(id)}/content`;
  replace(els.contribs, h('table', { class: 'counts', testid: 'contrib-list' },
    h('thead', null, h('tr', null, h('th', null, t('contrib.by')), h('th', null, t('contrib.title')), h('th', null, t('contrib.status')), h('th', null, ''))),
    h('tbody', null, list.map((c) => {
      const [state, label] = contribState(st, c);
      const live_ = st.status === 'open' || st.status === 'paused';
      return h('tr', { 'data-id': c.id, 'data-status': state },
        h('td', null, participantName(st, c.participant)), h('td', null, c.title), h('td', null, label),
        h('td', null,
          h('a', { class: 'btn', href: docUrl(c.document), target: '_blank', rel: 'noopener' }, t('contrib.text')),
          state === 'registered' && live_ ? h('button', { type: 'button', class: 'btn btn-primary', testid: 'contrib-schedule-' + c.id,
            onclick: () => cmd('contribution.schedule', { id: c.id }).catch(() => {}) }, t('contrib.schedule')) : null,
          (state === 'registered' || state === 'scheduled') && st.status !== 'closed' ? h('button', { type: 'button', class: 'btn', testid: 'contrib-withdraw-' + c.id,
            onclick: () => cmd('contribution.withdraw', { id: c.id }).catch(() => {}) }, t('contrib.withdraw')) : null));
    }))));
}

function buildUploadForm() {
  const uf = els.uf = {};
  uf.participant = h('select', { testid: 'contrib-participant', id: 'uf-p' });
  uf.title = h('input', { type: 'text', testid: 'contrib-up-title', id: 'uf-title', maxlength: 480 });
  uf.file = h('input', { type: 'file', testid: 'contrib-up-file', id: 'uf-file', accept: '.pdf,.docx' });
  uf.err = h('p', { class: 'banner banner-bad', testid: 'contrib-up-error', role: 'alert', hidden: true });
  const form = h('form', { class: 'card', testid: 'contrib-upload', onsubmit: async (ev) => {
    ev.preventDefault();
    const fd = new FormData();
    fd.append('participant', uf.participant.value);
    fd.append('title', uf.title.value);
    if (uf.file.files[0]) fd.append('file', uf.file.files[0], uf.file.files[0].name);
    try {
      const r = await fetch(`/api/meetings/${encodeURIComponent(meetingID)}/contributions`, { method: 'POST', body: fd, credentials: 'same-origin' });
      const body = await r.json().catch(() => ({}));
      if (!r.ok) throw new ApiError(r.status, body);
      uf.err.hidden = true;
      uf.title.value = '';
      uf.file.value = '';
      toast(t('contrib.sent'));
    } catch (e) { uf.err.hidden = false; uf.err.textContent = errorText(e); }
  } },
  L('h2', 'cf.contrib_upload'),
  L('label', 'cf.contrib_participant', { for: 'uf-p' }), uf.participant,
  L('label', 'contrib.title', { for: 'uf-title' }), uf.title,
  L('label', 'contrib.file', { for: 'uf-file' }), uf.file, uf.err,
  L('button', 'contrib.submit', { type: 'submit', class: 'btn btn-primary', testid: 'contrib-up-submit' }));
  const fill = () => {
    const st = live && live.state;
    if (!st) return;
    const people = st.participants.filter((p) => ['delegate', 'chair', 'secretary'].includes(p.role));
    if (uf.participant.childElementCount === people.length) return;
    const v = uf.participant.value;
    replace(uf.participant, people.map((p) => h('option', { value: p.id, selected: p.id === v }, p.name)));
  };
  form.addEventListener('focusin', fill);
  setInterval(fill, 1000);
  return form;
}

boot();
