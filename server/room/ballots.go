package room

import (
	"context"
	crand "crypto/rand"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/phonghop/phonghop/server/ballotseal"
	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/store"
)

// Ballots are not commands: a vote of 2,000 delegates must not become 2,000
// commits and 2,000 broadcasts. The flow of one ballot (see docs/ballots.md):
//
//  1. Cast checks it under the room's lock (meeting.ValidateBallot, plus the
//     room's record of who has cast, which runs ahead of the state) and
//     reserves the voter's place;
//  2. outside the lock, a secret ballot is sealed under its poll's key
//     (package ballotseal; the key is kept outside the database), and the
//     Box stores it durably — group-committed with every other ballot and
//     event pending — and Cast acknowledges it;
//  3. a flusher records the stored voters in the log (poll.record_votes,
//     one event per batch, voters sorted) at most every FlushInterval:
//     progress reaches tablets a few times a second, never once per ballot;
//  4. ClosePoll stops taking ballots here, waits for those in flight, closes
//     the Box (from then on no node stores a new voter's ballot), records
//     every voter the Box holds that the log does not (ballots stored by a
//     node that died, or before a crash), and closes the poll with the
//     tally of the Box's ballots (and, when asked, publishes the result in
//     the same commit). Those are, when the Box holds exactly the voters
//     this room stored, the ballots the room counted as it stored them (a
//     count per distinct ballot, no voter, no order: pollBox.counted);
//     otherwise they are read back from the Box and opened;
//  5. then, for a secret poll, the Box rewrites the ballots in plain text in
//     a random order and the key is destroyed (finalise): whatever the
//     database kept of the open poll in the order of casting is ciphertext
//     under a key that no longer exists. Only then is the close
//     acknowledged. A crash before that is finished at the next start
//     (Registry.FinaliseSecretPolls).
//
// Several nodes may take ballots for one poll: the Box is the authority on
// who voted (a retry through another node gets the original answer) and
// its CloseBox is the fence between the last counted ballot and the first
// uncounted one.

