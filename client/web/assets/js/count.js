// count.js — the entry station (/count) of paper ballots (docs/paper.md):
// for the members of the counting committee (Ban Kiểm phiếu) and the
// technicians it names, nobody else. Keyboard first: a bundle number and
// Enter, then one line per ballot and Enter; Ctrl+Z undoes the last ballot,
// Ctrl+Enter finishes the bundle. Every ballot is one command (paper.enter)
// acknowledged by the server once durable; the page shows the running
// count of the bundle, and never another station's entries before the
// bundle is complete. Committee members also record the ballots issued
// and returned, name the technicians, and decide the flagged ballots.
//
// Sign-in: a pairing code (/count#code=… or typed), the device session of
// a tablet already paired, or a secretary's session (?meeting=<id>) to
// watch. The poll: ?poll=<id>, else the open paper poll.
//
// data-testid contract:
//   pair-form, pair-code, pair-submit, pair-error, conn-status, lang-toggle,
//   count-poll-<poll id> (choose a poll), count-none (no paper poll open),
//   count-title, count-station (data-station), count-operator, count-legend,
//   bundle-input, bundle-start, bundle-current (data-bundle),
//   entry-input, entry-count (data-count), entry-last, entry-error,
//   undo-button, finish-button, finish-confirm, finish-cancel,
//   summary (data-entered, data-flagged, data-unresolved, data-incomplete),
//   ready (data-ready "1" when the counting can close), print-ballots,
//   entry-log, counts-issued, counts-returned, counts-save, counts-error,
//   tech-<participant id> (checkbox), tech-save,
//   flag-<bundle>-<position> (a flagged ballot; data-decided "1"),
//   decide-marks-<b>-<p>, decide-absent-<b>-<p>, decide-note-<b>-<p>,
//   decide-save-<b>-<p>, decide-error-<b>-<p>, bundles (the bundles' table).
import { get, errorText, post } from './api.js';
import { Live } from './live.js';
import { loadKernel } from './kernel.js';
import { t, applyI18n, langButton, extend, lang } from './i18n.js';
import { h, replace, statusBadge, rosterOf, onRoster, rosterEvent } from './ui.js';

