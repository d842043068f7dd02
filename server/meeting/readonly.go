package meeting

// After the close (bế mạc) a meeting is read-only, not sealed: delegates
// still read its documents until it is archived (server/pairing_policy.go),
// and every download stays recorded in the log. Recording a download is
// the one command besides the minutes' that is accepted after the close;
// it changes nothing of the meeting itself (document.downloaded is staff
// only and the minutes do not show it).
func (*RecordDownloads) afterClose() {}
