package httpapi

import (
	"context"
	"encoding/hex"
	"time"

	"github.com/phonghop/phonghop/server/meeting"
)

// Revalidate checks, every interval until ctx is done, that the sessions of
// this node's live connections still exist, and closes (4001) the sockets
// of those that ended elsewhere: with many nodes, a logout or a removed
// participant's sessions deleted on another node reach this node's sockets
// within one interval. (Removal also closes them at once through OnCommit;
// a logout is not a meeting event.)
func (s *API) Revalidate(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for _, h := range s.conns.sessions() {
			raw, err := hex.DecodeString(h)
			if err != nil {
				continue
			}
			_, err = s.db.Session(ctx, raw, s.now())
			switch {
			case meeting.KindOf(err) == meeting.KindNotFound:
				s.conns.closeSession(h, closeSessionEnded, "phiên đã kết thúc / session ended")
			case err != nil && ctx.Err() == nil:
				s.log.Warn("revalidating a session", "err", err)
			}
			if ctx.Err() != nil {
				return
			}
		}
	}
}
