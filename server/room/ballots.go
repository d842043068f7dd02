package room

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/phonghop/phonghop/server/meeting"
)

// Ballots are not commands: a vote of 2,000 delegates must not become 2,000
// commits and 2,000 broadcasts. The flow of one ballot (see docs/ballots.md):
//
//  1. Cast checks it under the room's lock (meeting.ValidateBallot, plus the
//     box's own record of who has cast, which runs ahead of the state) and
//     reserves the voter's place;
//  2. outside the lock, the Box stores it durably — group-committed with
//     every other ballot and event pending — and Cast acknowledges it;
//  3. a flusher records the stored voters in the log (poll.record_votes,
//     one event per batch) at most every FlushInterval: progress reaches
//     tablets a few times a second, never once per ballot;
//  4. ClosePoll stops taking ballots, waits for those in flight, records
//     the rest, reads the box and closes the poll with the tally.
//
// After a crash, Load records the voters the box holds but the log does not
// (acknowledged ballots are never lost).

// Box is the durable ballot box.
type Box interface {
	// StoreBallot durably stores that participant voted (with key) and,
	// apart from that when secret, the ballot data. Conflict if the
	// participant already voted in the poll.
	StoreBallot(ctx context.Context, meetingID, poll, participant, key string, data []byte, secret bool) error
	// Voters returns the voters of a poll with their keys.
	Voters(ctx context.Context, meetingID, poll string) (map[string]string, error)
	// Ballots returns the ballot data of a poll; byVoter maps the voter of
	// each ballot for open polls (nil entries for secret ones).
	Ballots(ctx context.Context, meetingID, poll string) (data [][]byte, voters []string, err error)
}

// ErrNotCounted is the answer to a ballot that arrived after its poll
// closed (or began closing): it is explicitly not counted.
var ErrNotCounted = &meeting.Error{Kind: meeting.KindConflict,
	Message:   "Phiếu đến sau khi kết thúc biểu quyết nên không được tính.",
	MessageEN: "the ballot arrived after the poll closed and is not counted"}

// errDuplicateVote answers a second, different ballot of one voter.
var errDuplicateVote = &meeting.Error{Kind: meeting.KindConflict,
	Message:   "Đồng chí đã bỏ phiếu trong lần biểu quyết này; mỗi người chỉ một phiếu.",
	MessageEN: "you have already voted in this poll; one voter, one ballot"}

// pollBox is a room's in-memory account of one poll's ballot box. All its
// fields are guarded by the room's mu.
type pollBox struct {
	keys       map[string]string        // voter → key, stored or being stored
	inflight   map[string]chan struct{} // voter → closed when the store finished
	failed     map[string]bool          // voters whose store failed (their key is free again)
	unrecorded []meeting.VoteRecord     // stored, not yet in the log
	closing    bool                     // no more ballots: closing or closed
	wg         sync.WaitGroup           // ballots being stored
}

// box returns the poll's box, loading who voted from the Box on first use.
// r.mu must be held.
func (r *Room) box(ctx context.Context, poll string) (*pollBox, error) {
	if b, ok := r.boxes[poll]; ok {
		return b, nil
	}
	b := &pollBox{keys: map[string]string{}, inflight: map[string]chan struct{}{}, failed: map[string]bool{}}
	if r.opts.Box != nil {
		keys, err := r.opts.Box.Voters(ctx, r.id, poll)
		if err != nil {
			return nil, err
		}
		b.keys = keys
	}
	r.boxes[poll] = b
	return b, nil
}

