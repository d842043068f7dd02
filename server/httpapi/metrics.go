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
	commands  *prometheus.CounterVec
	ballots   *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	documents *prometheus.CounterVec // document transfers by op and outcome
	docBytes  *prometheus.CounterVec // document bytes by op
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
	m.reg.MustRegister(m.conns, m.events, m.sends, m.overflows, m.commands, m.ballots, m.latency, m.documents, m.docBytes,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// handler serves the metrics in the Prometheus text format.
func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// middleware records each request's latency by route pattern (not by raw
// path, which would explode the label set).
func (m *metrics) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		code := c.Response().Status
		if err != nil {
			code = status(toAPIError(err).Kind)
		}
		m.latency.WithLabelValues(c.Request().Method, c.Path(), strconv.Itoa(code)).Observe(time.Since(start).Seconds())
		return err
	}
}