// Keys keeps the per-poll keys that seal secret ballots, outside the
// database (see package ballotseal; *ballotseal.Vault implements it).
type Keys interface {
	// Key returns the poll's key, creating it if it does not exist; every
	// caller on every node gets the same key.
	Key(ctx context.Context, meetingID, poll string) (*ballotseal.Key, error)
	// Lookup returns the poll's key, or nil, nil if it has none.
	Lookup(ctx context.Context, meetingID, poll string) (*ballotseal.Key, error)
	// Destroy deletes the poll's key for good; no error if it has none.
	Destroy(ctx context.Context, meetingID, poll string) error
	// List returns every poll that has a key.
	List(ctx context.Context) ([]store.PollRef, error)
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

// errCleanup answers a close whose poll closed but whose secret ballots
// could not yet be rewritten: the room keeps trying.
var errCleanup = &meeting.Error{Kind: meeting.KindInternal,
	Message:   "Đã kết thúc biểu quyết và công bố kết quả, nhưng chưa xử lý xong dữ liệu phiếu kín; máy chủ đang thử lại.",
	MessageEN: "the poll is closed and counted, but its secret ballots are not yet rewritten; the server keeps trying"}

var (
	errNoBox  = errors.New("room: no ballot box configured")
	errNoKeys = errors.New("room: no ballot keys configured")
	errNoKey  = errors.New("room: the poll's sealed ballots have no key")
)

// pollBox is a room's in-memory account of one poll's ballot box. All its
// fields are guarded by the room's mu.
type pollBox struct {
	keys       map[string]string        // voter → key, stored or being stored (a cache of the Box)
	inflight   map[string]chan struct{} // voter → closed when the store finished
	failed     map[string]bool          // voters whose store failed (their key is free again)
	unrecorded []meeting.VoteRecord     // stored, not yet in the log
	closing    bool                     // no more ballots: closing or closed
	inStore    int                      // ballots being stored
	drained    chan struct{}            // closed when inStore drops to 0 while closing
	seal       *ballotseal.Key          // the poll's key, once fetched
	sealing    chan struct{}            // closed when the fetch in progress ends (see sealKey)

	// counted counts the secret ballots this room stored, by content (the
	// plain JSON, as sealed): how many of each, never whose nor in which
	// order. stored is their total. Every ballot stored through this room
	// is in the Box, one per voter, so when the closed Box holds exactly
	// stored voters it holds exactly these ballots, and the close need not
	// read them back (countedBallots). Both are reset once the poll is
	// closed.
	counted map[string]int
	stored  int
}

// countedBallots returns the poll's ballots as this room counted them
// (their plain JSON and decoded; in no meaningful order) if the closed Box
// holds exactly as many voters as boxVoters, else nil, nil. r.mu must be
// held.
//
// Every ballot counted here was acknowledged by the Box to this room, for a
// distinct voter; the Box keeps one ballot per voter and loses none. So
// equal numbers mean equal sets. (A voter whose ballot is also retried
// through another node with the same key and other contents — which no
// tablet does — is counted with the contents this room stored; the
// clean-up then stores those, so the count and the kept ballots agree.)
func (b *pollBox) countedBallots(boxVoters int) ([][]byte, []meeting.Ballot, error) {
	if b.counted == nil || b.stored != boxVoters {
		return nil, nil, nil
	}
	plain := make([][]byte, 0, b.stored)
	ballots := make([]meeting.Ballot, 0, b.stored)
	for data, n := range b.counted {
		var one meeting.Ballot
		if err := json.Unmarshal([]byte(data), &one); err != nil {
			return nil, nil, meeting.Internal(err)
		}
		for range n {
			// Shared bytes and slices: neither Tally nor the Box changes
			// a ballot.
			plain = append(plain, []byte(data))
			ballots = append(ballots, one)
		}
	}
	return plain, ballots, nil
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
// same key, through this node or another), ErrNotCounted if the poll is
// closed or closing and the ballot was not stored before, or why the
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
	if (!ok || p.Status == meeting.PollStatusDraft) && r.freshen(ctx) {
		p, ok = r.state.Poll(poll) // opened on another node a moment ago
	}
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
		return r.castAfterClose(ctx, poll, voter, key)
	}
	err = meeting.ValidateBallot(r.state, p, voter, b)
	if err != nil && p.HasVoted(voter) {
		// The log says this voter voted, through another node (this node's
		// account of the box predates it): a retry with the same key gets
		// the original answer, as on that node.
		r.mu.Unlock()
		return r.castAfterClose(ctx, poll, voter, key)
	}
	if err != nil && r.freshen(ctx) {
		// Refused on a state another node had moved on from (the voter
		// checked in there a moment ago): check again on the latest.
		if p, ok = r.state.Poll(poll); ok && p.Status == meeting.PollStatusOpen {
			err = meeting.ValidateBallot(r.state, p, voter, b)
		} else {
			r.mu.Unlock()
			return r.castAfterClose(ctx, poll, voter, key)
		}
	}
	if err != nil {
		r.mu.Unlock()
		return err
	}
	done := make(chan struct{})
	box.keys[voter], box.inflight[voter] = key, done
	delete(box.failed, voter)
	box.inStore++
	secret := p.Kind.Secret()
	var names []string
	pad := 0
	if secret {
		for _, c := range p.Names() {
			names = append(names, c.ID)
		}
		pad = ballotseal.PadSize(names)
	}
	r.mu.Unlock()

	plain, _ := json.Marshal(b) // plain struct: cannot fail
	err = r.store(poll, voter, key, plain, secret, pad)

	r.mu.Lock()
	defer r.mu.Unlock()
	defer close(done)
	delete(box.inflight, voter)
	if box.inStore--; box.inStore == 0 && box.drained != nil {
		close(box.drained)
		box.drained = nil
	}
	switch {
	case err == nil:
		rec := meeting.VoteRecord{Participant: voter}
		if !secret {
			rec.Ballot = &b
		} else {
			if box.counted == nil {
				box.counted = map[string]int{}
			}
			box.counted[string(plain)]++
			box.stored++
		}
		box.unrecorded = append(box.unrecorded, rec)
		r.scheduleFlush()
		return nil
	case errors.Is(err, store.ErrBoxClosed):
		delete(box.keys, voter) // closed by another node: not stored
		return ErrNotCounted
	case meeting.KindOf(err) == meeting.KindConflict:
		delete(box.keys, voter) // the Box knows this voter under another key
		return errDuplicateVote
	default:
		delete(box.keys, voter)
		box.failed[voter] = true
		return err
	}
}

