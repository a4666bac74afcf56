// Package metrics exposes Prometheus metrics: HTTP requests and latencies by
// route (the route pattern, never the raw path, so ids do not explode the
// label space and no resident data reaches a label), store command
// latencies, build information, and the Go runtime and process collectors.
package metrics

import (
	"net/http"
	"runtime"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/buurtstem/buurtstem/server/version"
)

// Metrics owns a registry of its own, so tests can build several servers in
// one process.
type Metrics struct {
	Registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	store    *prometheus.HistogramVec
}

// New registers every metric.
func New() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "buurtstem_http_requests_total",
			Help: "HTTP requests by method, route pattern and status code.",
		}, []string{"method", "route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "buurtstem_http_request_duration_seconds",
			Help:    "HTTP request latency by method and route pattern.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2.5, 10),
		}, []string{"method", "route"}),
		store: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "buurtstem_store_operation_duration_seconds",
			Help:    "Store command latency by command name and outcome.",
			Buckets: prometheus.ExponentialBuckets(0.0002, 2.5, 10),
		}, []string{"command", "outcome"}),
	}
	build := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "buurtstem_build_info",
		Help: "Always 1; the labels say which build is running.",
	}, []string{"version", "revision", "goversion"})
	build.WithLabelValues(version.Version, version.Revision(), runtime.Version()).Set(1)
	m.Registry.MustRegister(m.requests, m.latency, m.store, build,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// ObserveRequest records one HTTP request.
func (m *Metrics) ObserveRequest(method, route string, status int, d time.Duration) {
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(method, route).Observe(d.Seconds())
}

// ObserveStore records one store command; it fits store.Options.Observe.
func (m *Metrics) ObserveStore(command string, d time.Duration, ok bool) {
	outcome := "ok"
	if !ok {
		outcome = "error"
	}
	m.store.WithLabelValues(command, outcome).Observe(d.Seconds())
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	// ContinueOnError: one failing collector (e.g. /proc unreadable for a
	// moment under load) must not hide every other metric.
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{Registry: m.Registry, ErrorHandling: promhttp.ContinueOnError})
}

// LiveSource is what the live hub reports (see live.Hub).
type LiveSource interface {
	Conns() int
	Drops() (slow, stuck int64)
}

// Live exposes the open WebSocket connections of this instance and how
// many were cut off, by why: a full send queue (the client fell behind
// and resumes by replay) or a write stuck past its timeout. Call it once.
func (m *Metrics) Live(h LiveSource) {
	m.Registry.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "buurtstem_live_connections",
			Help: "Open live-session WebSocket connections on this instance.",
		}, func() float64 { return float64(h.Conns()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "buurtstem_live_dropped_slow_total",
			Help: "Live connections cut off because their send queue was full (close code 4001).",
		}, func() float64 { s, _ := h.Drops(); return float64(s) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "buurtstem_live_dropped_stuck_total",
			Help: "Live connections cut off because a write was stuck past the write timeout.",
		}, func() float64 { _, s := h.Drops(); return float64(s) }),
	)
}
