package ui

import (
	"net/http"

	"multimagasins/kit"
	"multimagasins/kit/api/sagaapi"
)

// SagasAVerifier lists, for head office, the sagas the orchestrator's
// recovery could not move after N attempts: a participant refuses a step that
// can no longer be undone (a refund already made by hand, an order commande
// will not record) or stays down. Each says where it is stuck and why; the
// orchestrator keeps trying and drops it from the list once it finishes.
func (s *Server) SagasAVerifier(w http.ResponseWriter, r *http.Request) {
	var erreurs []string
	page, err := s.orch.ListSagas(r.Context(), sagaapi.ListSagasParams{AVerifier: true, PageQuery: kit.PageQuery{Limit: 200}})
	if err != nil {
		erreurs = append(erreurs, message(err))
	}
	s.render(w, r, "sagas.html", "Sagas à vérifier", erreurs, page)
}
