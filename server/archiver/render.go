package archiver

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

// renderCountings renders the counting record of every secret poll of the
// log (JSON, HTML and PDF, Vietnamese and English) for an archive.
func renderCountings(events []meeting.Event) ([]archive.Counting, error) {
	cs, err := minutes.BuildCountings(events)
	if err != nil {
		return nil, err
	}
	var out []archive.Counting
	for _, c := range cs {
		x := archive.Counting{Poll: c.Record().Poll.ID}
		if x.JSON, err = c.JSON(); err != nil {
			return nil, err
		}
		if x.HTMLVI, err = c.HTML("vi"); err != nil {
			return nil, err
		}
		if x.HTMLEN, err = c.HTML("en"); err != nil {
			return nil, err
		}
		if x.PDFVI, err = c.PDF("vi"); err != nil {
			return nil, err
		}
		if x.PDFEN, err = c.PDF("en"); err != nil {
			return nil, err
		}
		if c.Record().Paper != nil { // a paper poll: its entry log too
			l, err := minutes.BuildEntryLog(events, x.Poll)
			if err != nil {
				return nil, err
			}
			if x.EntriesJSON, err = l.JSON(); err != nil {
				return nil, err
			}
			if x.EntriesHTML, err = l.HTML("vi"); err != nil {
				return nil, err
			}
			if x.EntriesPDF, err = l.PDF("vi"); err != nil {
				return nil, err
			}
		}
		out = append(out, x)
	}
	return out, nil
}
