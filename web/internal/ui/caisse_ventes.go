package ui

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"multimagasins/kit"
	"multimagasins/kit/api/commandeapi"
	"multimagasins/kit/api/sagaapi"
	"multimagasins/kit/api/stockapi"
)

// A store's sales: the recent ones, each one's receipt, and returns made
// from it. An order belongs to a store's pages only when it was sold at that
// store's counter; any other order is "not found" there, whoever asks.

// errVenteAilleurs is an order that is not a sale of the store in the address.
var errVenteAilleurs = errors.New("not a sale of this store")

// venteDuMagasin reads order cmd and checks it was sold at store magasin.
func (s *Server) venteDuMagasin(r *http.Request, magasin int64) (commandeapi.Commande, error) {
	id, err := uuid.Parse(chi.URLParam(r, "commande"))
	if err != nil {
		return commandeapi.Commande{}, errVenteAilleurs
	}
	c, err := s.commande.GetCommande(r.Context(), id)
	switch st := kit.StatusOf(err); {
	case st == http.StatusNotFound || st == http.StatusForbidden:
		return c, errVenteAilleurs
	case err != nil:
		return c, err
	case c.Canal != commandeapi.Magasin || c.MagasinID == nil || int64(*c.MagasinID) != magasin:
		return c, errVenteAilleurs
	}
	return c, nil
}

// venteIntrouvable answers a receipt or return of an order that is not this
// store's sale: a 404 page, never a word about the order.
func (s *Server) venteIntrouvable(w http.ResponseWriter, r *http.Request) {
	s.renderStatus(w, r, http.StatusNotFound, "refus.html", "Vente introuvable", nil, map[string]any{
		"Motif": "Aucune vente de ce magasin ne porte ce numéro."})
}

// nomsArticles names the products of some orders (inactive ones too: a
// receipt names what was sold, even if it is no longer).
func (s *Server) nomsArticles(r *http.Request, ids []int64) (map[int64]string, error) {
	noms := map[int64]string{}
	var err error
	for debut := 0; debut < len(ids); debut += maxLignesTicket {
		lot := ids[debut:min(debut+maxLignesTicket, len(ids))]
		var page kit.Page[stockapi.Produit]
		page, err = s.stock.ListProduits(r.Context(), stockapi.ListProduitsParams{IDs: lot, PageQuery: kit.PageQuery{Limit: maxLignesTicket}})
		for _, p := range page.Items {
			noms[p.ID] = p.Nom
		}
	}
	return noms, err
}

func nomArticle(noms map[int64]string, id int64) string {
	if n, ok := noms[id]; ok {
		return n
	}
	return "Produit n° " + strconv.FormatInt(id, 10)
}

// ligneVendue is a line of a sale as a receipt or a return shows it.
type ligneVendue struct {
	commandeapi.Ligne
	Nom           string
	Reste         int       // not yet returned
	ARendre       int       // asked back on the return page
	Saisie        string    // as typed, shown again when refused
	Remboursement kit.Cents // ARendre at the price it was sold
	Erreur        string
}

// retourAffiche is a return already made, lines named.
type retourAffiche struct {
	commandeapi.Retour
	Lignes []ligneRetourAffichee
}

type ligneRetourAffichee struct {
	commandeapi.LigneRetournee
	Nom string
}

// pageRecu is what recu.html and retour.html show.
type pageRecu struct {
	ID          int64
	Magasin     stockapi.Emplacement
	Commande    commandeapi.Commande
	Lignes      []ligneVendue
	Retours     []retourAffiche
	Methode     string // "" when the page cannot tell honestly
	AvecRemis   bool
	Remis       kit.Cents
	Monnaie     kit.Cents
	QR          template.HTML
	Saga        *sagaapi.Saga // the return this page follows
	Caisse      bool          // the store's caissier: returns allowed
	Retournable bool
	// The return page.
	Cle           string
	Remboursement kit.Cents
}

