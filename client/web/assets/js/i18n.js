// i18n.js — user-facing strings: Vietnamese by default, English by a switch
// remembered in localStorage ("phonghop.lang").
//
//   t(key, params?)       the string in the current language; {name} in it is
//                         replaced by params.name; a missing key falls back to
//                         Vietnamese, then to the key itself
//   lang()                'vi' | 'en'
//   setLang(l)            switch and remember; fires 'phonghop:lang' on window
//   extend({vi:{}, en:{}}) add an app's own strings (console.js, …)
//   applyI18n(root)       fill [data-i18n] (textContent), [data-i18n-aria]
//                         (aria-label), [data-i18n-placeholder] and
//                         [data-i18n-title] under root
//   langButton()          a button that toggles the language (data-testid="lang-toggle")
import { terms } from './terms.js';

const KEY = 'phonghop.lang';

const dict = {
  vi: {
    'app.name': 'Phòng họp không giấy',
    'app.tablet': 'Máy tính bảng đại biểu',
    'app.console': 'Bàn thư ký',
    'app.hall': 'Màn hình hội trường',
    'lang.switch': 'English',
    'lang.switch.aria': 'English — chuyển giao diện sang tiếng Anh',
    'status.connecting': 'Đang kết nối…',
    'status.online': 'Trực tuyến',
    'status.offline': 'Mất mạng',
    'status.reconnecting': 'Đang kết nối lại…',
    'status.ended': 'Phiên đã kết thúc',
    'status.aria': 'Trạng thái kết nối',
    'error.network': 'Không kết nối được máy chủ.',
    'pair.title': 'Ghép nối thiết bị',
    'pair.help': 'Nhập mã ghép nối in trên phiếu của đồng chí, hoặc quét mã QR bằng camera.',
    'pair.code': 'Mã ghép nối',
    'pair.submit': 'Ghép nối',
    'pair.pairing': 'Đang ghép nối…',
    'pair.scan': 'Quét mã QR',
    'pair.scan.stop': 'Dừng quét',
    'pair.scan.unsupported': 'Trình duyệt này không quét được mã QR; hãy nhập mã.',
    'login.title': 'Đăng nhập thư ký',
    'login.user': 'Tên đăng nhập',
    'login.password': 'Mật khẩu',
    'login.submit': 'Đăng nhập',
    'loading': 'Đang tải…',
    'meeting.status.draft': 'Chưa khai mạc',
    'meeting.status.open': 'Đang họp',
    'meeting.status.paused': 'Tạm dừng',
    'meeting.status.closed': 'Đã bế mạc',
    'meeting.banner.draft': 'Hội nghị chưa khai mạc.',
    'meeting.banner.paused': 'Hội nghị đang tạm dừng.',
    'meeting.banner.closed': 'Hội nghị đã bế mạc. Cảm ơn các đồng chí.',
    'checkin.button': 'Điểm danh',
    'checkin.done': 'Đã điểm danh',
    'checkin.needed': 'Đồng chí chưa điểm danh.',
    'nav.agenda': 'Chương trình',
    'nav.floor': 'Phát biểu',
    'nav.polls': 'Biểu quyết',
    'nav.notices': 'Thông báo',
    'agenda.title': 'Chương trình',
    'agenda.empty': 'Chưa có nội dung.',
    'agenda.current': 'Đang thảo luận',
    'agenda.done': 'Đã xong',
    'agenda.presenter': 'Trình bày: {name}',
    'agenda.documents': 'Tài liệu',
    'agenda.nodocs': 'Không có tài liệu.',
    'doc.open': 'Mở',
    'doc.download': 'Tải về',
    'doc.confidential': 'Mật',
    'doc.version': 'bản {n}',
    'doc.close': 'Đóng',
    'doc.prev': 'Trang trước',
    'doc.next': 'Trang sau',
    'doc.page': 'Trang {page}/{pages}',
    'doc.follow': 'Theo người trình bày',
    'doc.follow.on': 'Đang theo người trình bày',
    'doc.follow.off': 'Đang tự xem',
    'doc.presenting': 'Đang trình chiếu: {title}, trang {page}',
    'doc.loading': 'Đang tải tài liệu…',
    'doc.error': 'Không mở được tài liệu.',
    'doc.offline': 'Đang xem bản đã tải (mất mạng).',
    'floor.title': 'Phát biểu',
    'floor.request': 'Xin phát biểu',
    'floor.withdraw': 'Rút đăng ký',
    'floor.position': 'Đồng chí đứng thứ {n} trong danh sách.',
    'floor.queue': 'Danh sách đăng ký phát biểu',
    'floor.queue.empty': 'Chưa có ai đăng ký.',
    'floor.speaking': 'Đang phát biểu',
    'floor.you': 'Đồng chí đang phát biểu',
    'floor.nobody': 'Chưa có ai phát biểu.',
    'floor.remaining': 'Còn lại',
    'floor.overrun': 'Quá giờ',
    'floor.paused': 'Tạm dừng đồng hồ',
    'floor.closed': 'Danh sách phát biểu đã khóa.',
    'floor.noitem': 'Chưa có nội dung đang thảo luận.',
    'polls.title': 'Biểu quyết',
    'polls.none': 'Không có cuộc biểu quyết nào đang mở.',
    'polls.status.draft': 'Chuẩn bị',
    'polls.status.open': 'Đang bỏ phiếu',
    'polls.status.closed': 'Đã kết thúc',
    'polls.status.published': 'Đã công bố kết quả',
    'polls.status.cancelled': 'Đã hủy',
    'polls.progress': 'Đã bỏ phiếu: {voted}/{eligible}',
    'polls.not_eligible': 'Đồng chí không có quyền biểu quyết trong lần này.',
    'vote.election.help': 'Gạch tên người không bầu. Giữ lại tối đa {seats} người.',
    'vote.election.kept': 'Giữ lại {kept}/{seats}',
    'vote.strike': 'Gạch tên',
    'vote.unstrike': 'Bỏ gạch',
    'vote.struck': 'đã gạch',
    'vote.rating.help': 'Chọn một mức cho từng người.',
    'vote.review': 'Xem lại phiếu',
    'vote.confirm.title': 'Xác nhận phiếu',
    'vote.confirm.help': 'Kiểm tra lại. Sau khi gửi, phiếu không sửa được.',
    'vote.confirm': 'Gửi phiếu',
    'vote.back': 'Sửa lại',
    'vote.sending': 'Đang gửi phiếu… (chờ máy chủ xác nhận)',
    'vote.recorded': 'Đã ghi nhận',
    'vote.recorded.help': 'Phiếu của đồng chí đã được máy chủ lưu và sẽ được kiểm.',
    'vote.voted_before': 'Đồng chí đã bỏ phiếu trong cuộc biểu quyết này.',
    'vote.not_counted': 'Phiếu không được tính: cuộc biểu quyết đã kết thúc.',
    'vote.invalid_warning': 'Lưu ý: phiếu này sẽ là phiếu không hợp lệ ({reason}).',
    'vote.nothing': 'Chưa chọn.',
    'notices.title': 'Thông báo',
    'notices.none': 'Chưa có thông báo.',
    'notices.private': 'Riêng cho đồng chí',
    'notices.new': 'Thông báo mới',
    'support.button': 'Yêu cầu hỗ trợ',
    'support.title': 'Yêu cầu hỗ trợ kỹ thuật',
    'support.message': 'Nội dung (không bắt buộc)',
    'support.send': 'Gửi yêu cầu',
    'support.cancel': 'Hủy',
    'support.sent': 'Đã gửi yêu cầu hỗ trợ. Cán bộ kỹ thuật sẽ đến.',
    'support.resolved': 'Yêu cầu hỗ trợ đã được xử lý.',
    'support.open': 'Đang chờ hỗ trợ',
    'hall.current': 'Nội dung đang thảo luận',
    'hall.speaker': 'Người đang phát biểu',
    'hall.queue': 'Đăng ký phát biểu',
    'hall.attendance': 'Có mặt',
    'hall.quorum.met': 'Đủ số đại biểu để tiến hành',
    'hall.quorum.notmet': 'Chưa đủ số đại biểu (cần {required})',
    'hall.present': '{present}/{entitled} đại biểu',
    'hall.vote': 'Biểu quyết',
    'hall.results': 'Kết quả',
    'hall.passed': 'Thông qua',
    'hall.notpassed': 'Không thông qua',
    'hall.elected': 'Trúng cử',
    'hall.votes': '{votes} phiếu ({percent})',
    'hall.pair': 'Nhập mã ghép nối của màn hình hội trường.',
    'hall.choose': 'Chọn cuộc họp',
    'index.tablet': 'Đại biểu: máy tính bảng',
    'index.console': 'Thư ký: bàn điều hành',
    'index.hall': 'Màn hình hội trường',
    'index.help': 'Chọn ứng dụng. Máy tính bảng ghép nối bằng mã in sẵn hoặc mã QR.',
  },
  en: {
    'app.name': 'Paperless meeting room',
    'app.tablet': 'Delegate tablet',
    'app.console': 'Secretary console',
    'app.hall': 'Hall screen',
    'lang.switch': 'Tiếng Việt',
    'lang.switch.aria': 'Tiếng Việt — switch to Vietnamese',
    'status.connecting': 'Connecting…',
    'status.online': 'Online',
    'status.offline': 'Offline',
    'status.reconnecting': 'Reconnecting…',
    'status.ended': 'Session ended',
    'status.aria': 'Connection status',
    'error.network': 'Cannot reach the server.',
    'pair.title': 'Pair this device',
    'pair.help': 'Type the pairing code printed on your slip, or scan its QR code with the camera.',
    'pair.code': 'Pairing code',
    'pair.submit': 'Pair',
    'pair.pairing': 'Pairing…',
    'pair.scan': 'Scan QR code',
    'pair.scan.stop': 'Stop scanning',
    'pair.scan.unsupported': 'This browser cannot scan QR codes; type the code.',
    'login.title': 'Secretary login',
    'login.user': 'User name',
    'login.password': 'Password',
    'login.submit': 'Log in',
    'loading': 'Loading…',
    'meeting.status.draft': 'Not opened',
    'meeting.status.open': 'In session',
    'meeting.status.paused': 'Paused',
    'meeting.status.closed': 'Closed',
    'meeting.banner.draft': 'The meeting has not opened yet.',
    'meeting.banner.paused': 'The meeting is paused.',
    'meeting.banner.closed': 'The meeting is closed. Thank you.',
    'checkin.button': 'Check in',
    'checkin.done': 'Checked in',
    'checkin.needed': 'You have not checked in.',
    'nav.agenda': 'Agenda',
    'nav.floor': 'Speaking',
    'nav.polls': 'Voting',
    'nav.notices': 'Notices',
    'agenda.title': 'Agenda',
    'agenda.empty': 'No items yet.',
    'agenda.current': 'Under discussion',
    'agenda.done': 'Done',
    'agenda.presenter': 'Presented by {name}',
    'agenda.documents': 'Documents',
    'agenda.nodocs': 'No documents.',
    'doc.open': 'Open',
    'doc.download': 'Download',
    'doc.confidential': 'Confidential',
    'doc.version': 'version {n}',
    'doc.close': 'Close',
    'doc.prev': 'Previous page',
    'doc.next': 'Next page',
    'doc.page': 'Page {page}/{pages}',
    'doc.follow': 'Follow the presenter',
    'doc.follow.on': 'Following the presenter',
    'doc.follow.off': 'Browsing on my own',
    'doc.presenting': 'Presenting: {title}, page {page}',
    'doc.loading': 'Loading the document…',
    'doc.error': 'The document could not be opened.',
    'doc.offline': 'Showing the copy already loaded (offline).',
    'floor.title': 'Speaking',
    'floor.request': 'Request the floor',
    'floor.withdraw': 'Withdraw',
    'floor.position': 'You are number {n} in the queue.',
    'floor.queue': 'Speakers queue',
    'floor.queue.empty': 'Nobody has asked yet.',
    'floor.speaking': 'Speaking now',
    'floor.you': 'You have the floor',
    'floor.nobody': 'Nobody is speaking.',
    'floor.remaining': 'Remaining',
    'floor.overrun': 'Over time',
    'floor.paused': 'Clock paused',
    'floor.closed': 'The speakers list is closed.',
    'floor.noitem': 'No item is under discussion.',
    'polls.title': 'Voting',
    'polls.none': 'No vote is open.',
    'polls.status.draft': 'Draft',
    'polls.status.open': 'Voting',
    'polls.status.closed': 'Closed',
    'polls.status.published': 'Results published',
    'polls.status.cancelled': 'Cancelled',
    'polls.progress': 'Voted: {voted}/{eligible}',
    'polls.not_eligible': 'You are not eligible to vote this time.',
    'vote.election.help': 'Strike the names you do not elect. Keep at most {seats}.',
    'vote.election.kept': 'Kept {kept}/{seats}',
    'vote.strike': 'Strike',
    'vote.unstrike': 'Unstrike',
    'vote.struck': 'struck',
    'vote.rating.help': 'Choose one level for each person.',
    'vote.review': 'Review my ballot',
    'vote.confirm.title': 'Confirm your ballot',
    'vote.confirm.help': 'Check it. Once sent, a ballot cannot be changed.',
    'vote.confirm': 'Cast ballot',
    'vote.back': 'Change',
    'vote.sending': 'Sending… (waiting for the server to confirm)',
    'vote.recorded': 'Recorded',
    'vote.recorded.help': 'Your ballot is stored by the server and will be counted.',
    'vote.voted_before': 'You have voted in this poll.',
    'vote.not_counted': 'Not counted: the vote had closed.',
    'vote.invalid_warning': 'Note: this ballot will be invalid ({reason}).',
    'vote.nothing': 'Nothing chosen.',
    'notices.title': 'Notices',
    'notices.none': 'No notices yet.',
    'notices.private': 'For you only',
    'notices.new': 'New notice',
    'support.button': 'Request support',
    'support.title': 'Request technical support',
    'support.message': 'Message (optional)',
    'support.send': 'Send request',
    'support.cancel': 'Cancel',
    'support.sent': 'Support request sent. A technician is on the way.',
    'support.resolved': 'Your support request was resolved.',
    'support.open': 'Waiting for support',
    'hall.current': 'Under discussion',
    'hall.speaker': 'Speaking now',
    'hall.queue': 'Speakers queue',
    'hall.attendance': 'Present',
    'hall.quorum.met': 'Quorum reached',
    'hall.quorum.notmet': 'No quorum yet (needs {required})',
    'hall.present': '{present}/{entitled} members',
    'hall.vote': 'Vote',
    'hall.results': 'Results',
    'hall.passed': 'Passed',
    'hall.notpassed': 'Not passed',
    'hall.elected': 'Elected',
    'hall.votes': '{votes} votes ({percent})',
    'hall.pair': 'Type the hall screen\'s pairing code.',
    'hall.choose': 'Choose a meeting',
    'index.tablet': 'Delegates: tablet',
    'index.console': 'Secretary: console',
    'index.hall': 'Hall screen',
    'index.help': 'Choose an app. Tablets pair with the printed code or its QR code.',
  },
};

