package server

import (
	"github.com/phonghop/phonghop/server/archive"
	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/minutes"
)

// RenderMinutes renders the minutes for an archive with package
// server/minutes: JSON, and HTML and PDF in Vietnamese and English, with
// the vote-counting record of every secret poll counted by then.
func RenderMinutes(events []meeting.Event) (archive.Minutes, error) {
	m, err := minutes.Build(events)
	if err != nil {
		return archive.Minutes{}, err
	}
	var out archive.Minutes
	if out.JSON, err = m.JSON(); err != nil {
		return out, err
	}
	if out.HTMLVI, err = m.HTML("vi"); err != nil {
		return out, err
	}
	if out.HTMLEN, err = m.HTML("en"); err != nil {
		return out, err
	}
	if out.PDFVI, err = m.PDF("vi"); err != nil {
		return out, err
	}
	if out.PDFEN, err = m.PDF("en"); err != nil {
		return out, err
	}
	out.Counting, err = renderCountings(events)
	return out, err
}
