package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/phonghop/phonghop/client/web"
)

// routes registers every route of the server. docs/openapi.yaml documents
// the /api routes; a test checks that the two agree.
func (s *API) routes() {
	e := s.echo
	e.Use(middleware.Recover())
	e.Use(s.metrics.middleware)
	e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: "1M",
		Skipper: func(c echo.Context) bool {
			switch c.Path() {
			case "/api/meetings/:id/participants/import":
				return true
			case "/api/meetings/:id/documents", "/api/meetings/:id/documents/:doc/versions", "/api/meetings/:id/contributions":
				return c.Request().Method == http.MethodPost // uploads: their own limit (upload.go)
			}
			return false
		}}))

	e.GET("/healthz", func(c echo.Context) error { return c.String(http.StatusOK, "ok\n") })
	e.GET("/readyz", s.handleReady)
	e.GET("/metrics", echo.WrapHandler(s.metrics.handler()))
	e.GET("/ws", s.handleWS)

	// The browser apps (client/web), embedded in the binary.
	app := web.New()
	for route := range web.Pages {
		e.GET(route, func(c echo.Context) error { app.ServePage(c.Response(), c.Request(), route); return nil })
	}
	e.GET("/assets/*", func(c echo.Context) error { app.ServeAsset(c.Response(), c.Request(), c.Param("*")); return nil })

	api := e.Group("/api")
	api.POST("/login", s.handleLogin)
	api.POST("/logout", s.handleLogout)
	api.GET("/me", s.handleMe)
	api.POST("/pair", s.handlePair)

	api.GET("/meetings", s.handleListMeetings)
	api.POST("/meetings", s.handleCreateMeeting)
	api.GET("/meetings/:id", s.handleGetMeeting)
	api.GET("/meetings/:id/participants", s.handleRoster)
	api.PUT("/meetings/:id", s.commandRoute("meeting.update", nil))
	api.POST("/meetings/:id/commands", s.handleCommand)
	api.GET("/meetings/:id/events", s.handleEvents)
	api.GET("/meetings/:id/verify", s.handleVerify)
	api.GET("/meetings/:id/minutes", s.handleMinutes)
	s.registerRecordRoutes(api)
	s.registerFloorRoutes(api) // the congress floor (floor.go)
	s.registerPaperRoutes(api)

	api.POST("/meetings/:id/open", s.commandRoute("meeting.open", nil))
	api.POST("/meetings/:id/pause", s.commandRoute("meeting.pause", nil))
	api.POST("/meetings/:id/resume", s.commandRoute("meeting.resume", nil))
	api.POST("/meetings/:id/close", s.commandRoute("meeting.close", nil))

	api.POST("/meetings/:id/agenda", s.commandRoute("agenda.add", nil))
	api.POST("/meetings/:id/agenda/advance", s.commandRoute("agenda.advance", nil))
	api.POST("/meetings/:id/agenda/current", s.commandRoute("agenda.current", nil))
	api.PATCH("/meetings/:id/agenda/:item", s.commandRoute("agenda.rename", pathID("item")))
	api.DELETE("/meetings/:id/agenda/:item", s.commandRoute("agenda.remove", pathID("item")))
	api.POST("/meetings/:id/agenda/:item/move", s.commandRoute("agenda.move", pathID("item")))
	api.POST("/meetings/:id/agenda/:item/done", s.commandRoute("agenda.done", pathID("item")))

	api.POST("/meetings/:id/participants", s.commandRoute("participant.add", nil))
	api.POST("/meetings/:id/participants/import", s.handleImportCSV)
	api.PATCH("/meetings/:id/participants/:pid", s.commandRoute("participant.update", pathID("pid")))
	api.DELETE("/meetings/:id/participants/:pid", s.commandRoute("participant.remove", pathID("pid")))
	api.POST("/meetings/:id/pairing-codes", s.handlePairingCodes)

	api.POST("/meetings/:id/notices", s.commandRoute("notice.send", nil))
	api.GET("/meetings/:id/connections", s.handleConnections)
	api.GET("/meetings/:id/presentation", s.handlePresentation) // pairing_policy.go

	api.POST("/meetings/:id/polls/:poll/ballots", s.handleCast)
	api.GET("/meetings/:id/polls/:poll/my-ballot", s.handleMyBallot)
	api.GET("/meetings/:id/polls/:poll/not-voted", s.handleNotVoted)

	api.GET("/meetings/:id/documents", s.handleListDocuments)
	api.POST("/meetings/:id/documents", s.handleUploadDocument)
	api.GET("/meetings/:id/documents/:doc", s.handleGetDocument)
	api.PATCH("/meetings/:id/documents/:doc", s.commandRoute("document.update", pathID("doc")))
	api.POST("/meetings/:id/documents/:doc/publish", s.commandRoute("document.publish", pathID("doc")))
	api.POST("/meetings/:id/documents/:doc/withdraw", s.commandRoute("document.withdraw", pathID("doc")))
	api.GET("/meetings/:id/documents/:doc/versions", s.handleListVersions)
	api.POST("/meetings/:id/documents/:doc/versions", s.handleUploadVersion)
	api.GET("/meetings/:id/documents/:doc/content", s.handleDownload)
	api.GET("/meetings/:id/documents/:doc/versions/:version/content", s.handleDownload)
	api.GET("/meetings/:id/documents/:doc/downloads", s.handleDownloadLog)

	api.GET("/archive/public-key", s.handleArchivePublicKey)
	api.GET("/archives", s.handleListArchives)
	api.GET("/archives/:meeting/:revision/zip", s.handleArchiveZip)

	s.metrics.routes = map[string]bool{}
	for _, r := range e.Routes() {
		s.metrics.routes[r.Path] = true
	}
}
