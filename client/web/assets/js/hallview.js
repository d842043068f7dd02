// hallview.js — what the hall screen shows, decided from the meeting's state
// alone (plus what the hall saw live), so that it is never stale:
//
//   hallView(state, seen) → {closed, item, open, result, hiddenPresenting}
//     closed            the meeting is closed: the screen says so and shows
//                       nothing of it as current (no item, no result)
//     item              the agenda item under discussion, or null
//     open              the polls open now (their progress is shown)
//     result            the published poll whose result is up, or null: the
//                       last one published, while no vote is open and until
//                       the agenda moves on — the hall saw the current item
//                       change after its publication (seen.movedAt, server
//                       time in ms), or, for a hall that just (re)loaded,
//                       its item lies before the item under discussion.
//     hiddenPresenting  a document the hall may not show is being presented
//                       (seen.hiddenPresenting, from the server)

export function hallView(st, seen = {}) {
  const closed = st.status === 'closed';
  if (closed) return { closed, item: null, open: [], result: null, hiddenPresenting: false };
  const item = st.agenda.find((i) => i.id === st.current) || null;
  const open = st.polls.filter((p) => p.status === 'open');
  let result = null;
  if (!open.length) {
    const published = st.polls.filter((p) => p.status === 'published' && p.result);
    const last = published.length ? published.reduce((a, b) => ((b.published_at || '') > (a.published_at || '') ? b : a)) : null;
    if (last && current(last, st, seen)) result = last;
  }
  return { closed, item, open, result, hiddenPresenting: !!seen.hiddenPresenting };
}

// current reports whether published poll p still belongs to what the room
// is doing.
function current(p, st, seen) {
  const at = Date.parse(p.published_at || '');
  if (seen.movedAt && at && at < seen.movedAt) return false; // the agenda moved since
  if (p.item) {
    const i = st.agenda.findIndex((x) => x.id === p.item), c = st.agenda.findIndex((x) => x.id === st.current);
    if (i >= 0 && c >= 0 && i < c) return false; // the agenda has moved past its item
  }
  return true;
}