// store seals (for a secret poll, padded to pad bytes so that every sealed
// ballot of the poll has one length) and stores one ballot, given as its
// plain JSON. It is not cancelled with the request: a ballot the tablet
// may retry is stored or failed as a whole, and the retry learns which.
func (r *Room) store(poll, voter, key string, plain []byte, secret bool, pad int) error {
	ctx := context.Background()
	data := plain
	if secret {
		k, err := r.sealKey(ctx, poll, true)
		if err != nil {
			return err
		}
		data = k.Seal(r.id, poll, data, pad)
	}
	start := time.Now()
	err := r.opts.Box.StoreBallot(ctx, store.Ballot{Meeting: r.id, Poll: poll, Participant: voter, Key: key, Data: data, Secret: secret})
	if r.opts.ObserveWrite != nil {
		r.opts.ObserveWrite("ballot", time.Since(start))
	}
	return err
}

// sealKey returns the poll's sealing key, creating it when create is set
// (nil, nil if it has none and create is not set). The key is cached in the
// poll's box, and fetched once: the first ballots of a poll arrive all at
// once (a congress pressing within seconds), and each fetch is a few round
// trips to object storage, so one caller fetches while the others wait for
// it. r.mu must not be held.
func (r *Room) sealKey(ctx context.Context, poll string, create bool) (*ballotseal.Key, error) {
	if r.opts.Keys == nil {
		return nil, meeting.Internal(errNoKeys)
	}
	r.mu.Lock()
	b := r.boxes[poll]
	for b != nil && b.seal == nil && b.sealing != nil {
		ch := b.sealing
		r.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		r.mu.Lock()
		b = r.boxes[poll]
	}
	if b != nil && b.seal != nil {
		k := b.seal
		r.mu.Unlock()
		return k, nil
	}
	var done chan struct{}
	if b != nil {
		done = make(chan struct{})
		b.sealing = done
	}
	r.mu.Unlock()
	var k *ballotseal.Key
	var err error
	if create {
		k, err = r.opts.Keys.Key(ctx, r.id, poll)
	} else {
		k, err = r.opts.Keys.Lookup(ctx, r.id, poll)
	}
	if b != nil {
		r.mu.Lock()
		if k != nil && err == nil {
			b.seal = k
		}
		b.sealing = nil
		close(done) // waiters look again (and fetch themselves if this failed)
		r.mu.Unlock()
	}
	return k, err
}

// castAfterClose answers a ballot that reached this node after its poll
// closed, or that the log says was cast through another node: counted if
// the Box holds it under this key (it was stored before the close, through
// this node or another: a retry after a lost answer), a second ballot if
// under another key, else not counted.
func (r *Room) castAfterClose(ctx context.Context, poll, voter, key string) error {
	voters, err := r.opts.Box.Voters(ctx, r.id, poll)
	if err != nil {
		return err
	}
	switch k, ok := voters[voter]; {
	case ok && k == key:
		return nil
	case ok:
		return errDuplicateVote
	}
	return ErrNotCounted
}

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
func (r *Room) flushLocked(ctx context.Context) { r.flushFrom(ctx, nil) }

