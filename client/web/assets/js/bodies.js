// bodies.js — the congress's bodies on the secretary console (docs/record.md,
// docs/rules.md §3): the Đoàn Chủ tịch (presidium), the Đoàn Thư ký
// (secretariat) and the Ban Kiểm phiếu (vote-counting committee). A body is
// proposed with its members in order, the head first, each with a post,
// chosen from the participants with a vote (body.propose); an open vote,
// a show of hands, approves it (poll.create {kind: "open", body}); when its
// result is published and passed the body is approved and signs what it
// owns (the counting committee every counting record, the presidium and
// the secretariat the minutes).
//
//   buildBodies(kit) → the card (the preparation tab)
//   renderBodies()   draws it from the meeting's state (cheap when nothing
//                    it shows changed: it runs on every event)
//
// kit is what the console lends: {h, field, btn, errBox, okBox, showOk, act,
// confirming, command, st, t, goToPoll, localError}. The texts are added to
// the console's (console-strings.js).
//
// data-testid contract:
//   bodies-card
//   body[data-kind=presidium|secretariat|counting][data-state=none|proposed|approved]
//     body-state (data-state, data-poll: the approving poll) body-approval
//     body-members > body-member[data-id] (body-member-post, body-member-head)
//     body-vote[data-poll][data-status] (the vote on it: question and status)
//     body-vote-goto[data-target] body-vote-failed body-vote-question
//     body-vote-create body-edit body-error body-result
//   body-editor[data-kind] (one open at a time)
//     body-edit-row[data-id] (body-edit-post, body-edit-make-head,
//     body-edit-up, body-edit-down, body-edit-remove; the head's row has
//     body-edit-head) body-edit-empty
//     body-edit-choices-search body-edit-choices (a searchable list:
//     picker.js)
//     body-edit-add body-edit-save body-edit-cancel body-edit-error
// Replacing a proposed or approved body's members asks first (confirm.js,
// action body.propose): an approved body then needs a new vote.
import {S} from './console-strings.js';
import {terms} from './terms.js';
import {picker} from './picker.js';
import {fmtDateTime} from './time.js';

const KINDS = ['presidium', 'secretariat', 'counting'];
const term = (key) => ({vi: terms.vi[key], en: terms.en[key]});

