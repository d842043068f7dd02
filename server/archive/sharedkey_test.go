package archive_test

import (
	"context"
	"sync"
	"testing"

	docstorage "github.com/phonghop/phonghop/docs-storage"
	"github.com/phonghop/phonghop/server/archive"
)

// TestSharedKey: nodes starting at once against one object store all load
// the same signing key; exactly one of them created it; later starts load
// it.
func TestSharedKey(t *testing.T) {
	objects, err := docstorage.NewFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	const nodes = 8
	keys := make([]*archive.Key, nodes)
	created := make([]bool, nodes)
	var wg sync.WaitGroup
	for i := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k, c, err := archive.LoadOrCreateKeyIn(ctx, objects)
			if err != nil {
				t.Error(err)
				return
			}
			keys[i], created[i] = k, c
		}()
	}
	wg.Wait()
	makers := 0
	for i, k := range keys {
		if k == nil {
			t.FailNow()
		}
		if k.Fingerprint() != keys[0].Fingerprint() {
			t.Errorf("node %d has key %s; node 0 has %s", i, k.Fingerprint(), keys[0].Fingerprint())
		}
		if created[i] {
			makers++
		}
	}
	if makers != 1 {
		t.Errorf("%d nodes created a key; want exactly 1", makers)
	}
	again, c, err := archive.LoadOrCreateKeyIn(ctx, objects)
	if err != nil || c || again.Fingerprint() != keys[0].Fingerprint() {
		t.Errorf("a later start: %v created %v, fingerprint %s; want the same key loaded", err, c, again.Fingerprint())
	}
}