// flushFrom is flushLocked for a command from origin o (a close), whose
// sender gets the records first. r.mu must be held.
func (r *Room) flushFrom(ctx context.Context, o *Origin) {
	for poll, b := range r.boxes {
		if len(b.unrecorded) == 0 {
			continue
		}
		if err := r.recordVotes(ctx, poll, b.unrecorded, o); err != nil {
			r.opts.Logger.Error("record votes", "meeting", r.id, "poll", poll, "voters", len(b.unrecorded), "err", err)
			continue
		}
		b.unrecorded = nil
	}
}

// recordVotes records votes in the log, leaving out voters the log already
// has (another node or an earlier flush recorded them) and sorting the
// rest by participant: the log says who voted in which batch, never in
// which order. o, if not nil, is the origin of the command the votes are
// recorded for (a close: its sender gets them first). r.mu must be held.
func (r *Room) recordVotes(ctx context.Context, poll string, votes []meeting.VoteRecord, o *Origin) error {
	_, err := r.decideAppendFrom(ctx, systemActor, func(s *meeting.State) (meeting.Command, error) {
		p, ok := s.Poll(poll)
		if !ok || p.Status != meeting.PollStatusOpen {
			return nil, nil // closed meanwhile: the close recorded them
		}
		missing := notLogged(p, votes)
		if len(missing) == 0 {
			return nil, nil
		}
		slices.SortFunc(missing, func(a, b meeting.VoteRecord) int { return strings.Compare(a.Participant, b.Participant) })
		return &meeting.RecordVotes{Poll: poll, Votes: missing}, nil
	}, o.eventsOnly())
	return err
}

// notLogged returns the votes of voters that poll p's log does not list,
// in their order: one pass over p's voters (a congress's close checks
// 10,000 voters against 10,000; Poll.HasVoted each time would be 10⁸
// comparisons).
func notLogged(p meeting.Poll, votes []meeting.VoteRecord) []meeting.VoteRecord {
	if len(votes) == 0 {
		return nil
	}
	logged := make(map[string]bool, len(votes))
	for _, v := range votes {
		logged[v.Participant] = false
	}
	for _, v := range p.Voters {
		if _, ok := logged[v.Participant]; ok {
			logged[v.Participant] = true
		}
	}
	var out []meeting.VoteRecord
	for _, v := range votes {
		if !logged[v.Participant] {
			out = append(out, v)
		}
	}
	return out
}

// systemActor is the server acting on its own behalf.
var systemActor = meeting.Actor{ID: "system", Role: meeting.RoleSystem}

// ClosePoll closes poll for actor a: poll.close, as closePoll.
func (r *Room) ClosePoll(ctx context.Context, a meeting.Actor, poll string) ([]meeting.Event, error) {
	return r.closePoll(ctx, a, &meeting.ClosePoll{ID: poll})
}

