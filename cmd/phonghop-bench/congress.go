package main

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/phonghop/phonghop/client"
	"github.com/phonghop/phonghop/server/meeting"
)

// The congress scenario measures everything issue 16 asks about in one run,
// with lean tablets, so that a regression shows in one JSON line:
//
//  1. the floor (runFloor): N lean tablets connect to a minimal broadcast
//     hub, then -changes broadcasts;
//  2. phonghop: setup (import, N pairing codes without QR images, pairing N
//     tablets), then, before the tablets connect, the meeting opens, every
//     delegate is marked present and a secret poll opens;
//  3. the server's memory before and after the N tablets connect (-idle);
//  4. connect all: N lean tablets connected and synced (the snapshot a
//     delegate receives is measured here);
//  5. fan-out: -changes renames, as for the floor; the console's round trip;
//  6. vote: every tablet casts a ballot within a jittered second; then the
//     console closes and publishes the poll in one command (publish_ms:
//     from the close sent until every tablet has the published result;
//     console_result_ms: until the console has it; close_ms: until the
//     close is acknowledged, after the secret ballots' clean-up);
//  7. the snapshot a delegate receives at -sizes participants, in a second
//     meeting grown to each size.

// sizePoint is the snapshot a delegate received in a meeting of
// Participants delegates.
type sizePoint struct {
	Participants int `json:"participants"`
	Bytes        int `json:"bytes"`
}

