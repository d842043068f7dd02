package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"
)

// Header is what DecodeHeader reads of one server message (see
// docs/protocol.md): its type and where it stands in the meeting's log,
// never its payload (an event's data, a snapshot's state).
type Header struct {
	// Type is the message type: welcome, snapshot, event, synced, result,
	// error or pong.
	Type string
	// Seq is the welcome's head, the snapshot's seq, the event's seq, or the
	// seq of a synced or result message.
	Seq int64
	// Hash is the snapshot's hash (of the state's last event: its head) or
	// the event's hash.
	Hash string
	// Prev is the event's prev (the hash of the event before it).
	Prev string
	// Epoch is the epoch of a welcome or snapshot.
	Epoch string
	// Meeting is the welcome's meeting, the event's meeting, or the id of a
	// snapshot's state when the server did not put seq and head in the
	// envelope (older servers).
	Meeting string
	// EventType is the event's type ("hidden" for a placeholder).
	EventType string
	// At is the event's time (zero for a placeholder).
	At time.Time
	// ID, OK and Status are a result's (ID also of an error or pong).
	ID     string
	OK     bool
	Status string
}

// fields says which fields decodeHeader found (fully read, not cut off).
type fields uint16

const (
	fType fields = 1 << iota
	fSeq
	fHash
	fPrev
	fEpoch
	fMeeting
)

func (f fields) has(g fields) bool { return f&g == g }

// errHeader is returned for a message that is not a JSON object with a
// string "type" in the part given.
var errHeader = errors.New("client: not a server message (no type)")

// DecodeHeader reads the type and position fields of one server message
// without decoding the rest. It is the lean decoder of load tools: its cost
// does not depend on the size of a snapshot's state or an event's data.
//
// It walks the message's members and skips values it does not need without
// validating them, and stops as soon as it has what the message type calls
// for; for a snapshot that is the envelope's epoch, seq and head, which
// servers put before the state (older servers had seq and head only inside
// the state, as its first members: it reads them there). msg may be the
// first bytes of a longer message (see ReadFrame): fields cut off are left
// zero. It returns an error only when no "type" string was found.
func DecodeHeader(msg []byte) (Header, error) {
	h, _, err := decodeHeader(msg)
	return h, err
}

// decodeHeader is DecodeHeader, also telling which fields it found.
func decodeHeader(msg []byte) (h Header, found fields, err error) {
	s := scanner{b: msg}
	if s.peek() != '{' {
		return h, found, errHeader
	}
	// enough reports whether the walk can stop: the message type is known
	// and so is everything it needs. Events stop after their "event".
	enough := func() bool {
		return found.has(fType) && h.Type == "snapshot" && found.has(fEpoch|fSeq|fHash)
	}
	s.object(func(key []byte) bool {
		switch string(key) {
		case "type":
			if v, ok := s.str(); ok {
				h.Type, found = v, found|fType
			}
		case "seq":
			if n, ok := s.int(); ok {
				h.Seq, found = n, found|fSeq
			}
		case "hash": // snapshot: the hash of the state's last event
			if v, ok := s.str(); ok {
				h.Hash, found = v, found|fHash
			}
		case "head": // welcome: the head seq
			if s.peek() == '"' {
				if v, ok := s.str(); ok {
					h.Hash, found = v, found|fHash
				}
			} else if n, ok := s.int(); ok {
				h.Seq, found = n, found|fSeq
			}
		case "epoch":
			if v, ok := s.str(); ok {
				h.Epoch, found = v, found|fEpoch
			}
		case "meeting":
			if v, ok := s.str(); ok {
				h.Meeting, found = v, found|fMeeting
			}
		case "id":
			h.ID, _ = s.str()
		case "status":
			h.Status, _ = s.str()
		case "ok":
			h.OK = s.lit() == "true"
		case "event":
			// The event's own members; its "type" is the event type.
			s.object(func(key []byte) bool {
				switch string(key) {
				case "meeting":
					if v, ok := s.str(); ok {
						h.Meeting, found = v, found|fMeeting
					}
				case "seq":
					if n, ok := s.int(); ok {
						h.Seq, found = n, found|fSeq
					}
				case "type":
					h.EventType, _ = s.str()
				case "at":
					if v, ok := s.str(); ok {
						h.At, _ = time.Parse(time.RFC3339Nano, v)
					}
				case "prev":
					if v, ok := s.str(); ok {
						h.Prev, found = v, found|fPrev
					}
				case "hash":
					if v, ok := s.str(); ok {
						h.Hash, found = v, found|fHash
					}
				default:
					s.skip()
				}
				return true
			})
			return !found.has(fType) // the event is the last member we need
		case "state":
			if found.has(fSeq | fHash) {
				s.skip() // the envelope had them (and then it is past enough)
				break
			}
			// An older server: the state's id, seq and head are its first
			// members; stop as soon as they are read.
			s.object(func(key []byte) bool {
				switch string(key) {
				case "id":
					if v, ok := s.str(); ok {
						h.Meeting, found = v, found|fMeeting
					}
				case "seq":
					if n, ok := s.int(); ok {
						h.Seq, found = n, found|fSeq
					}
				case "head":
					if v, ok := s.str(); ok {
						h.Hash, found = v, found|fHash
					}
				default:
					s.skip()
				}
				return !(enough() && found.has(fMeeting))
			})
		default:
			s.skip()
		}
		return !enough()
	})
	if !found.has(fType) {
		return h, found, errHeader
	}
	return h, found, nil
}

