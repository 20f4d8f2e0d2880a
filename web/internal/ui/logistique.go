package ui

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"multimagasins/kit"
	"multimagasins/kit/api/stockapi"
)

// Logistique is the centre's page: its stock, the pending requests, the transfers.
func (s *Server) Logistique(w http.ResponseWriter, r *http.Request) {
	var erreurs []string
	note := func(err error) {
		if err != nil {
			erreurs = append(erreurs, message(err))
		}
	}
	ctx := r.Context()
	stock, err := s.stock.StockLogistique(ctx, stockapi.StockParams{PageQuery: kit.PageQuery{Limit: 500}})
	note(err)
	demandes, err := s.stock.ListDemandes(ctx, stockapi.DemandesParams{Statut: stockapi.DemandeEnAttente, PageQuery: kit.PageQuery{Limit: 200}})
	note(err)
	transferts, err := s.stock.ListMouvements(ctx, stockapi.MouvementsParams{Type: stockapi.MvtTransfert, PageQuery: kit.PageQuery{Limit: 50}})
	note(err)
	s.render(w, r, "logistique.html", "Centre logistique", erreurs, map[string]any{
		"Stock": stock.Items, "Demandes": demandes.Items, "Transferts": transferts.Items,
	})
}

// Approuver ships a request; when the centre is short, the problem's value is
// what it has available, and the message says so.
func (s *Server) Approuver(w http.ResponseWriter, r *http.Request) {
	id, err := entier(chi.URLParam(r, "id"), "demande")
	if err == nil {
		_, err = s.stock.ApproveDemande(r.Context(), id)
	}
	var pe *kit.ProblemError
	if errors.As(err, &pe) && pe.Status == http.StatusConflict && len(pe.Problem.Errors) > 0 &&
		pe.Problem.Errors[0] != nil && pe.Problem.Errors[0].Value != nil && strings.HasSuffix(pe.Problem.Errors[0].Location, "id") {
		err = formError(fmt.Sprintf("Stock insuffisant au centre logistique pour la demande %d : disponible %v.", id, pe.Problem.Errors[0].Value))
	}
	redirect(w, r, "/logistique", err, fmt.Sprintf("Demande %d approuvée et livrée.", id))
}

// Refuser declines a request with a reason.
func (s *Server) Refuser(w http.ResponseWriter, r *http.Request) {
	id, err := entier(chi.URLParam(r, "id"), "demande")
	if err == nil {
		_, err = s.stock.RefuseDemande(r.Context(), id, r.PostFormValue("motif"))
	}
	redirect(w, r, "/logistique", err, fmt.Sprintf("Demande %d refusée.", id))
}