extend({
  vi: {
    'count.app': 'Nhập phiếu', 'count.pair': 'Nhập mã ghép nối của máy nhập phiếu',
    'count.none': 'Chưa có cuộc bỏ phiếu giấy nào đang kiểm phiếu.',
    'count.choose': 'Chọn cuộc bỏ phiếu giấy', 'count.forbidden': 'Chỉ Ban Kiểm phiếu và kỹ thuật viên được Ban chỉ định mới được nhập phiếu.',
    'count.station': 'Máy nhập', 'count.new_station': 'máy mới', 'count.operator': 'Người nhập',
    'count.bundle': 'Tệp phiếu số', 'count.start': 'Bắt đầu / tiếp tục', 'count.bundle_done': 'Máy này đã nhập xong tệp {n}.',
    'count.bundle_full': 'Tệp {n} đã đủ số lần nhập.', 'count.in_bundle': 'Tệp {n}: đã nhập {c} phiếu',
    'count.next': 'Phiếu số {p}', 'count.saved': 'Đã lưu phiếu {p}: {m}', 'count.undone': 'Đã hủy phiếu {p}.',
    'count.undo': 'Hủy phiếu vừa nhập (Ctrl+Z)', 'count.finish': 'Nhập xong tệp (Ctrl+Enter)',
    'count.finish_ask': 'Kết thúc tệp {n} với {c} phiếu? Sau khi kết thúc, máy này không sửa được tệp này nữa.', 'count.confirm': 'Kết thúc tệp', 'count.cancel': 'Tiếp tục nhập',
    'count.legend': 'Danh sách trên phiếu', 'count.keys': 'Cách nhập',
    'count.keys.strike': 'Gõ số thứ tự các tên bị gạch, cách nhau bằng dấu cách, rồi Enter. Phiếu không gạch tên nào: chỉ Enter.',
    'count.keys.approve': 'Mọi dòng là “Đồng ý” trừ các số gõ vào: 4 = Không đồng ý, 4+ = đánh cả hai ô, 4. = không đánh ô nào; rồi Enter.',
    'count.keys.single': '1 = Đồng ý, 2 = Không đồng ý, 3 = đánh cả hai ô, 0 = không đánh ô nào; rồi Enter.',
    'count.keys.vote': 'Gõ số các ô được đánh dấu (1 Tán thành, 2 Không tán thành, 3 Không biểu quyết); 0 = không đánh ô nào; rồi Enter.',
    'count.keys.rating': 'Mỗi người một chữ số theo thứ tự trên phiếu: mức được đánh dấu (1 là mức cao nhất), 0 = không đánh, 8 = tên bị gạch, 9 = đánh nhiều ô; rồi Enter.',
    'count.keys.void': 'Phiếu không hợp lệ: /1 không có dấu của Ban Kiểm phiếu, /2 ghi thêm tên, /3 viết thêm nội dung khác, /4 phiếu rách hoặc hỏng.',
    'count.keys.more': 'Ctrl+Z: hủy phiếu vừa nhập. Ctrl+Enter: nhập xong tệp. Esc: xóa dòng đang gõ.',
    'count.bad': 'Không hiểu “{x}”.', 'count.refused': 'Phiếu số {p} (“{x}”) chưa được lưu:', 'count.rows': 'Phiếu có {n} người: cần đúng {n} chữ số (đã gõ {c}).',
    'count.summary': 'Tình hình kiểm phiếu', 'count.sum.times': 'Số lần nhập mỗi phiếu', 'count.sum.issued': 'Số phiếu phát ra', 'count.sum.returned': 'Số phiếu thu vào',
    'count.sum.keyed': 'Số phiếu đã có lượt nhập', 'count.sum.entered': 'Số phiếu đã đối chiếu xong', 'count.sum.flagged': 'Có khác biệt', 'count.sum.decided': 'Đã quyết định',
    'count.sum.unresolved': 'Chưa quyết định', 'count.sum.incomplete': 'Tệp chưa nhập đủ',
    'count.ready': 'Đã đối chiếu xong: thư ký hoặc chủ tọa có thể kết thúc kiểm phiếu.', 'count.print': 'In phiếu bầu (PDF)', 'count.log': 'Nhật ký nhập phiếu (PDF)',
    'count.committee': 'Ban Kiểm phiếu', 'count.counts': 'Số phiếu phát ra và thu vào', 'count.save': 'Ghi',
    'count.techs': 'Kỹ thuật viên được chỉ định nhập phiếu', 'count.no_techs': 'Chưa có người tham dự nào có vai trò kỹ thuật viên.',
    'count.flags': 'Phiếu có khác biệt giữa các lần nhập', 'count.no_flags': 'Chưa có phiếu nào có khác biệt.',
    'count.col.bundle': 'Tệp', 'count.col.pos': 'Phiếu số', 'count.col.entry': 'Lần nhập {n}', 'count.missing': '(không có phiếu ở vị trí này)', 'count.none_struck': '(không gạch tên nào)', 'count.col.decision': 'Quyết định của Ban Kiểm phiếu',
    'count.absent': 'Không có phiếu', 'count.note': 'Lý do (bắt buộc)', 'count.decide': 'Ghi quyết định', 'count.decided': '{m} — {by}, {at}: {note}',
    'count.bundles': 'Các tệp phiếu', 'count.col.entries': 'Lượt nhập', 'count.col.state': 'Tình trạng', 'count.complete': 'Đủ', 'count.keying': 'Đang nhập',
    'count.result': 'Kết quả đã được kiểm', 'count.closed': 'Cuộc bỏ phiếu này đã kết thúc kiểm phiếu.',
  },
  en: {
    'count.app': 'Ballot entry', 'count.pair': 'Enter the pairing code of this entry station',
    'count.none': 'No paper poll is being counted.',
    'count.choose': 'Choose a paper poll', 'count.forbidden': 'Only the counting committee and the technicians it names may key ballots.',
    'count.station': 'Station', 'count.new_station': 'new station', 'count.operator': 'Operator',
    'count.bundle': 'Bundle no.', 'count.start': 'Start / resume', 'count.bundle_done': 'This station has finished bundle {n}.',
    'count.bundle_full': 'Bundle {n} has all its entries.', 'count.in_bundle': 'Bundle {n}: {c} ballots keyed',
    'count.next': 'Ballot {p}', 'count.saved': 'Saved ballot {p}: {m}', 'count.undone': 'Ballot {p} undone.',
    'count.undo': 'Undo the last ballot (Ctrl+Z)', 'count.finish': 'Finish the bundle (Ctrl+Enter)',
    'count.finish_ask': 'Finish bundle {n} with {c} ballots? This station cannot change it afterwards.', 'count.confirm': 'Finish the bundle', 'count.cancel': 'Keep keying',
    'count.legend': 'The names on the ballot', 'count.keys': 'How to key',
    'count.keys.strike': 'Type the numbers of the struck names, separated by spaces, then Enter. Nothing struck: Enter alone.',
    'count.keys.approve': 'Every row is “Agree” except the numbers typed: 4 = Disagree, 4+ = both boxes, 4. = no box; then Enter.',
    'count.keys.single': '1 = Agree, 2 = Disagree, 3 = both boxes, 0 = no box; then Enter.',
    'count.keys.vote': 'Type the boxes marked (1 In favour, 2 Against, 3 Abstaining); 0 = no box; then Enter.',
    'count.keys.rating': 'One digit per name in ballot order: the level marked (1 the best), 0 = none, 8 = name struck, 9 = several boxes; then Enter.',
    'count.keys.void': 'Invalid ballot: /1 not stamped by the committee, /2 a name added, /3 other writing, /4 torn or spoiled.',
    'count.keys.more': 'Ctrl+Z: undo the last ballot. Ctrl+Enter: finish the bundle. Esc: clear the line.',
    'count.bad': 'Cannot read “{x}”.', 'count.refused': 'Ballot {p} (“{x}”) was not saved:', 'count.rows': 'The ballot has {n} names: type exactly {n} digits (typed {c}).',
    'count.summary': 'Counting so far', 'count.sum.times': 'Entries per ballot', 'count.sum.issued': 'Ballots issued', 'count.sum.returned': 'Ballots returned',
    'count.sum.keyed': 'Ballots keyed at least once', 'count.sum.entered': 'Ballots reconciled', 'count.sum.flagged': 'Entries differing', 'count.sum.decided': 'Decided',
    'count.sum.unresolved': 'Not decided', 'count.sum.incomplete': 'Bundles not fully keyed',
    'count.ready': 'Everything reconciled: the secretary or the chair can close the count.', 'count.print': 'Print the ballots (PDF)', 'count.log': 'Entry log (PDF)',
    'count.committee': 'Counting committee', 'count.counts': 'Ballots issued and returned', 'count.save': 'Save',
    'count.techs': 'Technicians named to key ballots', 'count.no_techs': 'No participant has the technician role.',
    'count.flags': 'Ballots whose entries differ', 'count.no_flags': 'No ballot differs so far.',
    'count.col.bundle': 'Bundle', 'count.col.pos': 'Ballot', 'count.col.entry': 'Entry {n}', 'count.missing': '(no ballot at this position)', 'count.none_struck': '(nothing struck)', 'count.col.decision': 'The committee’s decision',
    'count.absent': 'No ballot', 'count.note': 'Why (required)', 'count.decide': 'Record the decision', 'count.decided': '{m} — {by}, {at}: {note}',
    'count.bundles': 'Bundles', 'count.col.entries': 'Entries', 'count.col.state': 'State', 'count.complete': 'Complete', 'count.keying': 'Being keyed',
    'count.result': 'The result counted', 'count.closed': 'This poll has been counted.',
  },
});

