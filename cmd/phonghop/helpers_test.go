package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"sync"
	"testing"
)

// jar is a minimal cookie jar remembering the session cookie.
type jar struct {
	mu     sync.Mutex
	cookie string
}

func newJar() *jar { return &jar{} }

func (j *jar) SetCookies(_ *url.URL, cs []*http.Cookie) {
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, c := range cs {
		if c.Name == "phonghop_session" {
			j.cookie = c.Name + "=" + c.Value
		}
	}
}

func (j *jar) Cookies(*url.URL) []*http.Cookie {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.cookie == "" {
		return nil
	}
	c, _ := http.ParseSetCookie(j.cookie)
	return []*http.Cookie{c}
}

func decode(t *testing.T, resp *http.Response, v any) {
	t.Helper()
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}
