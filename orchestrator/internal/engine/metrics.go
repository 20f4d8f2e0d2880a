package engine

import (
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
}

func newMetrics(reg prometheus.Registerer, defs map[string]saga.Definition) *metrics {
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
	}
	reg.MustRegister(m.success, m.failure, m.duration, m.etats, m.compensations, m.recoveries, m.enCours)
	// Zero series from the start, so rate() and alerts work before the first event.
	for name, d := range defs {
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