const app = document.getElementById('app');
document.body.classList.add('count');
const VOID = ['unstamped', 'unknown_candidate', 'writing', 'spoiled']; // meeting.PaperVoidReasons, /1../4
let me = null, live = null, meetingID = '', pollID = '', view = null, bundle = 0, refreshing = null, again = false;
// keyed is how many ballots of the current bundle the server acknowledged
// at this station (the next position is keyed + 1); pending counts the
// commands not answered yet. With nothing pending, the server's view is the
// truth and keyed follows it.
let fixedPoll = false; // ?poll= names the poll
let keyed = 0, pending = 0, acks = 0; // acks: answers received (a view fetched before one is stale)
const els = {};

// ---- keyed text → marks (docs/paper.md) ------------------------------------

// parseMarks turns one keyed line into the marks of a ballot of form, or
// throws an Error with a message for the station.
export function parseMarks(text, form, names) {
  const s = text.trim();
  const bad = (x) => { throw new Error(t('count.bad', { x })); };
  const m = /^\/([1-4])$/.exec(s);
  if (m) return { void: VOID[Number(m[1]) - 1] };
  if (s.startsWith('/')) bad(s);
  const tokens = s === '' ? [] : s.split(/[\s,;]+/).filter(Boolean);
  const num = (x) => (/^\d{1,4}$/.test(x) ? Number(x) : bad(x));
  switch (form) {
    case 'strike': {
      const struck = tokens.map(num);
      return struck.length ? { struck } : {};
    }
    case 'approve': {
      const agree = new Set(Array.from({ length: names }, (_, i) => i + 1));
      const disagree = new Set();
      for (const tok of tokens) {
        const mm = /^(\d{1,4})([+.]?)$/.exec(tok) || bad(tok);
        const n = Number(mm[1]);
        if (mm[2] === '+') disagree.add(n);
        else if (mm[2] === '.') agree.delete(n);
        else { agree.delete(n); disagree.add(n); }
        if (n < 1 || n > names) return { agree: [...agree], disagree: [...disagree, n] }; // the server names the bad number
      }
      return pack({ agree: [...agree], disagree: [...disagree] });
    }
    case 'single': {
      const d = { '1': { agree: [1] }, '2': { disagree: [1] }, '3': { agree: [1], disagree: [1] }, '0': {} }[s.replace(/\s/g, '')];
      return d || bad(s);
    }
    case 'vote': {
      const digits = s.replace(/[\s,]/g, '');
      if (digits === '0' || digits === '') return {};
      if (!/^\d+$/.test(digits)) bad(s);
      return { boxes: [...digits].map(Number) };
    }
    case 'rating': {
      const digits = s.replace(/\s/g, '');
      if (!/^\d*$/.test(digits)) bad(s);
      if (digits.length !== names) throw new Error(t('count.rows', { n: names, c: digits.length }));
      return { rows: [...digits].map(Number) };
    }
  }
  return bad(s);
}