Object.assign(S, {
  bodies_heading: {vi: 'Các cơ quan của đại hội', en: "The congress's bodies"},
  bodies_help: {vi: 'Đề cử thành viên của Đoàn Chủ tịch, Đoàn Thư ký và Ban Kiểm phiếu trong số đại biểu có quyền biểu quyết, người đứng đầu ở dòng thứ nhất; đại hội biểu quyết công khai (giơ tay) để thông qua từng danh sách. Cơ quan đã được thông qua ký văn bản thuộc trách nhiệm của mình: Ban Kiểm phiếu ký biên bản kiểm phiếu, Đoàn Chủ tịch và Đoàn Thư ký ký biên bản.',
    en: 'Propose the members of the presidium, the secretariat and the vote-counting committee among the delegates with a vote, the head on the first line; the congress approves each list by an open vote (show of hands). An approved body signs what it is responsible for: the counting committee the counting records, the presidium and the secretariat the minutes.'},
  body_presidium: term('body.presidium'),
  body_secretariat: term('body.secretariat'),
  body_counting: term('body.counting'),
  body_none: {vi: 'Chưa đề cử', en: 'Not proposed'},
  body_proposed: term('body.proposed'),
  body_approved: term('body.approved'),
  body_approved_line: {vi: (q, at) => `Thông qua bằng biểu quyết “${q}” lúc ${at}.`, en: (q, at) => `Approved by the vote “${q}” at ${at}.`},
  body_head: {vi: 'Người đứng đầu', en: 'Head'},
  body_no_members: {vi: 'Chưa có danh sách.', en: 'No members yet.'},
  body_edit_new: {vi: 'Đề cử danh sách', en: 'Propose members'},
  body_edit: {vi: 'Sửa danh sách', en: 'Change the members'},
  body_edit_of: {vi: (x) => `Danh sách ${x}`, en: (x) => `Members of the ${x}`},
  body_search: {vi: 'Tìm đại biểu (họ tên, chức vụ, đơn vị)', en: 'Find a delegate (name, post, unit)'},
  body_choices: {vi: 'Đại biểu có quyền biểu quyết', en: 'Delegates with a vote'},
  body_add: {vi: 'Thêm vào danh sách', en: 'Add to the list'},
  body_draft_empty: {vi: 'Chưa có ai trong danh sách: tìm và chọn đại biểu, rồi bấm “Thêm vào danh sách”.', en: 'Nobody on the list yet: find and choose a delegate, then press “Add to the list”.'},
  body_post: {vi: 'Chức danh', en: 'Post'},
  body_post_of: {vi: (x) => `Chức danh của ${x}`, en: (x) => `Post of ${x}`},
  ph_body_post: {vi: 'Ví dụ: Trưởng ban, Ủy viên', en: 'e.g. Trưởng ban, Ủy viên'},
  body_make_head: {vi: 'Đặt làm người đứng đầu', en: 'Make head'},
  body_make_head_of: {vi: (x) => `Đặt làm người đứng đầu: ${x}`, en: (x) => `Make head: ${x}`},
  body_up_of: {vi: (x) => `Chuyển ${x} lên`, en: (x) => `Move ${x} up`},
  body_down_of: {vi: (x) => `Chuyển ${x} xuống`, en: (x) => `Move ${x} down`},
  body_remove: {vi: 'Bỏ', en: 'Remove'},
  body_remove_of: {vi: (x) => `Bỏ ${x} khỏi danh sách`, en: (x) => `Remove ${x} from the list`},
  body_propose: {vi: 'Đề cử', en: 'Propose'},
  body_choose_first: {vi: 'Hãy chọn một đại biểu trong danh sách.', en: 'Choose a delegate in the list.'},
  body_empty_list: {vi: 'Danh sách chưa có ai.', en: 'The list is empty.'},
  body_proposed_ok: {vi: 'Đã đề cử; tiếp theo, tạo biểu quyết thông qua.', en: 'Proposed; next, create the vote that approves it.'},
  cf_body_replace: {vi: (x) => `Thay danh sách ${x}?`, en: (x) => `Replace the members of the ${x}?`},
  cf_body_replace_msg: {vi: 'Danh sách mới thay danh sách đang đề cử và cần được biểu quyết thông qua.', en: 'The new list replaces the one proposed and needs to be approved by a vote.'},
  cf_body_replace_approved_msg: {vi: (x) => `${x} đã được biểu quyết thông qua. Danh sách mới thay danh sách đó và phải được biểu quyết thông qua lại; đến khi đó ${x} chỉ là dự kiến.`,
    en: (x) => `The ${x} was approved by a vote. The new list replaces it and must be approved by a new vote; until then the ${x} is only proposed.`},
  body_vote_question: {vi: 'Nội dung biểu quyết', en: 'Question of the vote'},
  body_vote_create: {vi: 'Tạo biểu quyết thông qua (giơ tay)', en: 'Create the approving vote (show of hands)'},
  body_vote_created: {vi: 'Đã tạo biểu quyết; mở biểu quyết ở thẻ “Điều hành phiên họp”.', en: 'The vote is created; open it in the “Live” tab.'},
  body_vote_line: {vi: (q, st) => `Biểu quyết thông qua: “${q}” — ${st}`, en: (q, st) => `Approving vote: “${q}” — ${st}`},
  body_vote_goto: {vi: 'Đến biểu quyết', en: 'Go to the vote'},
  body_vote_goto_of: {vi: (x) => `Đến biểu quyết thông qua ${x}`, en: (x) => `Go to the vote approving the ${x}`},
  body_vote_failed: {vi: (q) => `Biểu quyết “${q}” không được thông qua: đề cử lại hoặc tạo biểu quyết mới.`, en: (q) => `The vote “${q}” did not pass: propose again or create a new vote.`},
  body_need_members: {vi: 'Hãy đề cử danh sách trước khi tạo biểu quyết.', en: 'Propose the members before creating the vote.'},
});

// defaultQuestion is the question of the approving vote: Vietnamese, as
// the tablets, the hall and the minutes print it (the secretary may edit it).
function defaultQuestion(kind, n) { return `Thông qua danh sách ${terms.vi['body.' + kind]} (${n} đồng chí)`; }

let kit = null;
const ui = {boxes: {}, editing: null, draft: null, drawn: {}};

