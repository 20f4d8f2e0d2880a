package httpapi

import (
	"github.com/prometheus/client_golang/prometheus"

	"multimagasins/paiement/internal/paiement"
)

// metrics are the business counters; replays are not counted, so each
// payment and refund counts once however often the saga asks.
type metrics struct {
	paiements      *prometheus.CounterVec
	montant        *prometheus.CounterVec
	remboursements prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		paiements: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "paiements_total", Help: "Charges decided, by result (accepte, refuse).",
		}, []string{"resultat"}),
		montant: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "paiements_montant_cents_total", Help: "Amount of the charges decided, in cents, by result.",
		}, []string{"resultat"}),
		remboursements: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "remboursements_total", Help: "Refunds made.",
		}),
	}
	reg.MustRegister(m.paiements, m.montant, m.remboursements)
	// Both results exist from the start, so rate() and dashboards see zeros, not gaps.
	for _, r := range []paiement.Statut{paiement.Accepte, paiement.Refuse} {
		m.paiements.WithLabelValues(string(r))
		m.montant.WithLabelValues(string(r))
	}
	return m
}

func (m *metrics) paiement(p paiement.Paiement) {
	m.paiements.WithLabelValues(string(p.Statut)).Inc()
	m.montant.WithLabelValues(string(p.Statut)).Add(float64(p.Montant))
}
