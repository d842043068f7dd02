package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/phonghop/phonghop/client"
	"github.com/phonghop/phonghop/server/meeting"
)

// voteReport holds the figures of the vote scenario.
type voteReport struct {
	// AllAckedMs is from the start of the voting second until the last
	// ballot was acknowledged (durably stored).
	AllAckedMs float64 `json:"all_acked_ms"`
	// Ack latency of a ballot: Cast sent to acknowledgement received.
	AckP50 float64 `json:"ack_p50_ms"`
	AckP99 float64 `json:"ack_p99_ms"`
	AckMax float64 `json:"ack_max_ms"`
	// PublishMs is from the console sending poll.close with publish (one
	// command: close, tally and publish in one commit) until every tablet
	// has the published result.
	PublishMs float64 `json:"publish_ms"`
	// CloseMs is the console's round trip of that command: its
	// acknowledgement comes after the secret ballots' clean-up (rewritten,
	// the WAL truncated, the key destroyed; docs/ballots.md), so it may
	// come after the tablets have the result.
	CloseMs float64 `json:"close_ms,omitempty"`
	// ConsoleResultMs is from the close sent until the console's own
	// connection has the published result (the sender's events go out
	// ahead of the fan-out to the tablets).
	ConsoleResultMs float64 `json:"console_result_ms,omitempty"`
	// Counted is the ballots in the published result: must equal n.
	Counted int `json:"counted"`
	// Retries are casts sent again with the same key after an unknown
	// outcome (a valid run has none).
	Retries int  `json:"retries"`
	Valid   bool `json:"vote_valid"`
}

// openVote opens the meeting, marks every delegate present and opens a
// secret poll, from the console; it returns the poll's ID. It runs before
// the tablets connect, so that the N attendance events do not fan out to N
// tablets.
func (b *bench) openVote(ctx context.Context) (string, error) {
	if _, err := b.live.Send(ctx, "meeting.open", nil); err != nil {
		return "", err
	}
	st := b.live.State()
	t := time.Now()
	for _, p := range st.Participants {
		if p.Role != meeting.RoleDelegate {
			continue
		}
		if _, err := b.live.Send(ctx, "attendance.mark", map[string]string{"participant": p.ID, "status": "present"}); err != nil {
			return "", fmt.Errorf("mark %s present: %w", p.ID, err)
		}
	}
	b.p.printf("vote: %d delegates marked present in %.2f s", b.cfg.n, time.Since(t).Seconds())
	if _, err := b.live.Send(ctx, "poll.create", map[string]string{"question": "Thông qua Nghị quyết Hội nghị (thử tải)", "kind": "secret"}); err != nil {
		return "", err
	}
	polls := b.live.State().Polls
	poll := polls[len(polls)-1].ID
	_, err := b.live.Send(ctx, "poll.open", map[string]string{"id": poll})
	return poll, err
}

