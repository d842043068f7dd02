// time.js — the meeting's time zone and the Vietnamese way of writing dates
// (dd/mm/yyyy, 24-hour times), for every view, whatever the zone and the
// locale of the browser showing it.
//
// Every time is shown and read in the meeting's time zone (the setting
// time_zone, an IANA name; default Asia/Ho_Chi_Minh, as the minutes print
// it). The views call setZone with the meeting's setting whenever they
// render; a console on a laptop set to another zone then shows and reads
// the same times as the tablets in the hall.
//
//   setZone(name)                   the meeting's zone ('' or unknown: the default)
//   fmtDate(iso)                    '15/12/2026'
//   fmtDateTime(iso)                '15/12/2026 08:00'
//   fmtTime(iso)                    '08:00'
//   fmtTimeSec(iso)                 '08:00:05'
//   parts(iso)                      {date: '15/12/2026', time: '08:00'} for form fields ({date:'', time:''} for none)
//   parseDate(text)                 {y, m, d} from 'dd/mm/yyyy' (also d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy), or null
//   parseTime(text)                 {hh, mm} from 'HH:mm' (also 'H:mm', 'HHhmm'), or null
//   toISO(dateText, timeText)       the instant (ISO 8601, UTC) of that date and time in the
//                                   meeting's zone; null when either is not valid; time '' is 00:00
//   dayParam(dateText)              'yyyy-mm-dd' for API filters, or null
//   endOfDayISO(iso)                the first instant of the day after iso's day (meeting's zone)
//
// A value that is not a valid time formats as ''.

import { defaultTimeZone } from './terms.js';

let zone = defaultTimeZone;
let wallParts = partsFormatter(zone);

function partsFormatter(z) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: z, year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
}

// setZone makes name (an IANA zone) the zone of every time shown and read.
export function setZone(name) {
  const z = name || defaultTimeZone;
  if (z === zone) return;
  try {
    wallParts = partsFormatter(z);
    zone = z;
  } catch (e) { // a zone this browser does not know: keep the default
    zone = defaultTimeZone;
    wallParts = partsFormatter(zone);
  }
}

// offsetAt returns the meeting zone's offset from UTC at instant ms.
function offsetAt(ms) {
  const o = {};
  for (const p of wallParts.formatToParts(new Date(ms))) o[p.type] = p.value;
  return Date.UTC(+o.year, +o.month - 1, +o.day, +o.hour, +o.minute, +o.second) - Math.floor(ms / 1000) * 1000;
}

// fromWall returns the instant of a wall-clock time (as UTC fields) in the
// meeting's zone.
function fromWall(wallMs) {
  const guess = wallMs - offsetAt(wallMs);
  return wallMs - offsetAt(guess);
}


const pad = (n) => String(n).padStart(2, '0');

// local returns a Date whose UTC fields are the meeting's wall clock at iso.
function local(iso) {
  if (!iso) return null;
  const d = iso instanceof Date ? iso : new Date(iso);
  const t = d.getTime();
  // Go's zero time ("0001-01-01T00:00:00Z") means "not set".
  if (isNaN(t) || d.getUTCFullYear() < 2) return null;
  return new Date(t + offsetAt(t));
}

export function fmtDate(iso) {
  const d = local(iso);
  return d ? `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}` : '';
}

export function fmtTime(iso) {
  const d = local(iso);
  return d ? `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}` : '';
}

export function fmtTimeSec(iso) {
  const d = local(iso);
  return d ? `${fmtTime(iso)}:${pad(d.getUTCSeconds())}` : '';
}

export function fmtDateTime(iso) {
  const d = local(iso);
  return d ? `${fmtDate(iso)} ${fmtTime(iso)}` : '';
}

export function parts(iso) {
  return local(iso) ? { date: fmtDate(iso), time: fmtTime(iso) } : { date: '', time: '' };
}

export function parseDate(text) {
  const m = /^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$/.exec(text || '');
  if (!m) return null;
  const d = +m[1], mo = +m[2], y = +m[3];
  const probe = new Date(Date.UTC(y, mo - 1, d));
  if (y < 1900 || probe.getUTCFullYear() !== y || probe.getUTCMonth() !== mo - 1 || probe.getUTCDate() !== d) return null;
  return { y, m: mo, d };
}

export function parseTime(text) {
  const m = /^\s*(\d{1,2})\s*[:hH]\s*(\d{2})\s*$/.exec(text || '');
  if (!m) return null;
  const hh = +m[1], mm = +m[2];
  if (hh > 23 || mm > 59) return null;
  return { hh, mm };
}

export function toISO(dateText, timeText) {
  const d = parseDate(dateText);
  const tm = (timeText || '').trim() === '' ? { hh: 0, mm: 0 } : parseTime(timeText);
  if (!d || !tm) return null;
  return new Date(fromWall(Date.UTC(d.y, d.m - 1, d.d, tm.hh, tm.mm))).toISOString();
}

export function dayParam(dateText) {
  const d = parseDate(dateText);
  return d ? `${d.y}-${pad(d.m)}-${pad(d.d)}` : null;
}

export function endOfDayISO(iso) {
  const d = local(iso || new Date());
  if (!d) return null;
  return new Date(fromWall(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1))).toISOString();
}