// closePoll runs poll.close (with or without publish) for actor a: it
// stops taking ballots (later ones are not counted, on every node), waits
// for those being stored here, records every stored voter in the log, and
// closes the poll with the tally of the box — and with c.Publish publishes
// the result, in the same commit. Every ballot acknowledged before, by any
// node, is counted. The commit goes first to the command's origin, if ctx
// has one (WithOrigin). For a secret poll the ballots are then rewritten
// and the key destroyed (see finalise) before closePoll returns: the close
// is acknowledged only then, though every tablet has the result already.
func (r *Room) closePoll(ctx context.Context, a meeting.Actor, c *meeting.ClosePoll) ([]meeting.Event, error) {
	poll, o := c.ID, originOf(ctx)
	domain := func() ([]meeting.Event, error) { // the domain's own answer
		r.mu.Lock()
		defer r.mu.Unlock()
		return r.submitEvents(ctx, a, &meeting.ClosePoll{ID: poll, Publish: c.Publish}, o)
	}
	// A command the domain refuses whatever the box holds (its sender may
	// not close the poll, or not publish it) must not close the box on its
	// way: refused, it changes nothing.
	if !meeting.Allowed(a.Role, c.Name()) || c.Publish && !meeting.Allowed(a.Role, (*meeting.PublishPoll)(nil).Name()) || r.opts.Box == nil {
		return domain()
	}
	r.mu.Lock()
	p, ok := r.state.Poll(poll)
	if !ok || p.Status != meeting.PollStatusOpen || p.Paper {
		// A paper poll has no ballot box: its ballots are its reconciled
		// entries, in the state (meeting/paper.go).
		r.mu.Unlock()
		return domain()
	}
	box, err := r.box(ctx, poll)
	if err != nil {
		r.mu.Unlock()
		return nil, err
	}
	secret := p.Kind.Secret()
	if err := r.drainLocked(ctx, box); err != nil {
		r.mu.Unlock()
		return nil, err
	}
	r.mu.Unlock()

	// The fence: from here no node stores a new voter's ballot. The box
	// stays closed even if the rest fails; closing the poll again picks up
	// from here.
	if err := r.opts.Box.CloseBox(ctx, r.id, poll); err != nil {
		r.mu.Lock()
		box.closing = false // the box is still open everywhere: keep taking ballots
		r.mu.Unlock()
		return nil, err
	}
	voters, err := r.opts.Box.Voters(ctx, r.id, poll)
	if err != nil {
		return nil, err
	}
	// What must be read back: a secret poll's ballots unless this room
	// counted all of them as it stored them; an open poll's (whose ballots
	// are in the log) only for voters the log lacks, stored through
	// another node that had not recorded them yet, or before a crash.
	r.mu.Lock()
	r.flushFrom(ctx, o)
	var plain [][]byte
	var ballots []meeting.Ballot
	logged := 0
	if secret {
		plain, ballots, err = box.countedBallots(len(voters))
	} else if p, ok := r.state.Poll(poll); ok {
		logged = len(p.Voters)
	}
	r.mu.Unlock()
	if err != nil {
		return nil, err
	}
	var stored []store.StoredBallot
	if secret && plain == nil || !secret && len(voters) > logged {
		if stored, err = r.opts.Box.Ballots(ctx, r.id, poll); err != nil {
			return nil, err
		}
	}
	if secret && plain == nil {
		if plain, err = r.openBallots(ctx, poll, stored); err != nil {
			// Another node may have closed the poll meanwhile (its close
			// destroyed the key): then that is the answer.
			r.mu.Lock()
			defer r.mu.Unlock()
			if r.freshen(ctx) {
				if p, ok := r.state.Poll(poll); ok && p.Status != meeting.PollStatusOpen {
					return r.submitEvents(ctx, a, &meeting.ClosePoll{ID: poll, Publish: c.Publish}, o)
				}
			}
			return nil, err
		}
		if ballots, err = decodeBallots(plain); err != nil {
			return nil, err
		}
	}

	r.mu.Lock()
	r.flushFrom(ctx, o)
	var events []meeting.Event
	p, _ = r.state.Poll(poll)
	votes, err := missingVotes(voters, stored, p)
	if err == nil {
		err = r.recordVotes(ctx, poll, votes, o)
	}
	if err == nil {
		// A secret poll's close is acknowledged after its clean-up: its
		// origin gets the events first, but no early answer.
		from := o
		if secret {
			from = o.eventsOnly()
		}
		events, err = r.submitEvents(ctx, a, &meeting.ClosePoll{ID: poll, Publish: c.Publish, Ballots: ballots}, from)
	}
	if err == nil {
		box.counted, box.stored = nil, 0 // counted: the poll takes no more ballots
	}
	r.mu.Unlock()
	if err != nil || !secret {
		return events, err
	}
	if err := r.finalise(ctx, poll, plain); err != nil {
		r.opts.Logger.Error("rewriting the closed poll's secret ballots failed; retrying", "meeting", r.id, "poll", poll, "err", err)
		r.retryFinalise(poll)
		return events, errCleanup
	}
	return events, nil
}

