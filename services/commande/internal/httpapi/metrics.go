package httpapi

import (
	"github.com/prometheus/client_golang/prometheus"

	"multimagasins/commande/internal/commande"
)

// metrics are the business counters of the service, beside kit's RED metrics.
type metrics struct {
	commandes *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{commandes: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "commandes_total",
		Help: "Orders entering each state (CREEE on creation), by channel. Replays are not counted.",
	}, []string{"statut", "canal"})}
	reg.MustRegister(m.commandes)
	return m
}

func (m *metrics) entered(c commande.Commande) {
	m.commandes.WithLabelValues(string(c.Statut), string(c.Canal)).Inc()
}
