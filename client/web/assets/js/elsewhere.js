// elsewhere.js — the meeting was opened in another tab or on another device
// with the same session (close code 4009, docs/protocol.md): the server
// keeps at most PHONGHOP_MAX_SOCKETS_PER_SESSION live sockets per session
// and closed this one, the oldest. This screen no longer follows the
// meeting, and must not reconnect by itself: that would close the newer
// socket, whose page would reconnect in turn, and the two would take the
// meeting from each other for ever. live.js stops and calls
// openedElsewhere; the person chooses.
//
//   const close = openedElsewhere(takeBack)
//     shows a modal dialog over the stale view (every app: console, tablet,
//     hall) saying so, with one button that calls takeBack() (live.js
//     reconnects, which closes the other socket, whose page then shows this
//     dialog in turn); close() removes it.
//
// data-testid: elsewhere-dialog, elsewhere-title, elsewhere-message,
// elsewhere-take-back. Escape does not dismiss it: behind it the view is
// stale. The texts follow the language (phonghop:lang); 'status.replaced'
// is the connection badge's word for this state.
import { t, extend } from './i18n.js';

extend({
  vi: {
    'status.replaced': 'Đang mở ở nơi khác',
    'elsewhere.title': 'Cuộc họp đang được mở ở nơi khác',
    'elsewhere.message': 'Đồng chí vừa mở cuộc họp này ở một thẻ hoặc thiết bị khác với cùng phiên làm việc, nên màn hình này đã ngừng cập nhật.',
    'elsewhere.hint': 'Bấm “Tiếp tục ở đây” để dùng lại màn hình này; nơi kia sẽ ngừng cập nhật.',
    'elsewhere.take_back': 'Tiếp tục ở đây',
  },
  en: {
    'status.replaced': 'Open elsewhere',
    'elsewhere.title': 'The meeting is open elsewhere',
    'elsewhere.message': 'This meeting was opened in another tab or on another device with the same session, so this screen has stopped updating.',
    'elsewhere.hint': 'Press “Continue here” to use this screen again; the other one will stop updating.',
    'elsewhere.take_back': 'Continue here',
  },
});

let open = null; // the dialog shown, with its close function

export function openedElsewhere(takeBack) {
  if (open) open.close();
  const dialog = document.createElement('dialog');
  dialog.className = 'confirm elsewhere';
  dialog.dataset.testid = 'elsewhere-dialog';
  dialog.setAttribute('role', 'alertdialog');
  dialog.setAttribute('aria-modal', 'true');
  dialog.setAttribute('aria-labelledby', 'elsewhere-title');
  dialog.setAttribute('aria-describedby', 'elsewhere-message');
  const title = el('h2', { id: 'elsewhere-title', 'data-testid': 'elsewhere-title' });
  const message = el('div', { id: 'elsewhere-message', class: 'confirm-message', 'data-testid': 'elsewhere-message' });
  const button = el('button', { type: 'button', class: 'btn btn-big btn-primary primary', 'data-testid': 'elsewhere-take-back' });
  const texts = () => {
    title.textContent = t('elsewhere.title');
    message.replaceChildren(el('p', {}, t('elsewhere.message')), el('p', {}, t('elsewhere.hint')));
    button.textContent = t('elsewhere.take_back');
  };
  texts();
  dialog.append(title, message, el('div', { class: 'confirm-buttons' }, button));
  const close = () => {
    window.removeEventListener('phonghop:lang', texts);
    if (dialog.open) dialog.close();
    dialog.remove();
    if (open && open.dialog === dialog) open = null;
  };
  button.addEventListener('click', () => { close(); takeBack(); });
  dialog.addEventListener('cancel', (e) => e.preventDefault()); // Escape: the view behind is stale
  window.addEventListener('phonghop:lang', texts);
  document.body.append(dialog);
  open = { dialog, close };
  dialog.showModal();
  button.focus();
  return close;
}

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const k of kids) e.append(k);
  return e;
}