// drainLocked stops the poll's box taking ballots here and waits (with r.mu
// released meanwhile) until the ballots being stored are stored or failed.
// r.mu must be held; it is held again on return.
func (r *Room) drainLocked(ctx context.Context, box *pollBox) error {
	box.closing = true
	for box.inStore > 0 {
		if box.drained == nil {
			box.drained = make(chan struct{})
		}
		ch := box.drained
		r.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			r.mu.Lock()
			return ctx.Err()
		}
		r.mu.Lock()
	}
	return nil
}

// missingVotes turns the Box's voters that poll p's log lacks into vote
// records (with each voter's ballot for an open poll, which stored must
// then hold).
func missingVotes(voters map[string]string, stored []store.StoredBallot, p meeting.Poll) ([]meeting.VoteRecord, error) {
	secret := p.Kind.Secret()
	byVoter := map[string]meeting.Ballot{}
	if !secret {
		for _, s := range stored {
			var b meeting.Ballot
			if err := json.Unmarshal(s.Data, &b); err != nil {
				return nil, meeting.Internal(err)
			}
			byVoter[s.Participant] = b
		}
	}
	logged := make(map[string]bool, len(p.Voters))
	for _, v := range p.Voters {
		logged[v.Participant] = true
	}
	out := make([]meeting.VoteRecord, 0, len(voters)-min(len(voters), len(logged)))
	for v := range voters {
		if logged[v] {
			continue
		}
		rec := meeting.VoteRecord{Participant: v}
		if !secret {
			b, ok := byVoter[v]
			if !ok {
				return nil, meeting.Internal(errors.New("room: an open poll's voter has no ballot in the box"))
			}
			rec.Ballot = &b
		}
		out = append(out, rec)
	}
	return out, nil
}

// openBallots returns the plain JSON of a secret poll's stored ballots,
// opening the sealed ones with the poll's key. (Ballots stored before
// sealing existed are plain already.)
func (r *Room) openBallots(ctx context.Context, poll string, stored []store.StoredBallot) ([][]byte, error) {
	var k *ballotseal.Key
	out := make([][]byte, len(stored))
	for i, s := range stored {
		if !ballotseal.Sealed(s.Data) {
			out[i] = s.Data
			continue
		}
		if k == nil {
			var err error
			if k, err = r.sealKey(ctx, poll, false); err != nil {
				return nil, err
			}
			if k == nil {
				return nil, meeting.Internal(errNoKey)
			}
		}
		plain, err := k.Open(r.id, poll, s.Data)
		if err != nil {
			return nil, meeting.Internal(err)
		}
		out[i] = plain
	}
	return out, nil
}

func decodeBallots(plain [][]byte) ([]meeting.Ballot, error) {
	out := make([]meeting.Ballot, len(plain))
	for i, d := range plain {
		if err := json.Unmarshal(d, &out[i]); err != nil {
			return nil, meeting.Internal(err)
		}
	}
	return out, nil
}

