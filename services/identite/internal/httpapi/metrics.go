package httpapi

import "github.com/prometheus/client_golang/prometheus"

// The results of a password sign-in.
const (
	resultatSucces = "succes"
	resultatEchec  = "echec"  // wrong username or password
	resultatBloque = "bloque" // refused by the throttle, password not checked
)

type metrics struct {
	connexions *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{connexions: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "identite_connexions_total",
		Help: "Password sign-ins at the token endpoint, by result (succes, echec, bloque).",
	}, []string{"resultat"})}
	reg.MustRegister(m.connexions)
	// Every result exists from the start, so rate() and alerts see zeros, not gaps.
	for _, r := range []string{resultatSucces, resultatEchec, resultatBloque} {
		m.connexions.WithLabelValues(r)
	}
	return m
}

func (m *metrics) connexion(resultat string) { m.connexions.WithLabelValues(resultat).Inc() }