// Cast takes voter a's ballot in poll with idempotency key. It returns nil
// once the ballot is durably stored (then or earlier, for a retry with the
// same key), ErrNotCounted if the poll is closed or closing, or why the
// ballot is refused (not eligible, already voted with another key, a ballot
// of the wrong form).
func (r *Room) Cast(ctx context.Context, a meeting.Actor, poll, key string, b meeting.Ballot) error {
	if r.opts.Box == nil {
		return meeting.Internal(errNoBox)
	}
	if key == "" || len(key) > meeting.MaxKey {
		return meeting.Errorf(meeting.KindInvalid, "Mã phiếu không hợp lệ (1 đến %d ký tự).", "the ballot key must have 1 to %d characters", meeting.MaxKey)
	}
	if a.Participant == "" {
		return meeting.Errorf(meeting.KindForbidden, "Chỉ đại biểu trên máy tính bảng của mình mới bỏ phiếu được.", "only a participant's own tablet can vote")
	}
	r.mu.Lock()
	p, ok := r.state.Poll(poll)
	if !ok {
		r.mu.Unlock()
		return meeting.Errorf(meeting.KindNotFound, "Không tìm thấy cuộc biểu quyết %q.", "poll %q not found", poll)
	}
	box, err := r.box(ctx, poll)
	if err != nil {
		r.mu.Unlock()
		return err
	}
	voter := a.Participant
	if k, ok := box.keys[voter]; ok {
		if k != key {
			r.mu.Unlock()
			return errDuplicateVote
		}
		// A retry: answer as the first attempt is answered.
		done := box.inflight[voter]
		r.mu.Unlock()
		if done != nil {
			<-done
			r.mu.Lock()
			failed := box.failed[voter]
			r.mu.Unlock()
			if failed {
				return meeting.Errorf(meeting.KindInternal, "Chưa ghi được phiếu; vui lòng gửi lại.", "the ballot was not stored; send it again")
			}
		}
		return nil
	}
	if box.closing || p.Status != meeting.PollStatusOpen {
		r.mu.Unlock()
		if p.Status == meeting.PollStatusDraft {
			return meeting.Errorf(meeting.KindConflict, "Cuộc biểu quyết chưa bắt đầu.", "the poll has not opened yet")
		}
		return ErrNotCounted
	}
	if err := meeting.ValidateBallot(r.state, p, voter, b); err != nil {
		r.mu.Unlock()
		return err
	}
	done := make(chan struct{})
	box.keys[voter], box.inflight[voter] = key, done
	delete(box.failed, voter)
	box.wg.Add(1)
	secret := p.Kind.Secret()
	r.mu.Unlock()

	data, _ := json.Marshal(b) // plain struct: cannot fail
	// The store is not cancelled with the request: a ballot the tablet may
	// retry is stored or failed as a whole, and the retry learns which.
	err = r.opts.Box.StoreBallot(context.Background(), r.id, poll, voter, key, data, secret)

	r.mu.Lock()
	defer r.mu.Unlock()
	defer box.wg.Done()
	delete(box.inflight, voter)
	defer close(done)
	if err != nil {
		if meeting.KindOf(err) == meeting.KindConflict {
			return errDuplicateVote // the box knew better (should not happen)
		}
		delete(box.keys, voter)
		box.failed[voter] = true
		return err
	}
	rec := meeting.VoteRecord{Participant: voter}
	if !secret {
		rec.Ballot = &b
	}
	box.unrecorded = append(box.unrecorded, rec)
	r.scheduleFlush()
	return nil
}

var errNoBox = errors.New("room: no ballot box configured")

// scheduleFlush starts the flusher if it is not running. r.mu must be held.
func (r *Room) scheduleFlush() {
	if r.flushing || r.stopped {
		return
	}
	r.flushing = true
	r.wg.Add(1)
	go r.flushLoop()
}

// flushLoop is the room's flusher goroutine: every FlushInterval it records
// the stored, unrecorded voters in the log; it exits when there are none
// left (the next ballot starts it again) or the room is stopped. Its owner
// is the room (r.wg), waited for by Stop.
func (r *Room) flushLoop() {
	defer r.wg.Done()
	t := time.NewTimer(r.opts.FlushInterval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
		case <-r.stop:
		}
		r.mu.Lock()
		r.flushLocked(context.Background())
		if r.pendingRecords() == 0 || r.stopped {
			r.flushing = false
			r.mu.Unlock()
			return
		}
		r.mu.Unlock()
		t.Reset(r.opts.FlushInterval)
	}
}

// pendingRecords counts stored voters not yet in the log. r.mu must be held.
func (r *Room) pendingRecords() int {
	n := 0
	for _, b := range r.boxes {
		n += len(b.unrecorded)
	}
	return n
}

// flushLocked records every poll's unrecorded voters (one command, so one
// event, per poll). On failure they stay for the next flush. r.mu must be
// held.
func (r *Room) flushLocked(ctx context.Context) {
	for poll, b := range r.boxes {
		if len(b.unrecorded) == 0 {
			continue
		}
		if err := r.submitLocked(ctx, systemActor, &meeting.RecordVotes{Poll: poll, Votes: b.unrecorded}); err != nil {
			r.opts.Logger.Error("record votes", "meeting", r.id, "poll", poll, "voters", len(b.unrecorded), "err", err)
			continue
		}
		b.unrecorded = nil
	}
}