// finalise rewrites a closed secret poll's ballots in plain text in a
// random order (the Box also rewrites its voters' record and wipes what it
// can of the old rows), then destroys the poll's key. r.mu must not be
// held.
func (r *Room) finalise(ctx context.Context, poll string, plain [][]byte) error {
	shuffled := slices.Clone(plain)
	var seed [32]byte
	crand.Read(seed[:]) // never fails
	rand.New(rand.NewChaCha8(seed)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	if err := r.opts.Box.ReplaceSecretBallots(ctx, r.id, poll, shuffled); err != nil {
		return err
	}
	r.mu.Lock()
	if b := r.boxes[poll]; b != nil {
		b.seal = nil
	}
	r.mu.Unlock()
	if r.opts.Keys == nil {
		return nil
	}
	return r.opts.Keys.Destroy(ctx, r.id, poll)
}

// FinaliseClosed finishes the close of poll if it is closed or cancelled
// (after a crash or a failure during the close): it closes the box, opens
// the ballots, has the box rewrite them (a box that already did only
// clears its traces again, such as the WAL a crash left) and destroys the
// key. A poll still open is left alone; the key of a poll the meeting does
// not have is destroyed.
func (r *Room) FinaliseClosed(ctx context.Context, poll string) error {
	r.mu.Lock()
	p, ok := r.state.Poll(poll)
	r.mu.Unlock()
	if !ok {
		if r.opts.Keys == nil {
			return nil
		}
		return r.opts.Keys.Destroy(ctx, r.id, poll)
	}
	if p.Status == meeting.PollStatusOpen || p.Status == meeting.PollStatusDraft {
		return nil
	}
	if err := r.opts.Box.CloseBox(ctx, r.id, poll); err != nil {
		return err
	}
	stored, err := r.opts.Box.Ballots(ctx, r.id, poll)
	if err != nil {
		return err
	}
	plain, err := r.openBallots(ctx, poll, stored)
	if err != nil {
		return err
	}
	return r.finalise(ctx, poll, plain)
}

// retryFinalise keeps trying FinaliseClosed in the background until it
// succeeds or the room stops. Its goroutine is owned by the room (r.wg).
func (r *Room) retryFinalise(poll string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped {
		return
	}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		for wait := time.Second; ; wait = min(2*wait, time.Minute) {
			select {
			case <-r.stop:
				return
			case <-time.After(wait):
			}
			err := r.FinaliseClosed(context.Background(), poll)
			if err == nil {
				r.opts.Logger.Info("secret ballots rewritten after a retry", "meeting", r.id, "poll", poll)
				return
			}
			r.opts.Logger.Error("rewriting secret ballots failed again", "meeting", r.id, "poll", poll, "err", err)
		}
	}()
}

// cancelPoll cancels a poll; a secret poll's ballots, which will never be
// counted, are finalised like a closed poll's (its box closed, its ballots
// rewritten, its key destroyed).
func (r *Room) cancelPoll(ctx context.Context, a meeting.Actor, c *meeting.CancelPoll) ([]meeting.Event, error) {
	r.mu.Lock()
	p, ok := r.state.Poll(c.ID)
	var box *pollBox
	if ok && r.opts.Box != nil && meeting.Allowed(a.Role, c.Name()) && p.Status == meeting.PollStatusOpen {
		var err error
		if box, err = r.box(ctx, c.ID); err != nil {
			r.mu.Unlock()
			return nil, err
		}
		if err := r.drainLocked(ctx, box); err != nil {
			r.mu.Unlock()
			return nil, err
		}
	}
	// The origin gets the events first; a secret poll's cancel is answered
	// after its clean-up, as its close.
	from := originOf(ctx)
	if box != nil && p.Kind.Secret() {
		from = from.eventsOnly()
	}
	events, err := r.submitEvents(ctx, a, c, from)
	if err != nil && box != nil {
		box.closing = false // still open
	}
	r.mu.Unlock()
	if err != nil || box == nil || !p.Kind.Secret() {
		return events, err
	}
	if err := r.FinaliseClosed(ctx, c.ID); err != nil {
		r.opts.Logger.Error("rewriting the cancelled poll's secret ballots failed; retrying", "meeting", r.id, "poll", c.ID, "err", err)
		r.retryFinalise(c.ID)
		return events, errCleanup
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
		missing := 0
		for v := range voters {
			if !p.HasVoted(v) {
				missing++
			}
		}
		if missing == 0 {
			continue
		}
		var stored []store.StoredBallot
		if !p.Kind.Secret() {
			if stored, err = r.opts.Box.Ballots(ctx, r.id, p.ID); err != nil {
				return err
			}
		}
		votes, err := missingVotes(voters, stored, p)
		if err != nil {
			return err
		}
		if err := r.recordVotes(ctx, p.ID, votes, nil); err != nil {
			return err
		}
		r.opts.Logger.Info("recorded votes stored before a restart", "meeting", r.id, "poll", p.ID, "voters", missing)
	}
	return nil
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
