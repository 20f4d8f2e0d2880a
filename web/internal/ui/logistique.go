package ui

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/go-chi/chi/v5"

	"multimagasins/kit"
	"multimagasins/kit/api/stockapi"
)

// nomCentre names the centre wherever a location is shown: the store list
// of stock (ListMagasins) holds the five stores only.
const nomCentre = "Centre logistique"

// maxSelection bounds one bulk approval: the page lists at most this many
// pending requests, and each is one call to stock.
const maxSelection = 200

// ligneDemande is one pending request as the centre decides on it: the
// request (stock names its product and store) beside what the centre has of
// the product and where the asking store stands against its threshold.
type ligneDemande struct {
	stockapi.DemandeAppro
	Centre    int64 // the centre's disponible of the product
	CentreLu  bool  // stock listed the centre's stock (else Centre is unknown, not 0)
	Couvre    bool  // the centre can ship the whole quantity
	Manque    int64 // what the centre lacks when it cannot
	Magasin   *stockapi.Niveau
	SousSeuil bool // the store's disponible is under its threshold
}

// lignesDemandes joins each request with the centre's stock and the asking
// store's; centreLu says whether centre was read at all, and magasins maps
// a store to its stock, by product.
func lignesDemandes(demandes []stockapi.DemandeAppro, centre []stockapi.Niveau, centreLu bool,
	magasins map[int64]map[int64]stockapi.Niveau) []ligneDemande {
	dispo := make(map[int64]int64, len(centre))
	for _, n := range centre {
		dispo[n.ProduitID] = n.Disponible
	}
	out := make([]ligneDemande, 0, len(demandes))
	for _, d := range demandes {
		// A product the centre does not hold has no stock row there: 0.
		l := ligneDemande{DemandeAppro: d, Centre: dispo[d.ProduitID], CentreLu: centreLu}
		l.Couvre = l.Centre >= d.Quantite
		l.Manque = max(d.Quantite-l.Centre, 0)
		if n, ok := magasins[d.MagasinID][d.ProduitID]; ok {
			l.Magasin = &n
			l.SousSeuil = n.Disponible < n.Seuil
		}
		out = append(out, l)
	}
	return out
}

// transfert is one ledger row of a transfer, named.
type transfert struct {
	stockapi.Mouvement
	Emplacement string
	Produit     string
	Sortie      bool // the centre's side: the goods left it
}

// Logistique is the centre's page: the pending requests with what is needed
// to decide on each, the centre's stock, the transfers.
func (s *Server) Logistique(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var (
		centre     kit.Page[stockapi.Niveau]
		demandes   kit.Page[stockapi.DemandeAppro]
		transferts kit.Page[stockapi.Mouvement]
		magasins   kit.Page[stockapi.Emplacement]
		niveaux    = map[int64]map[int64]stockapi.Niveau{}
		mu         sync.Mutex
		centreLu   bool
	)
	// The calls are independent, but for the asking stores' stock, which
	// needs the requests: that one follows them in their own goroutine, one
	// call per store at once, while the others run.
	erreurs := ensemble(
		func() (err error) {
			centre, err = s.stock.StockLogistique(ctx, stockapi.StockParams{PageQuery: kit.PageQuery{Limit: 500}})
			centreLu = err == nil
			return
		},
		func() (err error) {
			transferts, err = s.stock.ListMouvements(ctx, stockapi.MouvementsParams{Type: stockapi.MvtTransfert, PageQuery: kit.PageQuery{Limit: 50}})
			return
		},
		func() (err error) { magasins, err = s.stock.ListMagasins(ctx, kit.PageQuery{}); return },
		func() error {
			var err error
			demandes, err = s.stock.ListDemandes(ctx, stockapi.DemandesParams{Statut: stockapi.DemandeEnAttente,
				PageQuery: kit.PageQuery{Limit: maxSelection}})
			if err != nil {
				return err
			}
			var ids []int64
			for _, d := range demandes.Items {
				if !slices.Contains(ids, d.MagasinID) {
					ids = append(ids, d.MagasinID)
				}
			}
			errs := make([]error, len(ids))
			var wg sync.WaitGroup
			for i, id := range ids {
				wg.Go(func() {
					page, err := s.stock.StockMagasin(ctx, id, stockapi.StockParams{PageQuery: kit.PageQuery{Limit: 500}})
					if errs[i] = err; err != nil {
						return
					}
					parProduit := make(map[int64]stockapi.Niveau, len(page.Items))
					for _, n := range page.Items {
						parProduit[n.ProduitID] = n
					}
					mu.Lock()
					niveaux[id] = parProduit
					mu.Unlock()
				})
			}
			wg.Wait()
			return errors.Join(errs...)
		},
	)

	noms := nomsEmplacements(magasins.Items)
	produits := make(map[int64]string, len(centre.Items))
	for _, n := range centre.Items {
		produits[n.ProduitID] = n.Nom
	}
	lignes := make([]transfert, 0, len(transferts.Items))
	for _, m := range transferts.Items {
		lignes = append(lignes, transfert{Mouvement: m, Emplacement: nomMagasin(noms, m.EmplacementID),
			Produit: nomProduit(produits, m.ProduitID), Sortie: m.EmplacementID == stockapi.CentreID})
	}
	s.render(w, r, "logistique.html", "Centre logistique", erreurs, map[string]any{
		"Stock": centre.Items, "Demandes": lignesDemandes(demandes.Items, centre.Items, centreLu, niveaux), "Transferts": lignes,
	})
}