// Recu is a sale's receipt, made to be printed: the store, the lines as
// sold, how it was paid, the returns already made and a QR code of the order
// number. The order is commande's; how it was paid is read from the sale's
// saga when the address names it (vente=), and the cash handed over is only
// what the till's address carries (remis=, shown, never stored).
func (s *Server) Recu(w http.ResponseWriter, r *http.Request) {
	d, erreurs, ok := s.lireVente(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	if id, err := uuid.Parse(q.Get("vente")); err == nil {
		sg, err := s.orch.GetSaga(r.Context(), id)
		if err == nil && sg.CommandeID != nil && *sg.CommandeID == d.Commande.ID {
			d.Methode = methodeDe(&sg)
		}
	}
	if remis, err := strconv.ParseInt(q.Get("remis"), 10, 64); err == nil && d.Methode == methodeComptant && kit.Cents(remis) >= d.Commande.Total {
		d.AvecRemis, d.Remis, d.Monnaie = true, kit.Cents(remis), kit.Cents(remis)-d.Commande.Total
	}
	qr, err := qrSVG(d.Commande.ID.String(), "Code QR du numéro de commande "+d.Commande.ID.String())
	if err != nil {
		erreurs = append(erreurs, "Le code QR n'a pas pu être dessiné.")
	}
	d.QR = qr
	s.renderSaga(w, r, "recu.html", "Reçu de vente", erreurs, d, d.Saga)
}

// lireVente reads, in parallel, what a receipt and a return page both show;
// ok is false when the page has already answered (404).
func (s *Server) lireVente(w http.ResponseWriter, r *http.Request) (pageRecu, []string, bool) {
	magasin, err := entier(chi.URLParam(r, "id"), "magasin")
	if err != nil {
		http.NotFound(w, r)
		return pageRecu{}, nil, false
	}
	d := pageRecu{ID: magasin, Caisse: atTill.allow(kit.PrincipalOf(r.Context()), r)}
	var errMag, errCmd, errSaga error
	var wg sync.WaitGroup
	wg.Go(func() { d.Magasin, errMag = s.stock.GetMagasin(r.Context(), magasin) })
	wg.Go(func() { d.Commande, errCmd = s.venteDuMagasin(r, magasin) })
	wg.Go(func() { d.Saga, errSaga = s.sagaLue(r) })
	wg.Wait()
	if errors.Is(errCmd, errVenteAilleurs) {
		s.venteIntrouvable(w, r)
		return d, nil, false
	}
	var erreurs []string
	for _, err := range []error{errCmd, errMag, errSaga} {
		if err != nil {
			erreurs = append(erreurs, message(err))
		}
	}
	var ids []int64
	for _, l := range d.Commande.Lignes {
		ids = append(ids, l.ProduitID)
	}
	noms, err := s.nomsArticles(r, ids)
	if err != nil {
		erreurs = append(erreurs, message(err))
	}
	for _, l := range d.Commande.Lignes {
		v := ligneVendue{Ligne: l, Nom: nomArticle(noms, l.ProduitID), Reste: l.Quantite - l.QuantiteRetournee}
		if v.Reste > 0 {
			d.Retournable = d.Commande.Statut == commandeapi.Confirmee
		}
		d.Lignes = append(d.Lignes, v)
	}
	for _, rt := range d.Commande.Retours {
		a := retourAffiche{Retour: rt}
		for _, l := range rt.Lignes {
			a.Lignes = append(a.Lignes, ligneRetourAffichee{LigneRetournee: l, Nom: nomArticle(noms, l.ProduitID)})
		}
		d.Retours = append(d.Retours, a)
	}
	return d, erreurs, true
}

// lireARendre reads the return form's quantities (one "rendre-<produit>"
// per line) and checks each against what is left to return. Empty is 0.
func lireARendre(lignes []ligneVendue, valeur func(string) string) ([]ligneVendue, []sagaapi.LigneDemandee, kit.Cents, error) {
	var demande []sagaapi.LigneDemandee
	var total kit.Cents
	var fautes []string
	out := make([]ligneVendue, len(lignes))
	for i, l := range lignes {
		texte := strings.TrimSpace(valeur("rendre-" + strconv.FormatInt(l.ProduitID, 10)))
		l.Saisie = texte
		n := 0
		if texte != "" {
			v, err := strconv.Atoi(texte)
			switch {
			case err != nil || v < 0:
				l.Erreur = fmt.Sprintf("La quantité à retourner de « %s » doit être un nombre entier de 0 à %d.", l.Nom, l.Reste)
			case v > l.Reste:
				l.Erreur = fmt.Sprintf("La quantité à retourner de « %s » est d'au plus %d (%d vendu(s), %d déjà retourné(s)) ; %d demandé(s).",
					l.Nom, l.Reste, l.Quantite, l.QuantiteRetournee, v)
			default:
				n = v
			}
		}
		if l.Erreur != "" {
			fautes = append(fautes, l.Erreur)
		}
		l.ARendre, l.Remboursement = n, l.PrixUnitaire*kit.Cents(n)
		total += l.Remboursement
		if n > 0 {
			demande = append(demande, sagaapi.LigneDemandee{ProduitID: l.ProduitID, Quantite: n})
		}
		out[i] = l
	}
	if len(fautes) > 0 {
		return out, nil, total, formError(strings.Join(fautes, " "))
	}
	return out, demande, total, nil
}

// RetourPage is the return form of one sale: each line with how many may
// still come back, and the refund they make. Its "Calculer" button (a GET
// of the same form) shows the refund without a script.
func (s *Server) RetourPage(w http.ResponseWriter, r *http.Request) {
	d, erreurs, ok := s.lireVente(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	var err error
	d.Lignes, _, d.Remboursement, err = lireARendre(d.Lignes, q.Get)
	if err != nil && q.Get("erreur") == "" { // a refused post already says it
		erreurs = append(erreurs, message(err))
	}
	d.Cle = q.Get("cle")
	if _, err := uuid.Parse(d.Cle); err != nil {
		d.Cle = uuid.NewString()
	}
	if !d.Retournable && d.Commande.ID != uuid.Nil {
		erreurs = append(erreurs, "Rien ne peut plus être retourné de cette vente.")
	}
	s.render(w, r, "retour.html", "Retour de marchandise", erreurs, d)
}

// Retour runs the return saga for the quantities of the return form, under
// the form's one-time key: sending it twice is one return. The bounds are
// checked against the order read now, then again by commande (the pivot).
func (s *Server) Retour(w http.ResponseWriter, r *http.Request) {
	magasin, err := entier(chi.URLParam(r, "id"), "magasin")
	if err != nil {
		http.NotFound(w, r)
		return
	}
	c, err := s.venteDuMagasin(r, magasin)
	if errors.Is(err, errVenteAilleurs) {
		s.venteIntrouvable(w, r)
		return
	}
	base := "/magasins/" + strconv.FormatInt(magasin, 10) + "/ventes/" + chi.URLParam(r, "commande")
	_ = r.ParseForm()
	page := base + "/retour?" + r.PostForm.Encode()
	if err != nil {
		redirect(w, r, page, err, "")
		return
	}
	_, demande, _, err := lireARendre(s.lignesVendues(r, c), r.PostFormValue)
	switch {
	case err != nil:
	case len(demande) == 0:
		err = formError("Indiquez au moins une quantité à retourner.")
	case uuid.Validate(r.PostFormValue("cle")) != nil:
		err = formError("Ce formulaire de retour a expiré ; rien n'a été retourné. Vérifiez les quantités et recommencez.")
	}
	if err != nil {
		redirect(w, r, page, err, "")
		return
	}
	sg, err := s.orch.Retour(r.Context(), r.PostFormValue("cle"), sagaapi.DemandeRetour{CommandeID: c.ID, Lignes: demande})
	if err != nil {
		redirect(w, r, page, err, "")
		return
	}
	redirect(w, r, base+"?saga="+url.QueryEscape(sg.SagaID.String())+"#saga-resultat", nil, "")
}

// lignesVendues is an order's lines, named, with what is left to return.
func (s *Server) lignesVendues(r *http.Request, c commandeapi.Commande) []ligneVendue {
	ids := make([]int64, len(c.Lignes))
	for i, l := range c.Lignes {
		ids[i] = l.ProduitID
	}
	noms, _ := s.nomsArticles(r, ids) // unnamed, a line keeps its number
	out := make([]ligneVendue, len(c.Lignes))
	for i, l := range c.Lignes {
		out[i] = ligneVendue{Ligne: l, Nom: nomArticle(noms, l.ProduitID), Reste: l.Quantite - l.QuantiteRetournee}
	}
	return out
}

// venteListee is a row of the recent sales.
type venteListee struct {
	commandeapi.Commande
	Articles    string
	Retournable bool
}

// pageVentes is what ventes.html shows.
type pageVentes struct {
	ID      int64
	Magasin stockapi.Emplacement
	Ventes  []venteListee
	Depuis  string
	JusquA  string
	Montant string
	Caisse  bool
	Total   int // sales commande listed before the amount filter
}

// maxVentesListees bounds the recent sales read at once; the dates narrow them.
const maxVentesListees = 200

// Ventes lists the store's counter sales, newest first, between two days and
// of one amount (commande filters the dates; the page the amount).
func (s *Server) Ventes(w http.ResponseWriter, r *http.Request) {
	magasin, err := entier(chi.URLParam(r, "id"), "magasin")
	if err != nil {
		http.NotFound(w, r)
		return
	}
	per, depuis, jusqua := joursVentes(r)
	d := pageVentes{ID: magasin, Depuis: depuis, JusquA: jusqua, Montant: strings.TrimSpace(r.URL.Query().Get("montant")),
		Caisse: atTill.allow(kit.PrincipalOf(r.Context()), r)}
	var erreurs []string
	var montant *kit.Cents
	if d.Montant != "" {
		m, err := lireMontant(d.Montant, "montant")
		if err != nil {
			erreurs = append(erreurs, message(err))
		} else {
			montant = &m
		}
	}
	var (
		commandes               kit.Page[commandeapi.Commande]
		catalogue               kit.Page[stockapi.Produit]
		errMag, errCmd, errNoms error
		wg                      sync.WaitGroup
	)
	wg.Go(func() { d.Magasin, errMag = s.stock.GetMagasin(r.Context(), magasin) })
	wg.Go(func() {
		commandes, errCmd = s.commande.ListCommandes(r.Context(), commandeapi.ListCommandesParams{MagasinID: int(magasin),
			Canal: commandeapi.Magasin, Depuis: per.Depuis, JusquA: per.JusquA, PageQuery: kit.PageQuery{Limit: maxVentesListees}})
	})
	wg.Go(func() {
		catalogue, errNoms = s.stock.ListProduits(r.Context(), stockapi.ListProduitsParams{PageQuery: kit.PageQuery{Limit: 500}})
	})
	wg.Wait()
	for _, err := range []error{errMag, errCmd, errNoms} {
		if err != nil {
			erreurs = append(erreurs, message(err))
		}
	}
	noms := map[int64]string{}
	for _, p := range catalogue.Items {
		noms[p.ID] = p.Nom
	}
	d.Total = len(commandes.Items)
	d.Ventes = filtrerVentes(commandes.Items, montant, noms)
	s.render(w, r, "ventes.html", "Ventes — "+titreMagasin(d.Magasin, magasin), erreurs, d)
}

// joursVentes turns the form's days (YYYY-MM-DD, Montréal) into the bounds
// commande takes; jusqu_a is the day after the last one asked for.
func joursVentes(r *http.Request) (commandeapi.Periode, string, string) {
	var p commandeapi.Periode
	depuis, jusqua := r.URL.Query().Get("depuis"), r.URL.Query().Get("jusqu_a")
	if t, err := time.ParseInLocation(time.DateOnly, depuis, montreal); err == nil {
		p.Depuis = t
	}
	if t, err := time.ParseInLocation(time.DateOnly, jusqua, montreal); err == nil {
		p.JusquA = t.AddDate(0, 0, 1)
	}
	return p, depuis, jusqua
}

// filtrerVentes keeps the sales of one total (nil: all) and sums up their lines.
func filtrerVentes(cs []commandeapi.Commande, montant *kit.Cents, noms map[int64]string) []venteListee {
	var out []venteListee
	for _, c := range cs {
		if montant != nil && c.Total != *montant {
			continue
		}
		v := venteListee{Commande: c}
		var parts []string
		for _, l := range c.Lignes {
			parts = append(parts, strconv.Itoa(l.Quantite)+" × "+nomArticle(noms, l.ProduitID))
			if l.Quantite > l.QuantiteRetournee && c.Statut == commandeapi.Confirmee {
				v.Retournable = true
			}
		}
		v.Articles = strings.Join(parts, ", ")
		out = append(out, v)
	}
	return out
}

// NomMethode is how the sale was paid, in words.
func (p pageRecu) NomMethode() string { return nomMethode(p.Methode) }

// StatutTexte is the order's state in words.
func (p pageRecu) StatutTexte() string { return statutVente(p.Commande.Statut) }

// StatutTexte is the sale's state in words.
func (v venteListee) StatutTexte() string { return statutVente(v.Statut) }

// statutVente is a sale's state at the till: confirmed, cancelled, or a
// saga still running (its steps are the order page's business, not the till's).
func statutVente(s commandeapi.Statut) string {
	if s == commandeapi.Confirmee || s == commandeapi.Annulee {
		return statutCourt(s)
	}
	return "En cours"
}
