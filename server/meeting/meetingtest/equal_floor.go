package meetingtest

import "github.com/phonghop/phonghop/server/meeting"

// floor compares the congress floor (meeting.Floor: drafts, opinions, tổ,
// tham luận, and a tổ sitting's link, notes and summary).
func (d *differ) floor(a, b *meeting.Floor) {
	d.same(nil, "Floor (nil)", (a == nil) == (b == nil))
	if d.path != "" || a == nil {
		return
	}
	path := field(nil, "Floor")
	listOf(d, path, "Drafts", a.Drafts, b.Drafts, func(p *at, x, y *meeting.Draft) {
		d.same(p, "Document", x.Document == y.Document)
		d.same(p, "Version", x.Version == y.Version)
		list(d, p, "Sections", x.Sections, y.Sections)
		d.same(p, "Deadline", x.Deadline == y.Deadline)
		list(d, p, "Readers", x.Readers, y.Readers)
		d.same(p, "Anonymous", x.Anonymous == y.Anonymous)
		d.same(p, "OpenedAt", x.OpenedAt == y.OpenedAt)
		list(d, p, "Counts", x.Counts, y.Counts)
		list(d, p, "Versions", x.Versions, y.Versions)
	})
	list(d, path, "Opinions", a.Opinions, b.Opinions)
	listOf(d, path, "Groups", a.Groups, b.Groups, func(p *at, x, y *meeting.Group) {
		d.same(p, "ID", x.ID == y.ID)
		d.same(p, "Name", x.Name == y.Name)
		list(d, p, "Members", x.Members, y.Members)
		d.same(p, "Leader", x.Leader == y.Leader)
		d.same(p, "Deputy", x.Deputy == y.Deputy)
		d.same(p, "Secretary", x.Secretary == y.Secretary)
		d.same(p, "Sitting", x.Sitting == y.Sitting)
		list(d, p, "Sittings", x.Sittings, y.Sittings)
	})
	list(d, path, "Contributions", a.Contributions, b.Contributions)
	d.same(path, "Link (nil)", (a.Link == nil) == (b.Link == nil))
	if d.path == "" && a.Link != nil {
		x, y, p := a.Link, b.Link, field(path, "Link")
		d.same(p, "Parent", x.Parent == y.Parent)
		d.same(p, "Congress", x.Congress == y.Congress)
		d.same(p, "Group", x.Group == y.Group)
		d.same(p, "Name", x.Name == y.Name)
		d.same(p, "Number", x.Number == y.Number)
		d.same(p, "Leader", x.Leader == y.Leader)
		d.same(p, "Deputy", x.Deputy == y.Deputy)
		d.same(p, "Secretary", x.Secretary == y.Secretary)
		listOf(d, p, "Drafts", x.Drafts, y.Drafts, func(p *at, x, y *meeting.LinkedDraft) {
			d.same(p, "Document", x.Document == y.Document)
			d.same(p, "Title", x.Title == y.Title)
			list(d, p, "Sections", x.Sections, y.Sections)
		})
	}
	list(d, path, "Notes", a.Notes, b.Notes)
	listOf(d, path, "Summary", a.Summary, b.Summary, func(p *at, x, y *meeting.DraftSummary) {
		d.same(p, "Document", x.Document == y.Document)
		d.same(p, "Title", x.Title == y.Title)
		list(d, p, "Sections", x.Sections, y.Sections)
		list(d, p, "Counts", x.Counts, y.Counts)
		d.same(p, "Opinions", x.Opinions == y.Opinions)
	})
}