function pack(m) {
  const out = {};
  for (const [k, v] of Object.entries(m)) if (v.length) out[k] = v.sort((a, b) => a - b);
  return out;
}

// showMarks renders marks as they are keyed (meeting.PaperMarks.String).
function showMarks(m) {
  if (!m) return '—';
  if (m.void) return '/' + (VOID.indexOf(m.void) + 1) + ' (' + t('reason.' + m.void) + ')';
  if (m.rows) return m.rows.join('');
  if (m.boxes) return m.boxes.join('');
  if (m.struck) return m.struck.join(' ');
  if (view && view.poll.form === 'strike') return t('count.none_struck');
  if (view && view.poll.form === 'vote') return '0';
  const parts = (m.agree || []).map((x) => x + '✓').concat((m.disagree || []).map((x) => x + '✗'));
  return parts.length ? parts.join(' ') : '—';
}

// ---- start -------------------------------------------------------------------

async function boot() {
  document.title = t('count.app') + ' · ' + t('app.name');
  applyI18n();
  window.addEventListener('phonghop:lang', () => {
    document.title = t('count.app') + ' · ' + t('app.name');
    if (!view || !els.shell) return;
    // The station is built again in the new language, keeping what it shows.
    const keep = { err: els.error.hidden ? '' : els.error.textContent, last: els.last.textContent, bundle: els.bundleInput.value };
    els.shell = false;
    render();
    if (keep.err) showError(keep.err);
    els.last.textContent = keep.last;
    els.bundleInput.value = keep.bundle;
  });
  const params = new URLSearchParams(location.search);
  pollID = params.get('poll') || '';
  fixedPoll = Boolean(pollID);
  const code = new URLSearchParams(location.hash.slice(1)).get('code');
  if (code) {
    history.replaceState(null, '', location.pathname + location.search);
    return pair(code);
  }
  let who = null;
  try { who = await get('/api/me'); } catch { /* not signed in */ }
  if (who && who.kind === 'device') { me = who; return start(who.meeting); }
  if (who && who.kind === 'account' && params.get('meeting')) { me = who; return start(params.get('meeting')); }
  showPair();
}

async function pair(code) {
  try {
    me = await post('/api/pair', { code: code.trim() });
    return start(me.meeting);
  } catch (e) {
    showPair(errorText(e), code);
  }
}

function showPair(error = '', code = '') {
  const input = h('input', { id: 'code', testid: 'pair-code', value: code, autocomplete: 'one-time-code', autocapitalize: 'characters', spellcheck: 'false' });
  replace(app, h('main', null, h('form', { class: 'card', testid: 'pair-form', onsubmit: (e) => { e.preventDefault(); pair(input.value); } },
    h('h1', null, t('count.app')), h('label', { for: 'code' }, t('count.pair')), input,
    h('div', { class: 'row', style: 'margin-top:1rem' }, h('button', { type: 'submit', class: 'btn btn-primary btn-big', testid: 'pair-submit' }, t('pair.submit')), langButton()),
    h('p', { role: 'alert', testid: 'pair-error', hidden: !error, class: 'banner banner-bad' }, error))));
  input.focus();
}

async function start(id) {
  meetingID = id;
  replace(app, h('main', null, h('p', { role: 'status' }, t('loading'))));
  const kernel = await loadKernel();
  const conn = h('span');
  els.status = statusBadge(conn);
  els.body = h('div');
  replace(app, h('main', null, h('div', { class: 'row', style: 'justify-content:flex-end;gap:.5rem' }, conn, langButton()), els.body));
  live = new Live({
    meeting: id, kernel,
    onChange: () => {
      // The poll counted, another paper poll opened: go to it (unless the
      // address names the poll).
      const open = (live.state.polls || []).filter((p) => p.paper && p.status === 'open');
      if (pollID && !fixedPoll && !open.some((p) => p.id === pollID) && open.length) pollID = '';
      if (!pollID) choosePoll(); else refreshSoon();
    },
    onStatus: (s) => { els.status(s); if (s === 'online' && pollID) refresh(); },
    onEnded: () => { live = null; showPair(t('status.ended')); },
    onEvent: (e) => rosterEvent(id, e),
  });
  onRoster(() => { if (live && pollID) refreshSoon(); });
  globalThis.phonghop = { live, parseMarks }; // for debugging and the browser tests
  live.start();
}