// The shared vocabulary (choices, levels, reasons, counts, bases, bodies…)
// comes from the server's table of terms, never a copy of our own.
for (const l of ['vi', 'en']) Object.assign(dict[l], terms[l]);

let current = (() => {
  try { return localStorage.getItem(KEY) === 'en' ? 'en' : 'vi'; } catch { return 'vi'; }
})();

export function lang() { return current; }

export function setLang(l) {
  current = l === 'en' ? 'en' : 'vi';
  try { localStorage.setItem(KEY, current); } catch { /* private mode */ }
  document.documentElement.lang = current;
  window.dispatchEvent(new CustomEvent('phonghop:lang', { detail: current }));
}

export function extend(more) {
  for (const l of ['vi', 'en']) Object.assign(dict[l], (more && more[l]) || {});
}

export function t(key, params) {
  let s = dict[current][key] ?? dict.vi[key] ?? key;
  if (params) s = s.replace(/\{(\w+)\}/g, (m, k) => (params[k] ?? m));
  return s;
}

export function applyI18n(root = document) {
  document.documentElement.lang = current;
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-aria]')) el.setAttribute('aria-label', t(el.dataset.i18nAria));
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) el.setAttribute('placeholder', t(el.dataset.i18nPlaceholder));
  for (const el of root.querySelectorAll('[data-i18n-title]')) el.setAttribute('title', t(el.dataset.i18nTitle));
}

export function langButton() {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'btn btn-quiet lang';
  b.dataset.testid = 'lang-toggle';
  const label = () => { b.textContent = t('lang.switch'); b.setAttribute('aria-label', t('lang.switch.aria')); };
  label();
  b.addEventListener('click', () => setLang(current === 'vi' ? 'en' : 'vi'));
  window.addEventListener('phonghop:lang', label);
  return b;
}
