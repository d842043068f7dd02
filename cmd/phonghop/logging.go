package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/phonghop/phonghop/server/demo"
)

// newLogger returns the structured logger c asks for, writing to w.
func newLogger(c config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.logLevel}
	if c.logJSON {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// jsonRequested reports whether args or the environment ask for JSON logs,
// read before the configuration is parsed so that even a configuration
// error is reported as JSON. The last -log-format flag wins, as in flag.
func jsonRequested(args []string, getenv func(string) string) bool {
	v := getenv("PHONGHOP_LOG_FORMAT")
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" || !strings.HasPrefix(a, "-") {
			break
		}
		name, val, hasVal := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if name != "log-format" {
			continue
		}
		if !hasVal && i+1 < len(args) {
			i++
			val = args[i]
		}
		v = val
	}
	return strings.EqualFold(strings.TrimSpace(v), "json")
}

// reportedError is an error already written to the log; main exits with
// status 1 without printing it again.
type reportedError struct{ error }

func (e reportedError) Unwrap() error { return e.error }

// startFailed reports an error that stops the server: as a JSON log record
// on stderr in JSON mode (nothing else may be written there), else as is
// (main prints it).
func startFailed(json bool, stderr io.Writer, err error) error {
	if !json {
		return err
	}
	slog.New(slog.NewJSONHandler(stderr, nil)).Error("phonghop stopped", "err", err.Error())
	return reportedError{err}
}

// exitMessage is what main prints for err before exiting with status 1
// ("" when the error was logged already).
func exitMessage(err error) string {
	var r reportedError
	if errors.As(err, &r) {
		return ""
	}
	return "phonghop: " + err.Error()
}

// banner is what the server says at start-up: lines for people on stdout
// in text mode; in JSON mode, log records (stdout stays empty, and no
// secret is written: the generated password is only in its file).
type banner struct {
	json bool
	w    io.Writer
	log  *slog.Logger
}

// say writes text (text mode) or a record msg with attrs (JSON mode; a
// line without msg is for people only).
func (b *banner) say(text, msg string, attrs ...any) {
	if b.json {
		if msg != "" {
			b.log.Info(msg, attrs...)
		}
		return
	}
	fmt.Fprintln(b.w, text)
}

// login says how the secretary logs in. A generated password is printed
// in text mode only (a person is reading); JSON logs are collected and
// kept, so they name the file that holds it instead.
func (b *banner) login(c config, pw string, generated bool, pwFile string) {
	switch {
	case generated && b.json:
		b.log.Info("secretary account created; its generated password is in the file", "user", c.adminUser, "password_file", pwFile)
	case generated:
		b.say(fmt.Sprintf("Tài khoản thư ký / secretary login: %s  mật khẩu / password: %s", c.adminUser, pw), "")
		b.say(fmt.Sprintf("(mật khẩu cũng được lưu ở %s; đổi bằng PHONGHOP_ADMIN_PASSWORD)", pwFile), "")
	case c.adminPassword != "":
		b.say(fmt.Sprintf("Tài khoản thư ký / secretary login: %s (mật khẩu từ PHONGHOP_ADMIN_PASSWORD)", c.adminUser),
			"secretary account", "user", c.adminUser, "password_from", "PHONGHOP_ADMIN_PASSWORD")
	default:
		b.say(fmt.Sprintf("Tài khoản thư ký / secretary login: %s (mật khẩu ban đầu trong %s nếu chưa đổi)", c.adminUser, pwFile),
			"secretary account", "user", c.adminUser, "initial_password_file", pwFile)
	}
}

// demo says where the demo meeting is and its pairing codes.
func (b *banner) demo(d demo.Meeting, base string) {
	b.say(fmt.Sprintf("\nCuộc họp mẫu / demo meeting: %s\n  %s", d.ID, d.Title), "demo meeting", "meeting", d.ID, "title", d.Title)
	b.say("Mã ghép nối máy tính bảng (hiệu lực đến hết ngày họp) / tablet pairing codes (valid until the end of the meeting's day):", "")
	for _, code := range d.Codes {
		page := "tablet"
		if code.Role == "hall" {
			page = "hall"
		}
		link := fmt.Sprintf("%s/%s#code=%s", base, page, code.Code)
		b.say(fmt.Sprintf("  %s  %-10s %-28s %s", code.Code, code.Role, code.Name, link),
			"demo pairing code", "code", code.Code, "role", code.Role, "name", code.Name, "participant", code.Participant, "url", link)
	}
	for _, doc := range d.Documents {
		b.say(fmt.Sprintf("Tài liệu mẫu / sample document: %s  %s (%s)", doc.ID, doc.Title, doc.Access),
			"demo document", "document", doc.ID, "title", doc.Title, "access", string(doc.Access))
	}
	console := fmt.Sprintf("%s/console#m=%s&tab=prepare", base, d.ID)
	b.say("Bàn thư ký / secretary console:  "+console, "demo console", "url", console)
	if hc := d.HallCode(); hc != "" {
		b.say(fmt.Sprintf("Màn hình hội trường / hall screen: %s/hall#code=%s", base, hc), "demo hall screen", "url", fmt.Sprintf("%s/hall#code=%s", base, hc))
	}
	b.say(fmt.Sprintf("Máy tính bảng / tablet:            %s/tablet#code=<mã ghép nối / pairing code>", base), "demo tablet", "url", base+"/tablet")
}