// choosePoll picks the poll: the only open paper poll, or asks.
function choosePoll() {
  const polls = (live.state.polls || []).filter((p) => p.paper && p.status === 'open');
  const use = (id) => { pollID = id; bundle = 0; keyed = 0; refresh(); };
  if (polls.length === 1) { use(polls[0].id); return; }
  els.shell = false; // the chooser replaces the station: build it again after
  if (!polls.length) { replace(els.body, h('p', { class: 'card', testid: 'count-none' }, t('count.none'))); return; }
  replace(els.body, h('div', { class: 'card' }, h('h1', null, t('count.choose')),
    h('ul', { class: 'names' }, polls.map((p) => h('li', null, h('button', { class: 'btn btn-big', testid: 'count-poll-' + p.id, onclick: () => use(p.id) }, p.question))))));
}

// refreshSoon refreshes at most once a second: other stations' events and
// this station's own ballots change only the summary and the bundles'
// table, and ten stations keying must not make the server compute ten
// views per ballot.
let soon = null;
function refreshSoon() {
  if (soon) return;
  soon = setTimeout(() => { soon = null; refresh(); }, 1000);
}

// refresh fetches the station's view of the poll (one request at a time;
// another asked meanwhile runs once more after it).
async function refresh() {
  if (refreshing) { again = true; return refreshing; }
  refreshing = (async () => {
    do {
      again = false;
      try {
        const before = acks;
        view = await get(`/api/meetings/${encodeURIComponent(meetingID)}/polls/${encodeURIComponent(pollID)}/paper`);
        if (!pending && acks === before && bundle) keyed = mine(bundle).marks.length;
        render();
      } catch (e) {
        replace(els.body, h('p', { role: 'alert', class: 'banner banner-bad', testid: 'count-forbidden' }, errorText(e)));
      }
    } while (again);
  })();
  try { await refreshing; } finally { refreshing = null; }
}

// ---- the station -------------------------------------------------------------

function stationLabel(id) {
  const i = view.stations.indexOf(id);
  return i < 0 ? t('count.new_station') : 'Máy ' + (i + 1);
}

function mine(n) {
  const b = view.bundles.find((x) => x.bundle === n);
  return { b, entry: b && b.entries.find((e) => e.mine), marks: (b && b.mine) || [] };
}

function render() {
  if (!els.shell) buildShell();
  const v = view;
  els.title.textContent = v.poll.question;
  els.station.textContent = t('count.station') + ': ' + stationLabel(v.me.station) + ' (' + (v.me.station || '—') + ')';
  els.station.dataset.station = v.me.station || '';
  els.operator.textContent = v.me.name ? t('count.operator') + ': ' + v.me.name : '';
  els.keys.textContent = t('count.keys.' + v.poll.form);
  replace(els.legend, v.poll.names.map((n) => h('li', null, n)));
  if (v.poll.form === 'rating' && v.poll.levels) els.levels.textContent = v.poll.levels.map((l, i) => (i + 1) + ' = ' + t('level.' + l)).join('; ');
  const canKey = (v.me.member || v.me.technician) && v.poll.status === 'open';
  els.entryCard.hidden = !canKey;
  els.closed.hidden = v.poll.status === 'open';
  renderBundle();
  renderSummary();
  renderCommittee();
  renderBundles();
}

function buildShell() {
  els.shell = true;
  els.title = h('h1', { testid: 'count-title' });
  els.station = h('span', { class: 'count-station', testid: 'count-station' });
  els.operator = h('span', { testid: 'count-operator' });
  els.bundleInput = h('input', { class: 'count-bundle', testid: 'bundle-input', inputmode: 'numeric', autocomplete: 'off', 'aria-label': t('count.bundle') });
  els.bundleInput.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); startBundle(); } });
  els.bundleNow = h('p', { class: 'count-big', testid: 'bundle-current' });
  els.count = h('span', { testid: 'entry-count' });
  els.input = h('input', { class: 'count-entry', testid: 'entry-input', autocomplete: 'off', spellcheck: 'false', 'aria-label': t('count.app') });
  els.input.addEventListener('keydown', onKey);
  els.last = h('p', { class: 'count-last', testid: 'entry-last', role: 'status' });
  els.error = h('p', { class: 'banner banner-bad count-error', testid: 'entry-error', role: 'alert', hidden: true });
  els.confirm = h('div', { class: 'banner', hidden: true, testid: 'finish-dialog' });
  els.keys = h('p');
  els.levels = h('p');
  els.legend = h('ol', { class: 'count-legend', testid: 'count-legend' });
  els.entryCard = h('section', { class: 'card' },
    h('div', { class: 'row', style: 'gap:1rem;align-items:center' }, h('label', null, t('count.bundle') + ' '), els.bundleInput,
      h('button', { class: 'btn', testid: 'bundle-start', onclick: startBundle }, t('count.start'))),
    els.bundleNow, els.input, els.last, els.error, els.confirm,
    h('div', { class: 'row', style: 'gap:.75rem;margin-top:.5rem' },
      h('button', { class: 'btn', testid: 'undo-button', onclick: undo }, t('count.undo')),
      h('button', { class: 'btn', testid: 'finish-button', onclick: askFinish }, t('count.finish'))));
  els.closed = h('p', { class: 'card', testid: 'count-closed', hidden: true }, t('count.closed'));
  els.summary = h('section', { class: 'card', testid: 'summary' });
  els.committee = h('section', { class: 'card', hidden: true });
  els.flags = h('section', { class: 'card count-flags', hidden: true });
  els.bundles = h('section', { class: 'card count-flags', testid: 'bundles' });
  replace(els.body,
    h('header', { class: 'count-head card' }, els.title, els.station, els.operator),
    h('div', { class: 'count-grid' },
      h('div', null, els.entryCard, els.closed, els.committee),
      h('div', null, els.summary,
        h('section', { class: 'card count-keys' }, h('h2', null, t('count.keys')), els.keys, els.levels, h('p', null, t('count.keys.void')), h('p', null, t('count.keys.more'))),
        h('section', { class: 'card' }, h('h2', null, t('count.legend')), els.legend), els.bundles)),
    els.flags);
  els.bundleInput.focus();
}