// peekType returns the type of a server message when "type" is its first
// member (as servers write it), else what decodeHeader finds.
func peekType(msg []byte) string {
	s := scanner{b: msg}
	if s.peek() == '{' {
		s.i++
		if key, ok := s.rawStr(); ok && string(key) == "type" && s.peek() == ':' {
			s.i++
			if v, ok := s.str(); ok {
				return v
			}
		}
	}
	h, _, _ := decodeHeader(msg)
	return h.Type
}

// scanner walks JSON text without validating it: it finds where values end
// (strings with escapes, nested objects and arrays) and reads the few scalar
// values asked for. On malformed or cut-off input it stops (pos = len).
type scanner struct {
	b []byte
	i int
}

// space skips white space.
func (s *scanner) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// peek returns the next non-space byte, or 0 at the end.
func (s *scanner) peek() byte {
	s.space()
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

// fail moves to the end: nothing more can be read.
func (s *scanner) fail() { s.i = len(s.b) }

// rawStr reads a string, returning its bytes between the quotes (escapes
// not decoded) and whether it was complete.
func (s *scanner) rawStr() ([]byte, bool) {
	if s.peek() != '"' {
		s.fail()
		return nil, false
	}
	start := s.i + 1
	for j := start; ; {
		k := bytes.IndexByte(s.b[j:], '"')
		if k < 0 {
			s.fail()
			return nil, false
		}
		end := j + k
		// The quote ends the string unless an odd number of backslashes
		// precede it.
		n := 0
		for p := end - 1; p >= start && s.b[p] == '\\'; p-- {
			n++
		}
		if n%2 == 0 {
			s.i = end + 1
			return s.b[start:end], true
		}
		j = end + 1
	}
}

// str reads a string value, decoding escapes (rare: then with
// encoding/json). A value of another kind is skipped.
func (s *scanner) str() (string, bool) {
	if s.peek() != '"' {
		s.skip()
		return "", false
	}
	start := s.i
	raw, ok := s.rawStr()
	if !ok {
		return "", false
	}
	if bytes.IndexByte(raw, '\\') < 0 && utf8.Valid(raw) {
		return string(raw), true
	}
	var v string
	if err := json.Unmarshal(bytes.TrimLeft(s.b[start:s.i], " \t\r\n"), &v); err != nil {
		return "", false
	}
	return v, true
}

// lit reads a number or literal (true, false, null) and returns its text;
// "" if it was cut off or is not one.
func (s *scanner) lit() string {
	s.space()
	start := s.i
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			if s.i == start {
				return ""
			}
			return string(s.b[start:s.i])
		case '"', '{', '[', ':':
			s.fail()
			return ""
		}
		s.i++
	}
	return "" // cut off: the value may go on
}

