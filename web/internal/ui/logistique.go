package ui

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"multimagasins/kit"
)

// Logistique is the centre's page: its stock, the pending requests, the transfers.
func (s *Server) Logistique(w http.ResponseWriter, r *http.Request) {
	var (
		erreurs    []string
		stock      page[stockLigne]
		demandes   page[demande]
		transferts page[mouvement]
	)
	note := func(err error) {
		if err != nil {
			erreurs = append(erreurs, message(err))
		}
	}
	note(s.stock.Do(r.Context(), http.MethodGet, "/logistique/stock?limit=500", nil, &stock, nil))
	note(s.stock.Do(r.Context(), http.MethodGet, "/demandes?statut=en_attente&limit=200", nil, &demandes, nil))
	note(s.stock.Do(r.Context(), http.MethodGet, "/mouvements?type=transfert&limit=50", nil, &transferts, nil))
	s.render(w, r, "logistique.html", "Centre logistique", erreurs, map[string]any{
		"Stock": stock.Items, "Demandes": demandes.Items, "Transferts": transferts.Items,
	})
}

// Approuver ships a request; when the centre is short, the problem's value is
// what it has available, and the message says so.
func (s *Server) Approuver(w http.ResponseWriter, r *http.Request) {
	id, err := entier(chi.URLParam(r, "id"), "demande")
	if err == nil {
		err = s.stock.Do(r.Context(), http.MethodPost, "/demandes/"+strconv.FormatInt(id, 10)+"/approuver", nil, nil, nil)
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
		err = s.stock.Do(r.Context(), http.MethodPost, "/demandes/"+strconv.FormatInt(id, 10)+"/refuser",
			map[string]string{"motif": r.PostFormValue("motif")}, nil, nil)
	}
	redirect(w, r, "/logistique", err, fmt.Sprintf("Demande %d refusée.", id))
}