function renderBundle() {
  if (!bundle) {
    els.bundleNow.textContent = '';
    els.count.dataset.count = '0';
    els.input.disabled = true;
    return;
  }
  const { b, entry } = mine(bundle);
  els.bundleNow.dataset.bundle = String(bundle);
  replace(els.bundleNow, t('count.in_bundle', { n: bundle, c: keyed }), ' · ', els.count);
  els.count.textContent = t('count.next', { p: keyed + 1 });
  els.count.dataset.count = String(keyed);
  let blocked = '';
  if (entry && entry.finished) blocked = t('count.bundle_done', { n: bundle });
  else if (!entry && b && b.entries.length >= view.times) blocked = t('count.bundle_full', { n: bundle });
  els.input.disabled = Boolean(blocked);
  if (blocked) showError(blocked);
}

function startBundle() {
  const n = Number(els.bundleInput.value.trim());
  if (!Number.isInteger(n) || n < 1) { showError(t('count.bad', { x: els.bundleInput.value })); return; }
  bundle = n;
  keyed = mine(n).marks.length;
  hideError();
  els.last.textContent = '';
  renderBundle();
  if (!els.input.disabled) els.input.focus();
}

function showError(msg) { els.error.textContent = msg; els.error.hidden = false; }
function hideError() { els.error.hidden = true; els.error.textContent = ''; }

async function onKey(e) {
  if (e.key === 'Enter' && e.ctrlKey) { e.preventDefault(); askFinish(); return; }
  if (e.key === 'z' && e.ctrlKey) { e.preventDefault(); undo(); return; }
  if (e.key === 'Escape') { els.input.value = ''; hideError(); return; }
  if (e.key !== 'Enter') return;
  e.preventDefault();
  if (!els.confirm.hidden) { finish(); return; }
  await enter();
}

// pending keeps keyed lines in order while the server acknowledges them:
// the operator keys on without waiting, each line is sent after the last
// one's acknowledgement (positions must follow each other).
let chain = Promise.resolve();

function enter() {
  const text = els.input.value;
  let marks;
  try { marks = parseMarks(text, view.poll.form, view.poll.names.length); } catch (err) { showError(err.message); return Promise.resolve(); }
  els.input.value = '';
  hideError();
  const b = bundle;
  pending++;
  chain = chain.then(async () => {
    const pos = keyed + 1;
    try {
      await live.command('paper.enter', { poll: pollID, bundle: b, position: pos, marks });
      if (b === bundle) keyed = pos;
      els.last.textContent = t('count.saved', { p: pos, m: showMarks(marks) });
      renderBundle();
    } catch (err) {
      // The line is not kept in the field (the operator may be typing the
      // next one): the message repeats it.
      showError(t('count.refused', { p: pos, x: text }) + ' ' + errorText(err));
    } finally { pending--; acks++; }
    refreshSoon(); // the running count is ours; the summary can wait a moment
  });
  return chain;
}

function undo() {
  pending++;
  chain = chain.then(async () => {
    const pos = keyed;
    try {
      await live.command('paper.undo', { poll: pollID, bundle, position: pos });
      keyed = pos - 1;
      els.last.textContent = t('count.undone', { p: pos });
      hideError();
      renderBundle();
    } catch (err) { showError(errorText(err)); } finally { pending--; acks++; }
    refresh();
  });
  return chain;
}

