// Package httpapi is the HTTP face of the stock service.
package httpapi

import (
	"log/slog"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/prometheus/client_golang/prometheus"
)

// Routes lists the whole API of the stock service.
func Routes(api huma.API, repo Repo, log *slog.Logger, reg prometheus.Registerer) {
	h := &handlers{repo: repo, log: log, reservations: newReservationsCounter(reg)}

	huma.Register(api, huma.Operation{OperationID: "list-produits", Method: http.MethodGet, Path: "/produits",
		Summary: "Lister les produits (par ids, recherche par nom, filtre catégorie et actif)"}, h.listProduits)
	huma.Register(api, huma.Operation{OperationID: "create-produit", Method: http.MethodPost, Path: "/produits",
		Summary: "Créer un produit (sans stock)", DefaultStatus: http.StatusCreated}, h.createProduit)
	huma.Register(api, huma.Operation{OperationID: "get-produit", Method: http.MethodGet, Path: "/produits/{id}",
		Summary: "Lire un produit"}, h.getProduit)
	huma.Register(api, huma.Operation{OperationID: "update-produit", Method: http.MethodPut, Path: "/produits/{id}",
		Summary: "Remplacer un produit"}, h.updateProduit)

	huma.Register(api, huma.Operation{OperationID: "list-magasins", Method: http.MethodGet, Path: "/magasins",
		Summary: "Lister les cinq magasins"}, h.listMagasins)
	huma.Register(api, huma.Operation{OperationID: "get-magasin", Method: http.MethodGet, Path: "/magasins/{id}",
		Summary: "Lire un magasin"}, h.getMagasin)
	huma.Register(api, huma.Operation{OperationID: "stock-magasin", Method: http.MethodGet, Path: "/magasins/{id}/stock",
		Summary: "Stock d'un magasin"}, h.stockMagasin)
	huma.Register(api, huma.Operation{OperationID: "stock-logistique", Method: http.MethodGet, Path: "/logistique/stock",
		Summary: "Stock du centre logistique"}, h.stockCentre)
	huma.Register(api, huma.Operation{OperationID: "create-reception", Method: http.MethodPost, Path: "/logistique/receptions",
		Summary: "Recevoir des marchandises au centre logistique", DefaultStatus: http.StatusCreated}, h.receive)
	huma.Register(api, huma.Operation{OperationID: "create-retour", Method: http.MethodPost, Path: "/retours",
		Summary: "Remettre en stock des marchandises retournées (idempotent)", DefaultStatus: http.StatusCreated}, h.restock)

	huma.Register(api, huma.Operation{OperationID: "check-disponibilites", Method: http.MethodPost, Path: "/disponibilites",
		Summary: "Vérifier la disponibilité de lignes (lecture seule)"}, h.disponibilites)
	huma.Register(api, huma.Operation{OperationID: "create-reservation", Method: http.MethodPost, Path: "/reservations",
		Summary: "Réserver toutes les lignes ou aucune", DefaultStatus: http.StatusCreated}, h.reserve)
	huma.Register(api, huma.Operation{OperationID: "get-reservation", Method: http.MethodGet, Path: "/reservations/{cle}",
		Summary: "Lire une réservation"}, h.getReservation)
	huma.Register(api, huma.Operation{OperationID: "release-reservation", Method: http.MethodPost,
		Path: "/reservations/{cle}/liberation", Summary: "Libérer une réservation (idempotent)"}, h.release)
	huma.Register(api, huma.Operation{OperationID: "confirm-reservation", Method: http.MethodPost,
		Path: "/reservations/{cle}/confirmation", Summary: "Confirmer une réservation : la marchandise sort (idempotent)"}, h.confirm)

	huma.Register(api, huma.Operation{OperationID: "list-mouvements", Method: http.MethodGet, Path: "/mouvements",
		Summary: "Journal des mouvements, du plus récent au plus ancien"}, h.listMouvements)
}

// Results of reservation calls, for the business dashboard.
const (
	resultReservee    = "reservee"
	resultInsuffisant = "insuffisant"
	resultLiberee     = "liberee"
	resultConfirmee   = "confirmee"
)

func newReservationsCounter(reg prometheus.Registerer) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "stock_reservations_total",
		Help: "Reservation calls that changed stock, or were refused for lack of it, by result.",
	}, []string{"resultat"})
	for _, r := range []string{resultReservee, resultInsuffisant, resultLiberee, resultConfirmee} {
		c.WithLabelValues(r) // a zero series from the start, so rate() works before the first event
	}
	reg.MustRegister(c)
	return c
}