// nomsEmplacements maps every location to its name: the stores stock
// listed, and the centre.
func nomsEmplacements(magasins []stockapi.Emplacement) map[int64]string {
	noms := make(map[int64]string, len(magasins)+1)
	for _, m := range magasins {
		noms[m.ID] = m.Nom
	}
	noms[stockapi.CentreID] = nomCentre
	return noms
}

// decrire names a request for a message: its number, its product and its
// store when known.
func decrire(id int64, d stockapi.DemandeAppro) string {
	return "n° " + strconv.FormatInt(id, 10) + noms(d)
}

// noms is " (product pour store)", or nothing when the request was not read.
func noms(d stockapi.DemandeAppro) string {
	if d.ProduitNom == "" || d.MagasinNom == "" {
		return ""
	}
	return " (" + d.ProduitNom + " pour " + d.MagasinNom + ")"
}

// approbation is the outcome of approving one request.
type approbation struct {
	ID      int64
	Demande stockapi.DemandeAppro // as approved, or as read after a failure
	Err     error
	Lue     bool // Demande was read after the failure
}

// approuver approves one request with the person's token; on failure it
// reads the request again, to say why (already decided?) and name it.
func (s *Server) approuver(r *http.Request, id int64) approbation {
	d, err := s.stock.ApproveDemande(r.Context(), id)
	a := approbation{ID: id, Demande: d, Err: err}
	if err != nil {
		if lue, gerr := s.stock.GetDemande(r.Context(), id); gerr == nil {
			a.Demande, a.Lue = lue, true
		}
	}
	return a
}

// disponibleCentre is what the centre has when stock refused an approval
// for lack of it: a 409 whose field value is the centre's disponible.
func disponibleCentre(err error) (any, bool) {
	var pe *kit.ProblemError
	if errors.As(err, &pe) && pe.Status == http.StatusConflict && len(pe.Problem.Errors) > 0 &&
		pe.Problem.Errors[0] != nil && pe.Problem.Errors[0].Value != nil && strings.HasSuffix(pe.Problem.Errors[0].Location, "id") {
		return pe.Problem.Errors[0].Value, true
	}
	return nil, false
}

// raison says in French why a request was not approved.
func (a approbation) raison() string {
	if a.Lue && a.Demande.Statut != stockapi.DemandeEnAttente {
		// Decided meanwhile (another tab, another clerk): stock's 409 says
		// so in English and with the request's id as its value.
		return "déjà " + strings.ToLower(statutDemande(a.Demande.Statut))
	}
	if v, ok := disponibleCentre(a.Err); ok {
		return fmt.Sprintf("stock insuffisant au centre logistique : disponible %v", v)
	}
	var pe *kit.ProblemError
	if errors.As(a.Err, &pe) && pe.Status == http.StatusNotFound {
		return "demande introuvable"
	}
	return strings.TrimSuffix(message(a.Err), ".")
}

