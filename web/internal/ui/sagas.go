package ui

import (
	"net/http"
	"sync"

	"multimagasins/kit"
	"multimagasins/kit/api/commandeapi"
	"multimagasins/kit/api/sagaapi"
	"multimagasins/kit/api/stockapi"
)

// sagaAVerifier is a stuck saga with what head office needs to find it
// elsewhere: where its order was placed (a store's name, or online).
type sagaAVerifier struct {
	sagaapi.Saga
	TypeNom string
	Lieu    string // "" while the order is not known to commande
	Total   kit.Cents
}

// SagasAVerifier lists, for head office, the sagas the orchestrator's
// recovery could not move after N attempts: a participant refuses a step that
// can no longer be undone (a refund already made by hand, an order commande
// will not record) or stays down. Each says where it is stuck and why; the
// orchestrator keeps trying and drops it from the list once it finishes.
func (s *Server) SagasAVerifier(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var (
		page     kit.Page[sagaapi.Saga]
		magasins kit.Page[stockapi.Emplacement]
	)
	erreurs := ensemble(
		func() (err error) {
			page, err = s.orch.ListSagas(ctx, sagaapi.ListSagasParams{AVerifier: true, PageQuery: kit.PageQuery{Limit: 200}})
			return
		},
		func() (err error) { magasins, err = s.stock.ListMagasins(ctx, kit.PageQuery{}); return },
	)
	noms := nomsEmplacements(magasins.Items)
	lignes := make([]sagaAVerifier, len(page.Items))
	var wg sync.WaitGroup
	for i, sg := range page.Items {
		lignes[i] = sagaAVerifier{Saga: sg, TypeNom: typeSaga(sg.Type)}
		if sg.CommandeID == nil {
			continue
		}
		// Best effort, each order at once: a saga is often stuck precisely
		// because commande does not have its order, which is no page error.
		wg.Go(func() {
			c, err := s.commande.GetCommande(ctx, *sg.CommandeID)
			if err != nil {
				return
			}
			lignes[i].Total = c.Total
			if c.Canal == commandeapi.EnLigne || c.MagasinID == nil {
				lignes[i].Lieu = "En ligne"
			} else {
				lignes[i].Lieu = nomMagasin(noms, c.MagasinID)
			}
		})
	}
	wg.Wait()
	s.render(w, r, "sagas.html", "Sagas à vérifier", erreurs, map[string]any{"Total": page.Total, "Items": lignes})
}

// typeSaga names a saga's type as the pages do.
func typeSaga(t string) string {
	switch t {
	case sagaapi.TypeCommande:
		return "Commande en ligne"
	case sagaapi.TypeVente:
		return "Vente au comptoir"
	case sagaapi.TypeRetour:
		return "Retour"
	}
	return t
}