export function buildBodies(k) {
  kit = k;
  const {h} = kit;
  ui.container = h('div', {class: 'bodies'});
  for (const kind of KINDS) {
    const b = {
      root: h('section', {class: 'body-box', testid: 'body', 'data-kind': kind, 'aria-labelledby': 'body-h-' + kind}),
      head: h('h4', {id: 'body-h-' + kind, t: 'body_' + kind}),
      state: h('span', {class: 'badge wrap-badge', testid: 'body-state'}),
      view: h('div', {}),
      err: kit.errBox('body-error'),
      ok: kit.okBox('body-result'),
    };
    b.root.append(h('div', {class: 'body-head'}, b.head, b.state), b.view, b.err, b.ok);
    ui.boxes[kind] = b;
    ui.container.append(b.root);
  }
  // The editor of one body's members, under the three (as wide as the
  // card: a list of up to 100 with their posts).
  ui.editorHost = h('div', {id: 'body-editor-host'});
  return h('div', {class: 'card', testid: 'bodies-card'}, h('h3', {t: 'bodies_heading'}), h('p', {class: 'help', t: 'bodies_help'}), ui.container, ui.editorHost);
}

// reset forgets an editor left open on another meeting.
export function resetBodies() {
  ui.editing = null;
  ui.draft = null;
  ui.drawn = {};
  if (ui.editorHost) ui.editorHost.replaceChildren();
  for (const b of Object.values(ui.boxes)) b.root.classList.remove('editing');
}

function bodyOf(kind) { return ((kit.st().bodies) || []).find((b) => b.kind === kind) || null; }
function participants() { return kit.st().participants || []; }
function person(id) { return participants().find((p) => p.id === id) || {id, name: id}; }
function entitled(p) { return (p.role === 'chair' || p.role === 'secretary' || p.role === 'delegate') && !p.non_voting; }
function describe(p) { return [p.name, [p.position, p.unit].filter(Boolean).join(', ')].filter(Boolean).join(' — '); }

// votesOn returns the polls that approve kind, oldest first.
function votesOn(kind) { return (kit.st().polls || []).filter((p) => p.body === kind); }

export function renderBodies() {
  if (!kit) return;
  for (const kind of KINDS) renderBody(kind);
}

function renderBody(kind) {
  const {h, t} = kit;
  const b = ui.boxes[kind];
  const body = bodyOf(kind);
  const votes = votesOn(kind).map((p) => ({id: p.id, question: p.question, status: p.status, passed: !!(p.result && p.result.passed)}));
  const names = body ? body.members.map((m) => describe(person(m.participant))) : [];
  const key = JSON.stringify([kit.lang(), body, votes, names, kit.st().status, ui.editing === kind]);
  if (ui.drawn[kind] === key) return;
  ui.drawn[kind] = key;

  const state = !body ? 'none' : body.poll ? 'approved' : 'proposed';
  b.root.dataset.state = state;
  b.state.dataset.state = state;
  b.state.dataset.poll = body && body.poll ? body.poll : '';
  b.state.className = 'badge wrap-badge ' + {none: '', proposed: 'warn-badge', approved: 'ok-badge'}[state];
  b.state.textContent = t('body_' + state);

  const kids = [];
  if (state === 'approved') {
    const p = (kit.st().polls || []).find((x) => x.id === body.poll);
    kids.push(h('p', {class: 'muted', testid: 'body-approval'}, t('body_approved_line', p ? p.question : body.poll, fmtDateTime(body.approved_at))));
  }
  kids.push(body && body.members.length
    ? h('ol', {class: 'rows compact body-members', testid: 'body-members'}, body.members.map((m, i) => {
      const p = person(m.participant);
      return h('li', {class: 'row', testid: 'body-member', 'data-id': m.participant},
        h('span', {class: 'num'}, (i + 1) + '.'),
        h('span', {class: 'grow'}, h('span', {class: 'strong'}, p.name), p.position ? h('span', {class: 'muted'}, ' — ' + p.position) : null,
          i === 0 ? [' ', h('span', {class: 'badge', testid: 'body-member-head'}, t('body_head'))] : null),
        h('span', {testid: 'body-member-post'}, m.post || ''));
    }))
    : h('p', {class: 'muted', testid: 'body-members'}, t('body_no_members')));

  // The vote on it: the one that approved it; else the latest not
  // cancelled, while it is under way or when it failed (a vote that
  // passed on an earlier list is not this list's).
  const latest = [...votes].reverse().find((v) => v.status !== 'cancelled');
  const active = latest && (latest.status === 'draft' || latest.status === 'open' || latest.status === 'closed');
  const live = state === 'approved' ? votes.find((v) => v.id === body.poll) : latest;
  if (live && (active || state === 'approved')) {
    kids.push(h('div', {class: 'body-vote', testid: 'body-vote', 'data-poll': live.id, 'data-status': live.status},
      h('span', {class: 'grow'}, t('body_vote_line', live.question, t('ps_' + live.status))),
      h('button', {type: 'button', class: 'btn small', testid: 'body-vote-goto', 'data-target': live.id, 'aria-label': t('body_vote_goto_of', t('body_' + kind)),
        on: {click: () => kit.goToPoll(live.id)}}, t('body_vote_goto'))));
  } else if (live && live.status === 'published' && !live.passed) {
    kids.push(h('p', {class: 'notice-box', testid: 'body-vote-failed'}, t('body_vote_failed', live.question)));
  }
  const controls = h('div', {class: 'btn-row'});
  controls.append(h('button', {type: 'button', class: 'btn' + (body ? '' : ' primary'), testid: 'body-edit', 'aria-label': t(body ? 'body_edit' : 'body_edit_new') + ': ' + t('body_' + kind),
    'aria-expanded': String(ui.editing === kind), 'aria-controls': 'body-editor-host',
    on: {click: () => openEditor(kind)}}, t(body ? 'body_edit' : 'body_edit_new')));
  if (state === 'proposed' && !active) {
    const q = h('input', {type: 'text', testid: 'body-vote-question', 'data-key': 'body-q-' + kind, maxlength: 500, value: defaultQuestion(kind, body.members.length)});
    const create = h('button', {type: 'button', class: 'btn primary', testid: 'body-vote-create', t: 'body_vote_create'});
    create.addEventListener('click', async () => {
      kit.showOk(b.ok, null);
      const ok = await kit.act(create, b.err, async () => {
        const spec = {question: q.value.trim() || defaultQuestion(kind, body.members.length), kind: 'open', body: kind};
        if (kit.st().current) spec.item = kit.st().current;
        await kit.command('poll.create', spec);
      });
      if (ok) kit.showOk(b.ok, 'body_vote_created');
    });
    kids.push(h('div', {class: 'inline-form body-vote-form'}, kit.field('body_vote_question', q, 'grow'), create));
  }
  kids.push(controls);
  // Keep what was typed in the question across redraws.
  const typed = b.view.querySelector('[data-testid="body-vote-question"]');
  const focused = typed && document.activeElement === typed;
  b.view.replaceChildren(...kids);
  const q = b.view.querySelector('[data-testid="body-vote-question"]');
  if (typed && q && typed.dataset.edited) { q.value = typed.value; q.dataset.edited = 'true'; }
  if (q) q.addEventListener('input', () => { q.dataset.edited = 'true'; });
  if (q && focused) q.focus();
}