function askFinish() {
  const c = keyed;
  replace(els.confirm, h('p', null, t('count.finish_ask', { n: bundle, c })),
    h('div', { class: 'row', style: 'gap:.75rem' },
      h('button', { class: 'btn btn-primary', testid: 'finish-confirm', onclick: finish }, t('count.confirm')),
      h('button', { class: 'btn', testid: 'finish-cancel', onclick: () => { els.confirm.hidden = true; els.input.focus(); } }, t('count.cancel'))));
  els.confirm.hidden = false;
}

function finish() {
  els.confirm.hidden = true;
  pending++;
  chain = chain.then(async () => {
    const c = keyed;
    try {
      await live.command('paper.finish', { poll: pollID, bundle, count: c });
      els.last.textContent = t('count.bundle_done', { n: bundle });
      bundle = 0;
      keyed = 0;
      els.bundleInput.value = '';
      hideError();
      renderBundle();
      els.bundleInput.focus(); // the next bundle (never later: the operator may be typing already)
    } catch (err) { showError(errorText(err)); } finally { pending--; acks++; }
    refresh();
  });
  return chain;
}

// ---- summary, committee, flags -------------------------------------------------

function renderSummary() {
  const v = view;
  const row = (k, val) => [h('span', null, t(k)), h('b', null, String(val))];
  const s = els.summary;
  s.dataset.entered = v.entered; s.dataset.flagged = v.flagged; s.dataset.unresolved = v.unresolved; s.dataset.incomplete = v.incomplete;
  const base = `/api/meetings/${encodeURIComponent(meetingID)}/polls/${encodeURIComponent(pollID)}/paper`;
  replace(s, h('h2', null, t('count.summary')),
    h('div', { class: 'count-sum' }, row('count.sum.times', v.times), row('count.sum.issued', v.recorded ? v.issued : '—'), row('count.sum.returned', v.recorded ? v.returned : '—'),
      row('count.sum.keyed', v.keyed), row('count.sum.entered', v.entered), row('count.sum.flagged', v.flagged), row('count.sum.decided', v.decided),
      row('count.sum.unresolved', v.unresolved), row('count.sum.incomplete', v.incomplete)),
    v.ready ? h('p', { testid: 'ready', 'data-ready': '0', class: 'banner' }, v.ready.message)
      : h('p', { testid: 'ready', 'data-ready': '1', class: 'count-ok' }, v.poll.status === 'open' ? t('count.ready') : t('count.closed')),
    (v.me.member || v.me.staff) ? h('p', null, h('a', { href: base + '/ballots?copies=1', target: '_blank', testid: 'print-ballots' }, t('count.print')), ' · ',
      h('a', { href: base + '/log?format=pdf', target: '_blank', testid: 'entry-log' }, t('count.log'))) : null);
}

function renderCommittee() {
  const v = view;
  els.committee.hidden = !v.me.member || v.poll.status !== 'open';
  els.flags.hidden = !(v.me.member || v.me.staff);
  if (!els.committee.hidden) {
    const issued = h('input', { testid: 'counts-issued', inputmode: 'numeric', value: v.recorded ? v.issued : '', 'aria-label': t('count.sum.issued') });
    const returned = h('input', { testid: 'counts-returned', inputmode: 'numeric', value: v.recorded ? v.returned : '', 'aria-label': t('count.sum.returned') });
    const err = h('p', { class: 'banner banner-bad', hidden: true, testid: 'counts-error', role: 'alert' });
    const save = async () => {
      try { await live.command('paper.record_counts', { poll: pollID, issued: Number(issued.value), returned: Number(returned.value) }); err.hidden = true; } catch (e) { err.textContent = errorText(e); err.hidden = false; }
      refresh();
    };
    const techs = rosterOf(live.state).filter((p) => p.role === 'technician'); // a member's view is lean: the roster comes by REST (ui.js)
    const named = new Set(live.state.technicians || []);
    const boxes = techs.map((p) => h('label', { style: 'display:block' }, h('input', { type: 'checkbox', testid: 'tech-' + p.id, value: p.id, checked: named.has(p.id) }), ' ', p.name));
    const saveTechs = async () => {
      try { await live.command('paper.technicians', { participants: boxes.map((l) => l.firstChild).filter((c) => c.checked).map((c) => c.value) }); } catch (e) { err.textContent = errorText(e); err.hidden = false; }
    };
    // Keep what is being typed: rebuild only when nothing here has focus,
    // and only when what it shows changed (as renderFlags).
    const key = JSON.stringify([lang(), v.recorded, v.issued, v.returned, techs.map((p) => [p.id, p.name]), [...named]]);
    if (!els.committee.contains(document.activeElement) && els.committee.drawn !== key) {
      els.committee.drawn = key;
      replace(els.committee, h('h2', null, t('count.committee')),
        h('h3', null, t('count.counts')),
        h('div', { class: 'row', style: 'gap:.75rem;align-items:center' }, h('span', null, t('count.sum.issued')), issued, h('span', null, t('count.sum.returned')), returned,
          h('button', { class: 'btn', testid: 'counts-save', onclick: save }, t('count.save'))), err,
        h('h3', null, t('count.techs')), techs.length ? boxes : h('p', null, t('count.no_techs')),
        techs.length ? h('button', { class: 'btn', testid: 'tech-save', onclick: saveTechs }, t('count.save')) : null);
    }
  }
  if (!els.flags.hidden && !els.flags.contains(document.activeElement)) renderFlags();
}

