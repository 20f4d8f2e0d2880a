package engine

import (
	"context"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"multimagasins/orchestrator/internal/saga"
)

// metrics are the saga series of the seed, plus compensations and recoveries.
type metrics struct {
	success       *prometheus.CounterVec
	failure       *prometheus.CounterVec
	duration      *prometheus.HistogramVec
	etats         *prometheus.CounterVec
	compensations *prometheus.CounterVec
	recoveries    *prometheus.CounterVec
	enCours       *prometheus.GaugeVec
	aVerifier     *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer, defs map[string]saga.Definition, store Store, log *slog.Logger) *metrics {
	m := &metrics{
		success: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "saga_success_total",
			Help: "Sagas finished CONFIRMEE, by type."}, []string{"type"}),
		failure: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "saga_failure_total",
			Help: "Sagas finished ANNULEE, by type and reason (stock, paiement, participant, invalide)."}, []string{"type", "motif"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "saga_duration_seconds",
			Help:    "Time from a saga's start to its end, by type.",
			Buckets: []float64{.002, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}}, []string{"type"}),
		etats: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "saga_etat_total",
			Help: "States entered by sagas."}, []string{"etat"}),
		compensations: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "saga_compensations_total",
			Help: "Compensations completed, by step undone."}, []string{"etape"}),
		recoveries: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "saga_recoveries_total",
			Help: "Sagas resumed by the recovery worker, by the step they were at."}, []string{"etape"}),
		enCours: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "saga_en_cours",
			Help: "Sagas being driven by this process right now, by type."}, []string{"type"}),
		aVerifier: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "saga_a_verifier_total",
			Help: "Sagas that became à vérifier (recovery could not move them after N attempts), by type."}, []string{"type"}),
	}
	types := slices.Sorted(maps.Keys(defs))
	reg.MustRegister(m.success, m.failure, m.duration, m.etats, m.compensations, m.recoveries, m.enCours, m.aVerifier,
		&aVerifierGauge{store: store, log: log, types: types, desc: prometheus.NewDesc("saga_a_verifier",
			"Unfinished sagas à vérifier now, by type: a count of the saga table, the same from every orchestrator (use max).",
			[]string{"type"}, nil)})
	// Zero series from the start, so rate() and alerts work before the first event.
	for name, d := range defs {
		m.aVerifier.WithLabelValues(name)
		m.success.WithLabelValues(name)
		m.duration.WithLabelValues(name)
		m.enCours.WithLabelValues(name)
		for _, code := range []string{saga.CodeStock, saga.CodePaiement, saga.CodeParticipant, saga.CodeInvalide} {
			m.failure.WithLabelValues(name, code)
		}
		if d.Cloture != nil {
			m.recoveries.WithLabelValues(d.Cloture.Name)
		}
		for _, s := range d.Steps {
			m.recoveries.WithLabelValues(s.Name)
			if s.Undo != nil {
				m.compensations.WithLabelValues(s.Name)
			}
		}
	}
	for _, e := range []saga.Statut{saga.Creee, saga.StockVerifie, saga.StockReserve, saga.Payee,
		saga.RetourEnregistre, saga.Restocke, saga.Confirmee, saga.Annulee} {
		m.etats.WithLabelValues(string(e))
	}
	return m
}

// aVerifierGauge is saga_a_verifier, counted in the saga table at each
// scrape: a saga à vérifier may be left by any orchestrator, or by this one
// before a restart, so no process's own count would be right. The count is
// one query on a partial index holding only those sagas.
type aVerifierGauge struct {
	store Store
	log   *slog.Logger
	types []string
	desc  *prometheus.Desc

	mu   sync.Mutex
	last map[string]int // the last count read, kept when a read fails
}

func (g *aVerifierGauge) Describe(ch chan<- *prometheus.Desc) { ch <- g.desc }

func (g *aVerifierGauge) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	n, err := g.store.AVerifier(ctx)
	g.mu.Lock()
	defer g.mu.Unlock()
	if err != nil {
		g.log.Warn("count sagas à vérifier", "err", err)
		if g.last == nil {
			return // nothing known yet: no sample rather than a false 0
		}
		n = g.last
	}
	g.last = n
	for _, t := range g.types {
		ch <- prometheus.MustNewConstMetric(g.desc, prometheus.GaugeValue, float64(n[t]), t)
	}
}
