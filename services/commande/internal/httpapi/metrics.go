package httpapi

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"multimagasins/commande/internal/commande"
)

// metrics are the business counters of the service, beside kit's RED metrics.
// magasin is the store id of a counter sale and "en_ligne" for online orders:
// six values at most, so head office can chart sales per store.
type metrics struct {
	commandes *prometheus.CounterVec
	ventes    *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		commandes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "commandes_total",
			Help: "Orders entering each state (CREEE on creation), by channel and store. Replays are not counted.",
		}, []string{"statut", "canal", "magasin"}),
		ventes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "commandes_confirmees_montant_cents_total",
			Help: "Amount of the orders that reached CONFIRMEE, in cents, by channel and store (returns not deducted).",
		}, []string{"canal", "magasin"}),
	}
	reg.MustRegister(m.commandes, m.ventes)
	return m
}

func (m *metrics) entered(c commande.Commande) {
	magasin := "en_ligne"
	if c.MagasinID != nil {
		magasin = strconv.Itoa(*c.MagasinID)
	}
	m.commandes.WithLabelValues(string(c.Statut), string(c.Canal), magasin).Inc()
	if c.Statut == commande.Confirmee {
		m.ventes.WithLabelValues(string(c.Canal), magasin).Add(float64(c.Total))
	}
}
