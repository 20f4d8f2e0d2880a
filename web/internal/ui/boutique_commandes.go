package ui

import (
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"multimagasins/kit"
	"multimagasins/kit/api/commandeapi"
	"multimagasins/kit/api/paiementapi"
	"multimagasins/kit/api/stockapi"
)

// commandesParPage is the length of a page of the client's orders.
const commandesParPage = 20

// resumeCommande is an order as a list shows it.
type resumeCommande struct {
	ID       string
	Lien     string
	Ref      string // the id's first group: enough to tell two orders apart
	Date     time.Time
	Statut   commandeapi.Statut
	Libelle  string
	Articles int
	Total    kit.Cents
}

func resumes(cs []commandeapi.Commande) []resumeCommande {
	out := make([]resumeCommande, 0, len(cs))
	for _, c := range cs {
		id := c.ID.String()
		n := 0
		for _, l := range c.Lignes {
			n += l.Quantite
		}
		out = append(out, resumeCommande{ID: id, Lien: lienCommande(id), Ref: id[:8], Date: c.CreeLe, Statut: c.Statut,
			Libelle: statutCourt(c.Statut), Articles: n, Total: c.Total})
	}
	return out
}

// pagination is where a list's page stands among the others, and the links
// to the pages beside it ("" when there is none).
type pagination struct {
	Page, Pages int
	Total       int64
	Precedente  string
	Suivante    string
}

// pageDemandee reads ?page=N; anything else is the first page. The page is
// capped where the services' offset stops (1 000 000 rows).
func pageDemandee(r *http.Request, parPage int) int {
	n, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || n < 1 {
		return 1
	}
	return min(n, 1_000_000/parPage+1)
}

// paginer links page (1-based) of a list of total rows to its neighbours,
// at base?page=N; the first page is base itself.
func paginer(base string, page, parPage int, total int64) pagination {
	pages := max(1, int((total+int64(parPage)-1)/int64(parPage)))
	p := pagination{Page: page, Pages: pages, Total: total}
	lien := func(n int) string {
		if n == 1 {
			return base
		}
		return base + "?page=" + strconv.Itoa(n)
	}
	if page > 1 {
		// Past the end (an old link), the previous link goes to the last page.
		p.Precedente = lien(min(page-1, pages))
	}
	if page < pages {
		p.Suivante = lien(page + 1)
	}
	return p
}

// Commandes lists the signed-in client's orders, newest first, a page at a time.
func (s *Server) Commandes(w http.ResponseWriter, r *http.Request) {
	page := pageDemandee(r, commandesParPage)
	var erreurs []string
	liste, err := s.commande.ListCommandes(r.Context(), commandeapi.ListCommandesParams{ClientID: clientOf(r),
		PageQuery: kit.PageQuery{Limit: commandesParPage, Offset: (page - 1) * commandesParPage}})
	if err != nil {
		erreurs = append(erreurs, message(err))
	}
	titre := "Mes commandes"
	if page > 1 {
		titre += " — page " + strconv.Itoa(page)
	}
	s.render(w, r, "commandes.html", titre, erreurs, map[string]any{
		"Commandes": resumes(liste.Items), "Pagination": paginer("/boutique/commandes", page, commandesParPage, liste.Total),
	})
}

// ligneCommandeVue is an order's line with its product's name and picture.
type ligneCommandeVue struct {
	commandeapi.Ligne
	Nom   string
	Image string
}

// retourVue is a return with its lines named.
type retourVue struct {
	commandeapi.Retour
	Lignes []ligneRetourVue
}

type ligneRetourVue struct {
	commandeapi.LigneRetournee
	Nom string
}