// ---- the editor of one body's members --------------------------------------

function openEditor(kind) {
  if (ui.editing && ui.editing !== kind) ui.boxes[ui.editing].root.classList.remove('editing');
  const body = bodyOf(kind);
  ui.editing = kind;
  ui.editErr = null;
  ui.boxes[kind].root.classList.add('editing');
  ui.draft = (body ? body.members : []).map((m) => ({participant: m.participant, post: m.post || ''}));
  kit.showOk(ui.boxes[kind].ok, null);
  renderBodies();
  drawEditor(kind);
  const s = ui.editorHost.querySelector('[data-testid="body-edit-choices-search"]');
  if (s) s.focus();
}

function closeEditor() {
  if (!ui.editing) return;
  const kind = ui.editing;
  ui.editorHost.replaceChildren();
  ui.boxes[kind].root.classList.remove('editing');
  ui.editing = null;
  ui.draft = null;
  renderBodies();
  const edit = ui.boxes[kind].view.querySelector('[data-testid="body-edit"]');
  if (edit) edit.focus();
}

// drawEditor draws the editor of kind from ui.draft; focus names the
// control to focus after ([testid, participant]).
function drawEditor(kind, focus) {
  const {h, t} = kit;
  const b = ui.boxes[kind];
  const draft = ui.draft;
  // One error box per opening: a redraw (the language, the participants)
  // keeps what it says.
  if (!ui.editErr) ui.editErr = kit.errBox('body-edit-error');
  const err = ui.editErr;
  const move = (i, j) => { const [m] = draft.splice(i, 1); draft.splice(j, 0, m); };
  const rows = draft.length ? draft.map((m, i) => {
    const p = person(m.participant);
    const post = h('input', {type: 'text', testid: 'body-edit-post', maxlength: 200, value: m.post, tp: 'ph_body_post', 'aria-label': t('body_post_of', p.name)});
    post.addEventListener('input', () => { m.post = post.value; });
    const act = (testid, label, text, fn, disabled, cls) => h('button', {type: 'button', class: 'btn small ' + (cls || ''), testid, 'aria-label': label, disabled,
      on: {click: () => { fn(); drawEditor(kind, [testid, m.participant]); }}}, text);
    return h('li', {class: 'row wrap', testid: 'body-edit-row', 'data-id': m.participant},
      h('span', {class: 'num'}, (i + 1) + '.'),
      h('span', {class: 'grow body-edit-name'}, h('span', {class: 'strong'}, p.name), p.position ? h('span', {class: 'muted'}, ' — ' + p.position) : null),
      post,
      i === 0 ? h('span', {class: 'body-head-slot'}, h('span', {class: 'badge ok-badge', testid: 'body-edit-head'}, t('body_head')))
        : act('body-edit-make-head', t('body_make_head_of', p.name), t('body_make_head'), () => move(i, 0), false, 'body-head-slot'),
      act('body-edit-up', t('body_up_of', p.name), '▲', () => move(i, i - 1), i === 0),
      act('body-edit-down', t('body_down_of', p.name), '▼', () => move(i, i + 1), i === draft.length - 1),
      act('body-edit-remove', t('body_remove_of', p.name), t('body_remove'), () => draft.splice(i, 1), false, 'danger'));
  }) : [h('li', {class: 'empty', testid: 'body-edit-empty', t: 'body_draft_empty'})];
  ui.editorKey = participantsKey();
  const pk = picker({testid: 'body-edit-choices', size: 6});
  const inList = new Set(draft.map((m) => m.participant));
  pk.setOptions(participants().filter((p) => entitled(p) && !inList.has(p.id)).map((p) => ({value: p.id, label: describe(p)})));
  const add = () => {
    const id = pk.value();
    if (!id) { kit.showErr(err, kit.localError(S.body_choose_first.vi, S.body_choose_first.en)); return; }
    kit.showErr(err, null);
    draft.push({participant: id, post: ''});
    const q = pk.search.value;
    drawEditor(kind, ['body-edit-choices-search']);
    const s = ui.editorHost.querySelector('[data-testid="body-edit-choices-search"]');
    if (s) { s.value = q; s.dispatchEvent(new Event('input')); }
  };
  pk.onPick(add);
  const addBtn = h('button', {type: 'button', class: 'btn', testid: 'body-edit-add', t: 'body_add', on: {click: add}});
  const save = h('button', {type: 'button', class: 'btn primary', testid: 'body-edit-save', t: 'body_propose'});
  const doSave = (ev) => kit.act(ev.currentTarget, err, async () => {
    if (!draft.length) throw kit.localError(S.body_empty_list.vi, S.body_empty_list.en);
    await kit.command('body.propose', {kind, members: draft.map((m) => (m.post.trim() ? {participant: m.participant, post: m.post.trim()} : {participant: m.participant}))});
    closeEditor();
    kit.showOk(b.ok, 'body_proposed_ok');
  });
  save.addEventListener('click', (ev) => {
    const body = bodyOf(kind);
    if (!body) { doSave(ev); return; }
    const name = t('body_' + kind);
    kit.confirming(() => ({action: 'body.propose', title: t('cf_body_replace', name),
      message: body.poll ? t('cf_body_replace_approved_msg', name) : t('cf_body_replace_msg'), confirm: t('body_propose')}), doSave)(ev);
  });
  ui.editorHost.replaceChildren(h('div', {class: 'subcard body-editor', testid: 'body-editor', 'data-kind': kind},
    h('h5', {}, t('body_edit_of', t('body_' + kind))),
    h('ol', {class: 'rows compact'}, rows),
    h('div', {class: 'grid2 body-pick'}, kit.field('body_search', pk.search), kit.field('body_choices', pk.list)),
    h('div', {class: 'btn-row'}, addBtn),
    err,
    h('div', {class: 'btn-row'}, save, kit.btn('cancel', 'body-edit-cancel', closeEditor, 'secondary'))));
  if (focus) {
    const sel = focus[1] ? `[data-testid="body-edit-row"][data-id="${CSS.escape(focus[1])}"] [data-testid="${focus[0]}"]` : `[data-testid="${focus[0]}"]`;
    const search = ui.editorHost.querySelector('[data-testid="body-edit-choices-search"]');
    const el = ui.editorHost.querySelector(sel);
    if (el && !el.disabled) el.focus(); else if (search) search.focus();
  }
}

function participantsKey() {
  return JSON.stringify([kit.lang(), participants().map((p) => [p.id, p.name, p.position, p.unit, p.role, !!p.non_voting])]);
}

// refreshBodyEditor redraws an open editor when the participants changed
// (names, who may be chosen) or the language; what was typed is in the
// draft.
export function refreshBodyEditor() {
  if (ui.editing && ui.editorKey !== participantsKey()) drawEditor(ui.editing);
}
