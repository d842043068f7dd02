//go:build js && wasm

// Command kernel is the pure domain core (server/meeting) compiled to
// WebAssembly for the browser apps, so a tablet folds events with the very
// meeting.Apply the server runs. scripts/build-wasm.sh builds it into
// client/web/assets/kernel.wasm; client/web/assets/js/kernel.js loads it.
//
// It sets globalThis.phonghopKernel, an object of functions taking and
// returning strings (JSON), that never throw:
//
//	load(stateJSON)            → ""  | error JSON  replace the replica (a snapshot's state)
//	apply(eventJSON)           → ""  | error JSON  fold one event (meeting.Apply); on error
//	                                               the replica is unchanged: resync
//	state()                    → state JSON        the replica
//	seq()                      → number            the replica's seq
//	quorum()                   → Quorum JSON       meeting.QuorumOf(replica)
//	queue(item)                → [SpeakerRequest]  the speaker queue of item ("" = current)
//	speech(nowUnixMs)          → JSON              the current speech with elapsed_ms,
//	                                               remaining_ms, overrun_ms at now, or "null"
//	checkBallot(poll, ballot)  → BallotCheck JSON  meeting.CheckBallot (valid?, reason)
//	ballotForm(poll)           → "strike" | "approve" | "single" | ""
//	                                               meeting.Poll.Form: the form of an
//	                                               election's ballot (docs/rules.md §4)
//	fork()                     → object            another kernel with these functions and
//	                                               a replica of its own (a tablet follows its
//	                                               tổ's sitting beside the congress:
//	                                               docs/congress.md §3)
//
// Error JSON is {"kind","message","message_en"}.
package main

import (
	"encoding/json"
	"errors"
	"syscall/js"
	"time"

	"github.com/phonghop/phonghop/server/meeting"
)

func errJSON(err error) string {
	var e *meeting.Error
	if !errors.As(err, &e) {
		e = meeting.Internal(err)
	}
	b, _ := json.Marshal(map[string]string{"kind": string(e.Kind), "message": e.Message, "message_en": e.MessageEN})
	return string(b)
}

func invalid(vi, en string) string {
	return errJSON(&meeting.Error{Kind: meeting.KindInvalid, Message: vi, MessageEN: en})
}

func marshal(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "null"
	}
	return string(b)
}

func arg(args []js.Value, i int) string {
	if i < len(args) && args[i].Type() == js.TypeString {
		return args[i].String()
	}
	return ""
}

type speechView struct {
	meeting.Speech
	ElapsedMs   int64 `json:"elapsed_ms"`
	RemainingMs int64 `json:"remaining_ms"`
	OverrunMs   int64 `json:"overrun_ms"`
}

func main() {
	js.Global().Set("phonghopKernel", newKernel())
	select {}
}

// newKernel returns the kernel's functions over a new, empty replica.
func newKernel() js.Value {
	st := &meeting.State{}
	k := map[string]any{
		"load": js.FuncOf(func(_ js.Value, args []js.Value) any {
			var s meeting.State
			if err := json.Unmarshal([]byte(arg(args, 0)), &s); err != nil {
				return invalid("Trạng thái không đọc được.", "state does not decode: "+err.Error())
			}
			st = &s
			return ""
		}),
		"apply": js.FuncOf(func(_ js.Value, args []js.Value) any {
			var e meeting.Event
			if err := json.Unmarshal([]byte(arg(args, 0)), &e); err != nil {
				return invalid("Sự kiện không đọc được.", "event does not decode: "+err.Error())
			}
			if err := meeting.Apply(st, e); err != nil {
				return errJSON(err)
			}
			return ""
		}),
		"state": js.FuncOf(func(js.Value, []js.Value) any { return marshal(st) }),
		"seq":   js.FuncOf(func(js.Value, []js.Value) any { return float64(st.Seq) }),
		"quorum": js.FuncOf(func(js.Value, []js.Value) any {
			return marshal(meeting.QuorumOf(st))
		}),
		"queue": js.FuncOf(func(_ js.Value, args []js.Value) any {
			item := arg(args, 0)
			if item == "" {
				item = st.Current
			}
			q := st.Queue(item)
			if q == nil {
				q = []meeting.SpeakerRequest{}
			}
			return marshal(q)
		}),
		"speech": js.FuncOf(func(_ js.Value, args []js.Value) any {
			sp, ok := st.Speaking()
			if !ok {
				return "null"
			}
			now := time.Now()
			if len(args) > 0 && args[0].Type() == js.TypeNumber {
				now = time.UnixMilli(int64(args[0].Float()))
			}
			return marshal(speechView{Speech: sp, ElapsedMs: sp.ElapsedAt(now).Milliseconds(),
				RemainingMs: sp.Remaining(now).Milliseconds(), OverrunMs: sp.Overrun(now).Milliseconds()})
		}),
		"checkBallot": js.FuncOf(func(_ js.Value, args []js.Value) any {
			p, ok := st.Poll(arg(args, 0))
			if !ok {
				return errJSON(meeting.Errorf(meeting.KindNotFound, "Không tìm thấy cuộc biểu quyết.", "poll not found"))
			}
			var b meeting.Ballot
			if err := json.Unmarshal([]byte(arg(args, 1)), &b); err != nil {
				return invalid("Phiếu không đọc được.", "ballot does not decode")
			}
			return marshal(meeting.CheckBallot(p, b))
		}),
		"ballotForm": js.FuncOf(func(_ js.Value, args []js.Value) any {
			p, ok := st.Poll(arg(args, 0))
			if !ok {
				return ""
			}
			return string(p.Form())
		}),
		"fork": js.FuncOf(func(js.Value, []js.Value) any { return newKernel() }),
	}
	return js.ValueOf(k)
}
