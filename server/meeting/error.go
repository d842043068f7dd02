package meeting

import (
	"errors"
	"fmt"
)

// Kind classifies an error for callers: the web layer maps each kind to one
// HTTP status and the WebSocket protocol sends it verbatim. The set is closed
// and stable: clients switch on it.
type Kind string

// The error kinds. They are part of the public API (REST and WebSocket).
const (
	KindInvalid      Kind = "invalid"      // the input is malformed or breaks a rule
	KindNotFound     Kind = "not_found"    // the thing named does not exist
	KindConflict     Kind = "conflict"     // the request is valid but not in this state
	KindForbidden    Kind = "forbidden"    // the actor's role does not allow it
	KindUnauthorized Kind = "unauthorized" // no valid session
	KindInternal     Kind = "internal"     // our fault; details are logged, not shown
)

// Problem is one precise complaint about part of an input, such as one row
// of an imported CSV file. Row is 1-based (0 when not about a row).
type Problem struct {
	Row       int    `json:"row,omitempty"`
	Field     string `json:"field,omitempty"`
	Message   string `json:"message"`
	MessageEN string `json:"message_en"`
}

// Error is the one error type of the domain. Message is Vietnamese (what users
// read first), MessageEN its English rendering. Err, when set, is an internal
// cause for the logs and is never shown to users.
type Error struct {
	Kind      Kind
	Message   string
	MessageEN string
	Problems  []Problem
	Err       error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Kind, e.MessageEN, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Kind, e.MessageEN)
}

// Unwrap returns the internal cause, if any.
func (e *Error) Unwrap() error { return e.Err }

// Errorf builds an *Error with a Vietnamese and an English message.
func Errorf(kind Kind, vi, en string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(vi, args...), MessageEN: fmt.Sprintf(en, args...)}
}

// KindOf reports the kind of err: the Kind of the first *Error in its chain,
// or KindInternal for any other non-nil error ("" for nil).
func KindOf(err error) Kind {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}

// Internal wraps an unexpected cause as an internal error with a generic,
// user-safe message.
func Internal(err error) *Error {
	return &Error{Kind: KindInternal, Message: "Lỗi hệ thống, vui lòng thử lại.", MessageEN: "Internal error, please try again.", Err: err}
}
