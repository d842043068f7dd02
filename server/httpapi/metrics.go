package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the server's Prometheus metrics, in a registry of its own (no
// package globals, so tests can run many servers in one process).
type metrics struct {
	reg       *prometheus.Registry
	conns     prometheus.Gauge
	events    prometheus.Counter
	sends     prometheus.Counter
	overflows prometheus.Counter
	direct    prometheus.Counter // frames written straight into the socket by Send
	partial   prometheus.Counter // of those, frames the socket took only in part
	commands  *prometheus.CounterVec
	ballots   *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	documents *prometheus.CounterVec // document transfers by op and outcome
	docBytes  *prometheus.CounterVec // document bytes by op

	writes *prometheus.HistogramVec // durable writes (commit latency) by what

	routes map[string]bool // registered route templates (routeLabel)
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		conns: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "phonghop_ws_connections", Help: "Live WebSocket connections."}),
		events: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "phonghop_events_committed_total", Help: "Meeting events durably committed."}),
		sends: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "phonghop_event_sends_total", Help: "Event messages queued to connections."}),
		overflows: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "phonghop_ws_queue_overflows_total", Help: "Connections closed because their send queue was full (they resync)."}),
		direct: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "phonghop_ws_direct_writes_total", Help: "Frames written straight into an idle connection's socket, without a writer goroutine."}),
		partial: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "phonghop_ws_direct_partial_total", Help: "Direct writes the socket took only in part (a slow or stalled tablet); a writer goroutine finished them."}),
		commands: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "phonghop_commands_total", Help: "Meeting commands by outcome kind (ok or the error kind)."}, []string{"outcome"}),
		ballots: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "phonghop_ballots_total", Help: "Ballots by outcome (recorded, not_counted or the error kind)."}, []string{"outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "phonghop_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16)}, []string{"method", "route", "code"}),
		documents: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "phonghop_documents_total", Help: "Document uploads, downloads and watermarked copies made, by outcome (ok or the error kind)."}, []string{"op", "outcome"}),
		docBytes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "phonghop_document_bytes_total", Help: "Bytes of documents uploaded (stored) and sent."}, []string{"op"}),
	}
	m.writes = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "phonghop_store_write_duration_seconds", Help: "Time from asking the store for a durable write to its commit (group commit included), by what was written: events or a ballot.",
		Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16)}, []string{"what"})
	m.reg.MustRegister(m.writes, m.conns, m.events, m.sends, m.overflows, m.direct, m.partial, m.commands, m.ballots, m.latency, m.documents, m.docBytes,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// gauges registers the gauges read when scraped: loaded rooms, connected
// tablets (device sessions) and the archive backlog.
func (m *metrics) gauges(rooms func() int, tablets func() int, backlog func() int) {
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "phonghop_rooms_live", Help: "Meetings loaded in this node (live rooms)."},
			func() float64 { return float64(rooms()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "phonghop_tablets_connected", Help: "WebSocket connections of paired devices (tablets, hall screens) on this node."},
			func() float64 { return float64(tablets()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "phonghop_archive_backlog", Help: "Meetings whose finalised minutes wait to be archived (0 without archiving)."},
			func() float64 { return float64(backlog()) }),
	)
}

// handler serves the metrics in the Prometheus text format.
func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// middleware records each request's latency by route pattern (not by raw
// path, which would explode the label set), known method and the status
// code actually sent: an error is turned into its response here (c.Error)
// so that its real status (a 405, a 429) is what is recorded.
func (m *metrics) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		if err := next(c); err != nil {
			c.Error(err)
		}
		m.latency.WithLabelValues(methodLabel(c.Request().Method), m.routeLabel(c), strconv.Itoa(c.Response().Status)).Observe(time.Since(start).Seconds())
		return nil
	}
}

// methodLabel bounds the method label to the methods HTTP defines.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "OTHER"
}

// routeLabel is the request's route template, or "unmatched" for a path no
// route serves (whatever a client sends, the label set stays the routes').
func (m *metrics) routeLabel(c echo.Context) string {
	if p := c.Path(); m.routes[p] {
		return p
	}
	return "unmatched"
}