// renderFlags redraws the differences only when they changed: a redraw
// replaces the decision fields, and one arriving as a member reaches for a
// field (other stations' events refresh the view every second) would take
// it from under the pointer.
function renderFlags() {
  const v = view;
  const key = JSON.stringify([lang(), v.times, v.stations, v.me.member, v.poll.status, v.poll.form,
    v.bundles.map((b) => [b.bundle, b.slots || [], b.entries.map((e) => e.station)])]);
  if (els.flags.drawn === key) return; // a property of this shell's element: a new shell draws again
  els.flags.drawn = key;
  const slots = [];
  for (const b of v.bundles) for (const sl of (b.slots || [])) slots.push({ b, sl });
  if (!slots.length) { replace(els.flags, h('h2', null, t('count.flags')), h('p', null, t('count.no_flags'))); return; }
  const n = v.times;
  const head = h('tr', null, h('th', null, t('count.col.bundle')), h('th', null, t('count.col.pos')),
    Array.from({ length: n }, (_, i) => h('th', null, t('count.col.entry', { n: i + 1 }))), h('th', null, t('count.col.decision')));
  const rows = slots.map(({ b, sl }) => {
    const id = b.bundle + '-' + sl.position;
    let decision;
    if (sl.decision) {
      decision = t('count.decided', { m: sl.decision.absent ? t('count.absent') : showMarks(sl.decision.marks), by: sl.decision.by, at: sl.decision.at, note: sl.decision.note });
    }
    let form = null;
    if (v.me.member && v.poll.status === 'open') {
      const marks = h('input', { type: 'text', testid: 'decide-marks-' + id, 'aria-label': t('count.col.decision') });
      const absent = h('input', { type: 'checkbox', testid: 'decide-absent-' + id });
      const note = h('input', { type: 'text', testid: 'decide-note-' + id, placeholder: t('count.note'), 'aria-label': t('count.note') });
      const err = h('p', { class: 'banner banner-bad', hidden: true, testid: 'decide-error-' + id, role: 'alert' });
      const save = async () => {
        const data = { poll: pollID, bundle: b.bundle, position: sl.position, note: note.value };
        try {
          if (absent.checked) data.absent = true; else data.marks = parseMarks(marks.value, v.poll.form, v.poll.names.length);
          await live.command('paper.decide', data);
          err.hidden = true;
          document.activeElement.blur();
        } catch (e) { err.textContent = e.message && !e.kind ? e.message : errorText(e); err.hidden = false; }
        refresh();
      };
      note.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); save(); } });
      form = h('div', { class: 'count-decide' }, marks, h('label', null, absent, ' ', t('count.absent')), note,
        h('button', { class: 'btn', testid: 'decide-save-' + id, onclick: save }, t('count.decide')), err);
    }
    return h('tr', { testid: 'flag-' + id, 'data-decided': sl.decision ? '1' : '0' }, h('td', null, String(b.bundle)), h('td', null, String(sl.position)),
      sl.keyed.map((k, i) => h('td', { class: 'diff', 'data-entry': String(i + 1) }, h('small', null, stationLabel(b.entries[i].station)), h('br'),
        sl.entries[i] ? showMarks(sl.entries[i]) : t('count.missing'))),
      h('td', null, decision ? h('p', null, decision) : null, form));
  });
  replace(els.flags, h('h2', null, t('count.flags')), h('table', { class: 'count-decisions' }, h('thead', null, head), h('tbody', null, rows)));
}

function renderBundles() {
  const v = view;
  const head = h('tr', null, h('th', null, t('count.col.bundle')), h('th', null, t('count.col.entries')), h('th', null, t('count.col.state')));
  const rows = v.bundles.map((b) => h('tr', { testid: 'bundle-' + b.bundle },
    h('td', null, String(b.bundle)),
    h('td', null, b.entries.map((e) => stationLabel(e.station) + ': ' + e.count + (e.finished ? ' ✓' : '')).join('; ')),
    h('td', null, b.complete ? t('count.complete') + (b.flagged ? ' · ' + t('count.sum.flagged') + ' ' + b.flagged : '') : t('count.keying'))));
  replace(els.bundles, h('h2', null, t('count.bundles')), h('table', null, h('thead', null, head), h('tbody', null, rows)));
}

boot();
