// Package httpapi is the HTTP face of the stock service.
package httpapi

import (
	"log/slog"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/prometheus/client_golang/prometheus"

	"multimagasins/kit"
)

// Routes lists the whole API of the stock service, each route with who may
// call it. A caissier acts for its own store only: the store's id is the
// route's parameter (path id, or the query filter it must give), or, for a
// supply request read by id, the request's own store. cache says how long
// the public reads of the catalogue, stores and stock levels may be kept.
func Routes(api huma.API, repo Repo, log *slog.Logger, reg prometheus.Registerer, cache Cache) {
	h := &handlers{repo: repo, log: log, reservations: newReservationsCounter(reg)}

	huma.Register(api, kit.Access(cached(huma.Operation{OperationID: "list-produits", Method: http.MethodGet, Path: "/produits",
		Summary: "Lister les produits (par ids, recherche par nom, filtre catégorie et actif)"}, cache.Catalogue),
		kit.Public), h.listProduits)
	huma.Register(api, kit.Access(huma.Operation{OperationID: "create-produit", Method: http.MethodPost, Path: "/produits",
		Summary: "Créer un produit (sans stock)", DefaultStatus: http.StatusCreated},
		kit.MaisonMere), h.createProduit)
	huma.Register(api, kit.Access(cached(huma.Operation{OperationID: "get-produit", Method: http.MethodGet, Path: "/produits/{id}",
		Summary: "Lire un produit"}, cache.Catalogue),
		kit.Public), h.getProduit)
	huma.Register(api, kit.Access(huma.Operation{OperationID: "update-produit", Method: http.MethodPut, Path: "/produits/{id}",
		Summary: "Remplacer un produit"},
		kit.MaisonMere), h.updateProduit)

	huma.Register(api, kit.Access(cached(huma.Operation{OperationID: "list-magasins", Method: http.MethodGet, Path: "/magasins",
		Summary: "Lister les cinq magasins"}, cache.Catalogue),
		kit.Public), h.listMagasins)
	huma.Register(api, kit.Access(cached(huma.Operation{OperationID: "get-magasin", Method: http.MethodGet, Path: "/magasins/{id}",
		Summary: "Lire un magasin"}, cache.Catalogue),
		kit.Public), h.getMagasin)
	huma.Register(api, kit.Access(cached(huma.Operation{OperationID: "stock-magasin", Method: http.MethodGet, Path: "/magasins/{id}/stock",
		Summary: "Stock d'un magasin"}, cache.Niveaux),
		kit.Public), h.stockMagasin)
	huma.Register(api, kit.Access(huma.Operation{OperationID: "stock-logistique", Method: http.MethodGet, Path: "/logistique/stock",
		Summary: "Stock du centre logistique"},
		kit.AnyCaissier, kit.Logistique, kit.MaisonMere, kit.Services), h.stockCentre)
	huma.Register(api, kit.Access(huma.Operation{OperationID: "create-reception", Method: http.MethodPost, Path: "/logistique/receptions",
		Summary: "Recevoir des marchandises au centre logistique", DefaultStatus: http.StatusCreated},
		kit.Logistique, kit.MaisonMere), h.receive)
	huma.Register(api, kit.Access(huma.Operation{OperationID: "create-retour", Method: http.MethodPost, Path: "/retours",
		Summary: "Remettre en stock des marchandises retournées (idempotent)", DefaultStatus: http.StatusCreated},
		kit.Services), h.restock)

	huma.Register(api, kit.Access(huma.Operation{OperationID: "check-disponibilites", Method: http.MethodPost, Path: "/disponibilites",
		Summary: "Vérifier la disponibilité de lignes (lecture seule)"},
		kit.Public), h.disponibilites)
	huma.Register(api, kit.Access(huma.Operation{OperationID: "create-reservation", Method: http.MethodPost, Path: "/reservations",
		Summary: "Réserver toutes les lignes ou aucune", DefaultStatus: http.StatusCreated},
		kit.Services), h.reserve)
	huma.Register(api, kit.Access(huma.Operation{OperationID: "get-reservation", Method: http.MethodGet, Path: "/reservations/{cle}",
		Summary: "Lire une réservation"},
		kit.Services), h.getReservation)
	huma.Register(api, kit.Access(huma.Operation{OperationID: "release-reservation", Method: http.MethodPost,
		Path: "/reservations/{cle}/liberation", Summary: "Libérer une réservation (idempotent)"},
		kit.Services), h.release)
	huma.Register(api, kit.Access(huma.Operation{OperationID: "confirm-reservation", Method: http.MethodPost,
		Path: "/reservations/{cle}/confirmation", Summary: "Confirmer une réservation : la marchandise sort (idempotent)"},
		kit.Services), h.confirm)

	huma.Register(api, kit.Access(huma.Operation{OperationID: "list-mouvements", Method: http.MethodGet, Path: "/mouvements",
		Summary: "Journal des mouvements, du plus récent au plus ancien"},
		kit.CaissierOf("emplacement_id"), kit.Logistique, kit.MaisonMere), h.listMouvements)

	huma.Register(api, kit.Access(huma.Operation{OperationID: "create-demande", Method: http.MethodPost, Path: "/magasins/{id}/demandes",
		Summary: "Demander du stock au centre logistique", DefaultStatus: http.StatusCreated},
		kit.CaissierOf("id"), kit.MaisonMere), h.createDemande)
	huma.Register(api, kit.Access(huma.Operation{OperationID: "list-demandes", Method: http.MethodGet, Path: "/demandes",
		Summary: "Demandes d'approvisionnement, de la plus récente à la plus ancienne"},
		kit.CaissierOf("magasin_id"), kit.Logistique, kit.MaisonMere), h.listDemandes)
	huma.Register(api, kit.Access(huma.Operation{OperationID: "get-demande", Method: http.MethodGet, Path: "/demandes/{id}",
		Summary: "Lire une demande d'approvisionnement"},
		kit.AnyCaissier, kit.Logistique, kit.MaisonMere), h.getDemande)
	huma.Register(api, kit.Access(huma.Operation{OperationID: "approve-demande", Method: http.MethodPost, Path: "/demandes/{id}/approuver",
		Summary: "Approuver : le stock passe du centre au magasin, la demande est livrée"},
		kit.Logistique, kit.MaisonMere), h.approveDemande)
	huma.Register(api, kit.Access(huma.Operation{OperationID: "refuse-demande", Method: http.MethodPost, Path: "/demandes/{id}/refuser",
		Summary: "Refuser une demande, avec un motif"},
		kit.Logistique, kit.MaisonMere), h.refuseDemande)

	huma.Register(api, kit.Access(huma.Operation{OperationID: "list-seuils", Method: http.MethodGet, Path: "/seuils",
		Summary: "Seuils minimaux par emplacement et produit (20 par défaut)"},
		kit.CaissierOf("emplacement_id"), kit.Logistique, kit.MaisonMere), h.listSeuils)
	huma.Register(api, kit.Access(huma.Operation{OperationID: "set-seuil", Method: http.MethodPut, Path: "/emplacements/{id}/seuils/{produit_id}",
		Summary: "Fixer le seuil minimal d'un produit à un emplacement"},
		kit.MaisonMere), h.setSeuil)

	huma.Register(api, kit.Access(huma.Operation{OperationID: "rapport-ruptures", Method: http.MethodGet, Path: "/rapports/ruptures",
		Summary: "Ruptures : disponible au plus au seuil (5), par emplacement"},
		kit.Logistique, kit.MaisonMere), h.ruptures)
	huma.Register(api, kit.Access(huma.Operation{OperationID: "rapport-surplus", Method: http.MethodGet, Path: "/rapports/surplus",
		Summary: "Surplus : quantité d'au moins le seuil (100), par emplacement"},
		kit.Logistique, kit.MaisonMere), h.surplus)
	huma.Register(api, kit.Access(huma.Operation{OperationID: "rapport-demandes-en-attente", Method: http.MethodGet,
		Path: "/rapports/demandes-en-attente", Summary: "Demandes en attente, par magasin"},
		kit.Logistique, kit.MaisonMere), h.demandesEnAttente)
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