// int reads an integer value.
func (s *scanner) int() (int64, bool) {
	n, err := strconv.ParseInt(s.lit(), 10, 64)
	return n, err == nil
}

// skip skips one value.
func (s *scanner) skip() {
	switch s.peek() {
	case 0:
	case '"':
		s.rawStr()
	case '{', '[':
		depth := 0
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case '"':
				if _, ok := s.rawStr(); !ok {
					return
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					s.i++
					return
				}
			}
			s.i++
		}
	default:
		s.lit()
	}
}

// object walks the members of the object at the current position, calling
// member with each key; member must read or skip the value and returns
// false to stop the walk there. A value that is not an object is skipped.
func (s *scanner) object(member func(key []byte) bool) {
	if s.peek() != '{' {
		s.skip()
		return
	}
	s.i++
	if s.peek() == '}' {
		s.i++
		return
	}
	for s.i < len(s.b) {
		key, ok := s.rawStr()
		if !ok || s.peek() != ':' {
			s.fail()
			return
		}
		s.i++
		if !member(key) {
			return
		}
		switch s.peek() {
		case ',':
			s.i++
		case '}':
			s.i++
			return
		default:
			s.fail()
			return
		}
	}
}

// frameBuffers are ReadFrame's scratch buffers, shared by every connection
// of the process: a connection holds them only while it reads a frame.
type frameBuffers struct {
	chunk [16 << 10]byte
	line  []byte // the start of a message that spans reads, up to keep bytes
}

var framePool = sync.Pool{New: func() any { return new(frameBuffers) }}

// maxPooledLine is the largest line buffer kept in framePool.
const maxPooledLine = 64 << 10

// ReadFrame reads one frame of server messages from r (the reader of one
// WebSocket text message, as websocket.Conn.NextReader returns it) and calls
// fn with each message, in order: the protocol puts one or more messages in
// a frame, separated by '\n'; empty ones are skipped.
//
// A message of at most keep bytes is passed whole. A longer one is passed as
// its first keep bytes, with its full size, and the rest is read and
// dropped, so the memory used is bounded by keep whatever the frame holds (a
// snapshot of a 10,000-participant meeting is about 1.4 MB; its header is in
// its first few hundred bytes, see DecodeHeader). msg is valid only during
// the call; size > len(msg) means it was cut. ReadFrame returns fn's first
// error (and reads no further), or r's.
func ReadFrame(r io.Reader, keep int, fn func(msg []byte, size int) error) error {
	keep = max(keep, 1)
	fb := framePool.Get().(*frameBuffers)
	defer func() {
		if cap(fb.line) > maxPooledLine {
			fb.line = nil
		}
		fb.line = fb.line[:0]
		framePool.Put(fb)
	}()
	size := 0 // bytes of the current message read so far, when it spans reads
	emit := func(msg []byte, n int) error {
		if n == 0 || (n == len(msg) && len(bytes.TrimSpace(msg)) == 0) {
			return nil
		}
		return fn(msg, n)
	}
	for {
		n, rerr := r.Read(fb.chunk[:])
		data := fb.chunk[:n]
		for len(data) > 0 {
			seg, rest, end := data, []byte(nil), false
			if i := bytes.IndexByte(data, '\n'); i >= 0 {
				seg, rest, end = data[:i], data[i+1:], true
			}
			data = rest
			if end && size == 0 {
				// The whole message is in this chunk: no copy.
				if err := emit(seg[:min(len(seg), keep)], len(seg)); err != nil {
					return err
				}
				continue
			}
			if room := keep - len(fb.line); room > 0 {
				fb.line = append(fb.line, seg[:min(room, len(seg))]...)
			}
			size += len(seg)
			if end {
				if err := emit(fb.line, size); err != nil {
					return err
				}
				fb.line, size = fb.line[:0], 0
			}
		}
		if rerr == io.EOF {
			return emit(fb.line, size)
		}
		if rerr != nil {
			return rerr
		}
	}
}