// Commande shows one of the signed-in client's orders: its lines, its
// timeline, its payment and its returns. Another client's order, or one that
// does not exist, is the same 404: the page does not tell which.
func (s *Server) Commande(w http.ResponseWriter, r *http.Request) {
	id, err := uuid.Parse(chi.URLParam(r, "id"))
	if err != nil {
		s.commandeIntrouvable(w, r)
		return
	}
	ctx, client := r.Context(), clientOf(r)
	var (
		c         commandeapi.Commande
		errC      error
		paiements kit.Page[paiementapi.Paiement]
		errP      error
	)
	// The payment is asked for under the client's own id: another client's
	// order has none to show, whatever commande answers.
	ensemble(
		func() error { c, errC = s.commande.GetCommande(ctx, id); return nil },
		func() error {
			paiements, errP = s.paiement.ListPaiements(ctx, paiementapi.ListPaiementsParams{CommandeID: id, ClientID: client,
				PageQuery: kit.PageQuery{Limit: 10}})
			return nil
		},
	)
	switch st := kit.StatusOf(errC); {
	case errC == nil && c.ClientID != client, st == http.StatusNotFound, st == http.StatusForbidden:
		// commande refuses another client's order (403); a 404 here says no more than "not yours".
		s.commandeIntrouvable(w, r)
		return
	case errC != nil:
		s.renderStatus(w, r, http.StatusBadGateway, "commande.html", "Commande", []string{message(errC)},
			map[string]any{"Indisponible": true})
		return
	}

	var erreurs []string
	noms, err := s.nomsProduits(r, c)
	if err != nil {
		erreurs = append(erreurs, message(err))
	}
	lignes := make([]ligneCommandeVue, 0, len(c.Lignes))
	articles := 0
	for _, l := range c.Lignes {
		v := ligneCommandeVue{Ligne: l, Nom: "Produit " + strconv.FormatInt(l.ProduitID, 10)}
		if p, ok := noms[l.ProduitID]; ok {
			v.Nom, v.Image = p.Nom, imageProduit(p)
		}
		articles += l.Quantite
		lignes = append(lignes, v)
	}
	retours := make([]retourVue, 0, len(c.Retours))
	for _, rt := range c.Retours {
		v := retourVue{Retour: rt}
		for _, l := range rt.Lignes {
			n := ligneRetourVue{LigneRetournee: l, Nom: "Produit " + strconv.FormatInt(l.ProduitID, 10)}
			if p, ok := noms[l.ProduitID]; ok {
				n.Nom = p.Nom
			}
			v.Lignes = append(v.Lignes, n)
		}
		retours = append(retours, v)
	}
	s.render(w, r, "commande.html", "Commande du "+formatDate(c.CreeLe), erreurs, map[string]any{
		"Commande": c, "Ref": c.ID.String()[:8], "Libelle": statutCourt(c.Statut), "Lignes": lignes, "Articles": articles,
		"Etapes": friseCommande(c), "Retours": retours,
		"Paiements": paiementsVue(paiements.Items), "PaiementLu": errP == nil, "PaiementErreur": messageSi(errP),
		"Payee": atteint(c, commandeapi.Payee),
	})
}

func messageSi(err error) string {
	if err == nil {
		return ""
	}
	return message(err)
}

// atteint reports whether the order's history went through st.
func atteint(c commandeapi.Commande, st commandeapi.Statut) bool {
	for _, e := range c.Historique {
		if e.Statut == st {
			return true
		}
	}
	return false
}

// nomsProduits reads the products an order names, inactive ones included.
func (s *Server) nomsProduits(r *http.Request, c commandeapi.Commande) (map[int64]stockapi.Produit, error) {
	var ids []int64
	vu := map[int64]bool{}
	ajoute := func(id int64) {
		if !vu[id] {
			vu[id] = true
			ids = append(ids, id)
		}
	}
	for _, l := range c.Lignes {
		ajoute(l.ProduitID)
	}
	for _, rt := range c.Retours {
		for _, l := range rt.Lignes {
			ajoute(l.ProduitID)
		}
	}
	noms := make(map[int64]stockapi.Produit, len(ids))
	if len(ids) == 0 {
		return noms, nil
	}
	// The service takes at most 100 ids a call.
	for debut := 0; debut < len(ids); debut += 100 {
		lot := ids[debut:min(debut+100, len(ids))]
		page, err := s.stock.ListProduits(r.Context(), stockapi.ListProduitsParams{IDs: lot, PageQuery: kit.PageQuery{Limit: len(lot)}})
		if err != nil {
			return noms, err
		}
		for _, p := range page.Items {
			noms[p.ID] = p
		}
	}
	return noms, nil
}

// paiementVue is a payment in a shopper's words.
type paiementVue struct {
	paiementapi.Paiement
	LibelleStatut  string
	LibelleMethode string
}

func paiementsVue(ps []paiementapi.Paiement) []paiementVue {
	out := make([]paiementVue, 0, len(ps))
	for _, p := range ps {
		v := paiementVue{Paiement: p, LibelleStatut: string(p.Statut), LibelleMethode: string(p.Methode)}
		switch p.Statut {
		case paiementapi.Accepte:
			v.LibelleStatut = "Accepté"
		case paiementapi.Refuse:
			v.LibelleStatut = "Refusé"
		case paiementapi.Rembourse:
			v.LibelleStatut = "Remboursé"
		case paiementapi.PartiellementRembourse:
			v.LibelleStatut = "Remboursé en partie"
		}
		switch p.Methode {
		case paiementapi.Carte:
			v.LibelleMethode = "Carte"
		case paiementapi.Comptant:
			v.LibelleMethode = "Comptant"
		}
		out = append(out, v)
	}
	return out
}

func (s *Server) commandeIntrouvable(w http.ResponseWriter, r *http.Request) {
	s.renderStatus(w, r, http.StatusNotFound, "commande.html", "Commande introuvable", nil, map[string]any{"Introuvable": true})
}