// bilan writes the outcome of a bulk approval: which were approved (ok) and
// which were not, with why (echecs); either may be empty.
func bilan(resultats []approbation) (ok, echecs string) {
	var faites, ratees []string
	for _, a := range resultats {
		if a.Err == nil {
			faites = append(faites, decrire(a.ID, a.Demande))
		} else {
			ratees = append(ratees, decrire(a.ID, a.Demande)+" : "+a.raison())
		}
	}
	if len(faites) > 0 {
		ok = fmt.Sprintf("%s approuvée%s et livrée%s : %s.", compte(len(faites), "demande"), pluriel(len(faites)),
			pluriel(len(faites)), strings.Join(faites, ", "))
	}
	if len(ratees) > 0 {
		echecs = fmt.Sprintf("%s non approuvée%s : %s.", compte(len(ratees), "demande"), pluriel(len(ratees)),
			strings.Join(ratees, " ; "))
	}
	return ok, echecs
}

func pluriel(n int) string {
	if n > 1 {
		return "s"
	}
	return ""
}

func compte(n int, nom string) string { return strconv.Itoa(n) + " " + nom + pluriel(n) }

// demandesChoisies reads the ticked requests, each once, in the page's order.
func demandesChoisies(valeurs []string) ([]int64, error) {
	var ids []int64
	for _, v := range valeurs {
		id, err := entier(v, "demande")
		if err != nil {
			return nil, err
		}
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil, formError("Cochez au moins une demande à approuver.")
	}
	if len(ids) > maxSelection {
		return nil, formError(fmt.Sprintf("Au plus %d demandes à la fois.", maxSelection))
	}
	return ids, nil
}

// ApprouverSelection approves every ticked request, all at once: each is
// its own transfer in stock, independent of the others, so one the centre
// cannot serve does not stop the rest. The page then says which were
// approved and which not, and why.
func (s *Server) ApprouverSelection(w http.ResponseWriter, r *http.Request) {
	var ids []int64
	err := r.ParseForm()
	if err == nil {
		ids, err = demandesChoisies(r.PostForm["demande"])
	}
	if err != nil {
		redirect(w, r, "/logistique#demandes", err, "")
		return
	}
	resultats := make([]approbation, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Go(func() { resultats[i] = s.approuver(r, id) })
	}
	wg.Wait()
	ok, echecs := bilan(resultats)
	q := url.Values{}
	if ok != "" {
		q.Set("ok", ok)
	}
	if echecs != "" {
		q.Set("erreur", echecs)
	}
	http.Redirect(w, r, "/logistique?"+q.Encode()+"#demandes", http.StatusSeeOther)
}

// Approuver ships one request; when the centre is short, the message says
// what it has available.
func (s *Server) Approuver(w http.ResponseWriter, r *http.Request) {
	id, err := entier(chi.URLParam(r, "id"), "demande")
	var a approbation
	if err == nil {
		a = s.approuver(r, id)
		err = a.Err
	}
	if v, short := disponibleCentre(err); short && !(a.Lue && a.Demande.Statut != stockapi.DemandeEnAttente) {
		err = formError(fmt.Sprintf("Stock insuffisant au centre logistique pour la demande %d%s : disponible %v.",
			id, noms(a.Demande), v))
	} else if err != nil && a.Lue {
		err = formError("Demande " + decrire(id, a.Demande) + " non approuvée : " + a.raison() + ".")
	}
	redirect(w, r, "/logistique#demandes", err, "Demande "+decrire(id, a.Demande)+" approuvée et livrée.")
}

// Refuser declines a request; a refusal always says why, so a blank reason
// is refused here, before any call.
func (s *Server) Refuser(w http.ResponseWriter, r *http.Request) {
	id, err := entier(chi.URLParam(r, "id"), "demande")
	motif := strings.TrimSpace(r.PostFormValue("motif"))
	if err == nil && motif == "" {
		err = formError(fmt.Sprintf("Le champ « Motif du refus » est obligatoire pour la demande n° %d : dites au magasin pourquoi.", id))
	}
	var d stockapi.DemandeAppro
	if err == nil {
		d, err = s.stock.RefuseDemande(r.Context(), id, motif)
	}
	redirect(w, r, "/logistique#demandes", err, "Demande "+decrire(id, d)+" refusée : "+motif+".")
}
