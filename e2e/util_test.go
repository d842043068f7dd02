package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/phonghop/phonghop/client"
)

// newClient returns an SDK client and a plain HTTP client sharing its
// cookies (for calls the SDK does not wrap).
func newClient(t testing.TB, url string) (*client.Client, *http.Client) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar}
	c, err := client.New(url, client.WithHTTPClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	return c, hc
}

// getJSON GETs url with hc and decodes the JSON answer.
func getJSON(ctx context.Context, hc *http.Client, url string, out any) error {
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		return err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(out)
}

// importAndPair imports n delegates named "<name> 001"… into meeting id,
// pairs a tablet for each (at most limit at once) and connects it within
// connect; it returns the tablets and their participant IDs, in the order
// of the pairing codes. The caller closes the tablets.
func importAndPair(t testing.TB, ctx context.Context, sec *client.Client, url, id, name string, n, limit int, connect time.Duration) ([]*client.Live, []string) {
	t.Helper()
	var csv strings.Builder
	csv.WriteString("họ và tên,vai trò\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&csv, "%s %03d,đại biểu\n", name, i+1)
	}
	if _, err := sec.ImportParticipantsCSV(ctx, id, strings.NewReader(csv.String())); err != nil {
		t.Fatal(err)
	}
	codes, err := sec.PairingCodes(ctx, id, nil)
	if err != nil {
		t.Fatal(err)
	}
	tabs := make([]*client.Live, len(codes))
	pids := make([]string, len(codes))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(limit)
	for i, code := range codes {
		g.Go(func() error {
			c, _ := newClient(t, url)
			pr, err := c.Pair(gctx, code.Code)
			if err != nil {
				return err
			}
			pids[i] = pr.Participant
			cctx, cc := context.WithTimeout(gctx, connect)
			defer cc()
			tabs[i], err = c.Connect(cctx, id, client.WithBackoff(20*time.Millisecond, 300*time.Millisecond))
			return err
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	return tabs, pids
}
