package httpapi

import (
	"cmp"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// connectionInfo is one live WebSocket connection of a meeting.
type connectionInfo struct {
	Participant string    `json:"participant,omitempty"` // empty for a secretary account
	Actor       string    `json:"actor"`                 // "participant:p3" or "account:thuky"
	Name        string    `json:"name"`
	Role        string    `json:"role"`
	ConnectedAt time.Time `json:"connected_at"`
	LastSeen    time.Time `json:"last_seen"` // last frame or pong from the client
	Since       int64     `json:"since"`     // the seq the client had when it connected
}

// participantConnections summarises the connections of one participant (or
// one secretary account).
type participantConnections struct {
	Participant string    `json:"participant,omitempty"`
	Actor       string    `json:"actor"`
	Name        string    `json:"name"`
	Role        string    `json:"role"`
	Sockets     int       `json:"sockets"`
	ConnectedAt time.Time `json:"connected_at"` // of the oldest socket
	LastSeen    time.Time `json:"last_seen"`    // of the most recent socket
}

// handleConnections lists the live WebSocket connections of a meeting
// (secretary and chair only): which tablets are online, since when, last
// heard from.
func (s *API) handleConnections(c echo.Context) error {
	r, a, err := s.meetingFor(c)
	if err != nil {
		return err
	}
	if !a.Role.Staff() {
		return errForbidden
	}
	conns := []connectionInfo{}
	for _, w := range s.conns.of(r.ID()) {
		ci := connectionInfo{Participant: w.actor.Participant, Actor: w.actor.ID, Role: string(w.actor.Role),
			ConnectedAt: w.connectedAt, LastSeen: time.Unix(0, w.lastSeen.Load()).UTC(), Since: w.since}
		if ci.Participant != "" {
			if p, ok := r.Participant(ci.Participant); ok {
				ci.Name = p.Name
			}
		} else {
			ci.Name = strings.TrimPrefix(ci.Actor, "account:")
		}
		conns = append(conns, ci)
	}
	slices.SortFunc(conns, func(x, y connectionInfo) int {
		return cmp.Or(cmp.Compare(x.Actor, y.Actor), x.ConnectedAt.Compare(y.ConnectedAt))
	})
	people := []participantConnections{}
	participants := 0
	for _, ci := range conns {
		if n := len(people); n > 0 && people[n-1].Actor == ci.Actor {
			p := &people[n-1]
			p.Sockets++
			if ci.LastSeen.After(p.LastSeen) {
				p.LastSeen = ci.LastSeen
			}
			continue
		}
		people = append(people, participantConnections{Participant: ci.Participant, Actor: ci.Actor, Name: ci.Name, Role: ci.Role,
			Sockets: 1, ConnectedAt: ci.ConnectedAt, LastSeen: ci.LastSeen})
		if ci.Participant != "" {
			participants++
		}
	}
	return c.JSON(http.StatusOK, map[string]any{
		"meeting":                r.ID(),
		"connected_participants": participants,
		"sockets":                len(conns),
		"participants":           people,
		"connections":            conns,
	})
}