// congress runs the congress scenario (the floor has run already).
func (b *bench) congress(ctx context.Context, user, password string, rep *report) error {
	rep.fanoutReport = &fanoutReport{Changes: b.cfg.changes}
	vr := &voteReport{}
	rep.voteReport = vr
	var ir *idleReport
	if b.cfg.idle {
		ir = &idleReport{IdleWaitS: b.cfg.idleWait.Seconds(), Samples: memSamples}
		rep.idleReport = ir
	}
	var poll string
	err := b.setup(ctx, user, password, rep, nil, func() error {
		var err error
		if poll, err = b.openVote(ctx); err != nil {
			return err
		}
		if ir != nil {
			return b.idleBefore(ctx, ir)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if ir != nil {
		if err := b.idleAfter(ctx, ir); err != nil {
			return err
		}
	}
	if err := b.fanoutChanges(ctx, rep, nil); err != nil {
		return err
	}
	if err := b.leanVote(ctx, rep, vr, poll); err != nil {
		return err
	}
	b.fleet.closeAll()
	b.fleet = nil
	return b.snapshotSizes(ctx, rep)
}

// leanVote: every lean tablet casts a ballot within a jittered second, then
// the console closes and publishes the poll.
func (b *bench) leanVote(ctx context.Context, rep *report, vr *voteReport, poll string) error {
	choices := []meeting.Choice{meeting.ChoiceAgree, meeting.ChoiceAgree, meeting.ChoiceDisagree, meeting.ChoiceAbstain}
	acks := make([]float64, b.cfg.n)
	var mu sync.Mutex
	var lastAck time.Time
	var err error
	b.p.printf("vote: %d tablets vote within a jittered second", b.cfg.n)
	rep.VotePhase, err = b.phase(ctx, "vote", b.serverPID, 0, func(int) error {
		prof := b.profile(b.serverPID, "vote")
		defer prof()
		start := time.Now()
		err := parallel(ctx, b.cfg.n, b.cfg.n, nil, func(ctx context.Context, i int) error {
			if err := sleep(ctx, time.Duration(rand.Int64N(int64(time.Second)))); err != nil {
				return err
			}
			t := time.Now()
			r, err := b.fleet.tabs[i].command(ctx, "ballot.cast", map[string]any{"poll": poll, "key": fmt.Sprintf("bench-%d", i),
				"ballot": meeting.Ballot{Choice: choices[i%len(choices)]}})
			if err != nil {
				return err
			}
			if !r.ok || r.status != "recorded" {
				return fmt.Errorf("tablet %d: ballot %q: %s", i+1, r.status, r.err)
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
			return err
		}
		vr.AllAckedMs = ms(float64(lastAck.Sub(start).Nanoseconds()))
		vr.AckP50, vr.AckP99, vr.AckMax = ms(percentile(acks, 50)), ms(percentile(acks, 99)), ms(slices.Max(acks))
		return nil
	})
	if err != nil {
		return err
	}
	// Let the last voters be recorded (a few times a second) before the
	// close, so that the close measures the close.
	if err := b.waitRecorded(ctx, poll); err != nil {
		return err
	}
	rep.PublishPhase, err = b.phase(ctx, "publish", b.serverPID, 0, func(int) error {
		prof := b.profile(b.serverPID, "publish")
		defer prof()
		want := b.live.Seq() + closePublishEvents
		t0 := b.fleet.now()
		if err := b.closeAndPublish(ctx, vr, poll, want); err != nil {
			return err
		}
		w := b.fleet.arm(want)
		if err := b.fleet.wait(ctx, w, changeWait); err != nil {
			return fmt.Errorf("the published result: %w", err)
		}
		lat := w.latencies(t0)
		if len(lat) < b.cfg.n {
			return fmt.Errorf("%d tablets had the result before the bench could time it", b.cfg.n-len(lat))
		}
		vr.PublishMs = ms(slices.Max(lat))
		return nil
	})
	if err != nil {
		return err
	}
	p, _ := b.live.State().Poll(poll)
	if p.Result != nil {
		vr.Counted = p.Result.Cast
	}
	vr.Valid = vr.Counted == b.cfg.n
	b.p.printf("vote: all %d acknowledged after %.0f ms (ack p50 %.1f, p99 %.1f ms); published %.1f ms after the close (console %.1f ms, close acknowledged %.1f ms); counted %d",
		b.cfg.n, vr.AllAckedMs, vr.AckP50, vr.AckP99, vr.PublishMs, vr.ConsoleResultMs, vr.CloseMs, vr.Counted)
	if vr.Counted != b.cfg.n {
		return fmt.Errorf("the result counts %d ballots; want %d", vr.Counted, b.cfg.n)
	}
	return nil
}

// snapshotSizes measures the snapshot a delegate receives in a meeting of
// each of -sizes delegates: a second meeting grows to each size, and one
// delegate's lean tablet pairs and connects each time.
func (b *bench) snapshotSizes(ctx context.Context, rep *report) error {
	if len(b.cfg.sizes) == 0 {
		return nil
	}
	c := b.console
	id, err := c.CreateMeeting(ctx, meeting.Details{Title: "Hội nghị đo kích thước ảnh chụp (thử tải)", Organization: "Đảng bộ tỉnh Thử Nghiệm",
		StartsAt: time.Now().Add(time.Hour).Truncate(time.Minute)})
	if err != nil {
		return fmt.Errorf("sizes: create meeting: %w", err)
	}
	for _, title := range []string{"Khai mạc hội nghị", "Báo cáo chính trị", "Thảo luận tại hội trường", "Bế mạc hội nghị"} {
		if _, err := c.Command(ctx, id, "agenda.add", map[string]string{"title": title}); err != nil {
			return fmt.Errorf("sizes: agenda.add: %w", err)
		}
	}
	have, first := 0, ""
	for _, n := range b.cfg.sizes {
		var csv bytes.Buffer
		csv.WriteString("name,position,unit,role\n")
		for i := have + 1; i <= n; i++ {
			fmt.Fprintf(&csv, "Đại biểu %05d,Tỉnh ủy viên,Đảng bộ huyện Thử Nghiệm %d,delegate\n", i, i%40+1)
		}
		added, err := c.ImportParticipantsCSV(ctx, id, &csv)
		if err != nil {
			return fmt.Errorf("sizes: import up to %d: %w", n, err)
		}
		if first == "" && len(added) > 0 {
			first = added[0].ID
		}
		have = n
		size, err := b.delegateSnapshot(ctx, id, first)
		if err != nil {
			return fmt.Errorf("sizes: %d participants: %w", n, err)
		}
		rep.SnapshotSizes = append(rep.SnapshotSizes, sizePoint{Participants: n, Bytes: size})
		b.p.printf("snapshot a delegate receives at %d participants: %d bytes", n, size)
	}
	return nil
}

// delegateSnapshot pairs a tablet for participant pid of meeting id,
// connects it (lean) and returns the size of the snapshot it got.
func (b *bench) delegateSnapshot(ctx context.Context, id, pid string) (int, error) {
	codes, err := b.console.PairingCodes(ctx, id, []string{pid}, client.WithoutQR())
	if err != nil || len(codes) != 1 {
		return 0, fmt.Errorf("pairing code: %v (%d codes)", err, len(codes))
	}
	jar, _ := cookiejar.New(nil)
	tc, err := client.New(b.base, client.WithHTTPClient(&http.Client{Jar: jar, Transport: b.tr}))
	if err != nil {
		return 0, err
	}
	if _, err := tc.Pair(ctx, codes[0].Code); err != nil {
		return 0, fmt.Errorf("pair: %w", err)
	}
	u, _ := url.Parse(b.base)
	u.Scheme, u.Path, u.RawQuery = "ws", "/ws", url.Values{"meeting": {id}}.Encode()
	f := newLeanFleet(1)
	defer f.closeAll()
	var done atomic.Int64
	if _, err := f.connectAll(ctx, 1, func(int) (string, http.CookieJar) { return u.String(), jar }, func() func() { return func() {} }, &done); err != nil {
		return 0, err
	}
	_, size := f.snapshotSizes()
	return size, nil
}