// vote: every tablet is present and eligible; a secret poll opens; all N
// tablets vote within a jittered second; then the console closes and
// publishes the poll.
func (b *bench) vote(ctx context.Context, user, password string, rep *report) error {
	vr := &voteReport{}
	rep.voteReport = vr
	var poll string
	err := b.setup(ctx, user, password, rep, func(i int) []client.LiveOption {
		return []client.LiveOption{client.WithoutReplica()}
	}, func() error {
		var err error
		poll, err = b.openVote(ctx)
		return err
	})
	if err != nil {
		return err
	}
	if err := b.ended(); err != nil {
		return err
	}
	b.p.printf("vote: %d tablets vote within a jittered second", b.cfg.n)
	done, err := b.measure(ctx)
	if err != nil {
		return err
	}
	choices := []meeting.Choice{meeting.ChoiceAgree, meeting.ChoiceAgree, meeting.ChoiceDisagree, meeting.ChoiceAbstain}
	acks := make([]float64, b.cfg.n)
	var mu sync.Mutex
	var lastAck time.Time
	start := time.Now()
	err = parallel(ctx, b.cfg.n, b.cfg.n, func() {}, func(ctx context.Context, i int) error {
		if err := sleep(ctx, time.Duration(rand.Int64N(int64(time.Second)))); err != nil {
			return err
		}
		key := fmt.Sprintf("bench-%d", i)
		ballot := meeting.Ballot{Choice: choices[i%len(choices)]}
		t := time.Now()
		for {
			status, err := b.tablets[i].live.Cast(ctx, poll, key, ballot)
			if errors.Is(err, client.ErrUnknownOutcome) {
				mu.Lock()
				vr.Retries++
				mu.Unlock()
				continue // the same key: the retry gets the original answer
			}
			if err != nil {
				return fmt.Errorf("tablet %d: %w", i+1, err)
			}
			if status != "recorded" {
				return fmt.Errorf("tablet %d: status %q", i+1, status)
			}
			break
		}
		now := time.Now()
		acks[i] = float64(now.Sub(t).Nanoseconds())
		mu.Lock()
		if now.After(lastAck) {
			lastAck = now
		}
		mu.Unlock()
		return nil
	})
	if err != nil {
		done()
		return err
	}
	vr.AllAckedMs = ms(float64(lastAck.Sub(start).Nanoseconds()))
	vr.AckP50, vr.AckP99, vr.AckMax = ms(percentile(acks, 50)), ms(percentile(acks, 99)), ms(slices.Max(acks))

	// The tablets wait for the published result from before the close is
	// sent: it reaches them when the close commits, before the close is
	// acknowledged (after the secret ballots' clean-up).
	if err := b.waitRecorded(ctx, poll); err != nil {
		done()
		return err
	}
	want := b.live.Seq() + closePublishEvents
	w := b.startWaiters(ctx, want)
	w.arm()
	err = b.closeAndPublish(ctx, vr, poll, want)
	took, werr := w.wait()
	if err == nil {
		err = werr
	}
	if err != nil {
		done()
		return err
	}
	vr.PublishMs = ms(slices.Max(took))
	rep.MeasureCPU = done()
	p, _ := b.live.State().Poll(poll)
	if p.Result != nil {
		vr.Counted = p.Result.Cast
	}
	vr.Valid = vr.Counted == b.cfg.n && vr.Retries == 0
	b.p.printf("vote: all %d acknowledged after %.0f ms (ack p50 %.1f, p99 %.1f ms); published %.1f ms after the close (console %.1f ms, close acknowledged %.1f ms); counted %d",
		b.cfg.n, vr.AllAckedMs, vr.AckP50, vr.AckP99, vr.PublishMs, vr.ConsoleResultMs, vr.CloseMs, vr.Counted)
	if vr.Counted != b.cfg.n {
		return fmt.Errorf("the result counts %d ballots; want %d", vr.Counted, b.cfg.n)
	}
	return nil
}

// closePublishEvents is the number of events of poll.close with publish of
// a vote on no body, once every voter is recorded: poll.closed,
// poll.counted, poll.published.
const closePublishEvents = 3

// waitRecorded waits until the console's replica has every ballot of poll
// recorded (the flusher records them a few times a second), so that the
// close's events are exactly closePublishEvents.
func (b *bench) waitRecorded(ctx context.Context, poll string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		if p, ok := b.live.State().Poll(poll); ok && p.Voted >= b.cfg.n {
			return nil
		}
		if err := sleep(ctx, 20*time.Millisecond); err != nil {
			return fmt.Errorf("waiting for the %d voters to be recorded: %w", b.cfg.n, err)
		}
	}
}

// closeAndPublish sends poll.close with publish from the console and fills
// vr's CloseMs (its round trip) and ConsoleResultMs (the console's own
// connection has the result, seq want). It returns an error if the close's
// last event is not want (the tablets would wait for another seq).
func (b *bench) closeAndPublish(ctx context.Context, vr *voteReport, poll string, want int64) error {
	wctx, cancel := context.WithTimeout(ctx, changeWait)
	defer cancel()
	got := make(chan time.Time, 1)
	go func() {
		if b.live.WaitSeq(wctx, want) == nil {
			got <- time.Now()
		}
		close(got)
	}()
	t0 := time.Now()
	seq, err := b.live.Send(ctx, "poll.close", map[string]any{"id": poll, "publish": true})
	if err != nil {
		return fmt.Errorf("close and publish: %w", err)
	}
	vr.CloseMs = ms(float64(time.Since(t0).Nanoseconds()))
	if seq != want {
		return fmt.Errorf("close and publish: the last event is %d; want %d (%d events after the console's head)", seq, want, closePublishEvents)
	}
	at, ok := <-got
	if !ok {
		return fmt.Errorf("the console never had seq %d", want)
	}
	vr.ConsoleResultMs = ms(float64(at.Sub(t0).Nanoseconds()))
	return nil
}