// systemActor is the server acting on its own behalf.
var systemActor = meeting.Actor{ID: "system", Role: meeting.RoleSystem}

// ClosePoll closes poll for actor a: it stops taking ballots (later ones
// are not counted), waits for those being stored, records them, and closes
// the poll with the tally of the box. Every ballot acknowledged before is
// counted.
func (r *Room) ClosePoll(ctx context.Context, a meeting.Actor, poll string) ([]meeting.Event, error) {
	if !meeting.Allowed(a.Role, "poll.close") {
		return r.Submit(ctx, a, &meeting.ClosePoll{ID: poll}) // the domain's refusal
	}
	r.mu.Lock()
	p, ok := r.state.Poll(poll)
	if !ok || p.Status != meeting.PollStatusOpen {
		r.mu.Unlock()
		return r.Submit(ctx, a, &meeting.ClosePoll{ID: poll}) // the domain's refusal
	}
	box, err := r.box(ctx, poll)
	if err != nil {
		r.mu.Unlock()
		return nil, err
	}
	box.closing = true
	r.mu.Unlock()

	box.wg.Wait() // ballots acknowledged or about to be

	r.mu.Lock()
	defer r.mu.Unlock()
	reopen := func() { box.closing = false }
	r.flushLocked(ctx)
	if len(box.unrecorded) > 0 {
		reopen()
		return nil, meeting.Internal(errors.New("room: could not record every vote before closing"))
	}
	c := &meeting.ClosePoll{ID: poll}
	if p.Kind.Secret() {
		data, _, err := r.opts.Box.Ballots(ctx, r.id, poll)
		if err != nil {
			reopen()
			return nil, err
		}
		c.Ballots = make([]meeting.Ballot, len(data))
		for i, d := range data {
			if err := json.Unmarshal(d, &c.Ballots[i]); err != nil {
				reopen()
				return nil, meeting.Internal(err)
			}
		}
	}
	events, err := r.submitEvents(ctx, a, c)
	if err != nil {
		reopen()
		return nil, err
	}
	return events, nil
}

// recoverVotes records the voters the Box holds but the log does not: the
// ballots acknowledged just before a crash. r.mu must be held (or r not yet
// shared).
func (r *Room) recoverVotes(ctx context.Context) error {
	if r.opts.Box == nil {
		return nil
	}
	for _, p := range r.state.Polls {
		if p.Status != meeting.PollStatusOpen {
			continue
		}
		voters, err := r.opts.Box.Voters(ctx, r.id, p.ID)
		if err != nil {
			return err
		}
		var missing []meeting.VoteRecord
		var ballots map[string]meeting.Ballot
		for v := range voters {
			if p.HasVoted(v) {
				continue
			}
			rec := meeting.VoteRecord{Participant: v}
			if !p.Kind.Secret() {
				if ballots == nil {
					if ballots, err = r.openBallots(ctx, p.ID); err != nil {
						return err
					}
				}
				b := ballots[v]
				rec.Ballot = &b
			}
			missing = append(missing, rec)
		}
		if len(missing) == 0 {
			continue
		}
		if err := r.submitLocked(ctx, systemActor, &meeting.RecordVotes{Poll: p.ID, Votes: missing}); err != nil {
			return err
		}
		r.opts.Logger.Info("recorded votes stored before a restart", "meeting", r.id, "poll", p.ID, "voters", len(missing))
	}
	return nil
}

// openBallots reads an open poll's ballots by voter.
func (r *Room) openBallots(ctx context.Context, poll string) (map[string]meeting.Ballot, error) {
	data, voters, err := r.opts.Box.Ballots(ctx, r.id, poll)
	if err != nil {
		return nil, err
	}
	out := make(map[string]meeting.Ballot, len(data))
	for i, d := range data {
		var b meeting.Ballot
		if err := json.Unmarshal(d, &b); err != nil {
			return nil, meeting.Internal(err)
		}
		out[voters[i]] = b
	}
	return out, nil
}

// Stop stops the room's flusher after a last flush and waits for it.
func (r *Room) Stop(ctx context.Context) {
	r.mu.Lock()
	if !r.stopped {
		r.stopped = true
		close(r.stop)
	}
	r.mu.Unlock()
	r.wg.Wait()
	r.mu.Lock()
	r.flushLocked(ctx)
	r.mu.Unlock()
}
