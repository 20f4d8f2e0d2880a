// Package stockapitest is the contract suite of stockapi: every Client
// method against a running stock server, checking that each answer decodes
// into its type with no field left over and carries what the route promises.
// The real service runs it in its tests; a fake of stock must pass it too.
package stockapitest

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"

	"multimagasins/kit"
	"multimagasins/kit/api/internal/contract"
	"multimagasins/kit/api/stockapi"
	"multimagasins/kit/kittest"
)

// Routes are the routes stockapi covers, one Client method each. The real
// service's test checks them against its /openapi.json.
var Routes = []string{
	"GET /produits", "POST /produits", "GET /produits/{id}", "PUT /produits/{id}",
	"GET /magasins", "GET /magasins/{id}", "GET /magasins/{id}/stock", "GET /logistique/stock",
	"POST /logistique/receptions", "POST /retours", "POST /disponibilites",
	"POST /reservations", "GET /reservations/{cle}", "POST /reservations/{cle}/liberation",
	"POST /reservations/{cle}/confirmation", "GET /mouvements",
	"POST /magasins/{id}/demandes", "GET /demandes", "GET /demandes/{id}",
	"POST /demandes/{id}/approuver", "POST /demandes/{id}/refuser",
	"GET /seuils", "PUT /emplacements/{id}/seuils/{produit_id}",
	"GET /rapports/ruptures", "GET /rapports/surplus", "GET /rapports/demandes-en-attente",
}

// Contract runs every method against baseURL, a stock server seeded with the
// demo data (products 1 to 14 priced as in the seed, stores 1 to 5, the
// centre 6 with 1000 units of product 1). It makes its own product for
// everything that changes stock, so it can run again on the same server. It
// calls with the kittest.Staff token, so the server must trust the test issuer.
func Contract(t *testing.T, baseURL string) {
	c := stockapi.New(kit.NewClient(baseURL, 30*time.Second, kit.WithTokens(kittest.StaffTokens)))
	ctx, calls := contract.Record(t)

	t.Run("catalogue", func(t *testing.T) {
		page, err := c.ListProduits(ctx, stockapi.ListProduitsParams{IDs: []int64{1, 2, 4}})
		contract.OK(t, err, "ListProduits")
		contract.Exact[kit.Page[stockapi.Produit]](t, calls, http.StatusOK)
		contract.Equal(t, "total", page.Total, 3)
		prix := map[int64]kit.Cents{}
		for _, p := range page.Items {
			prix[p.ID] = p.Prix
			contract.True(t, p.Actif && p.Nom != "" && p.Categorie != "", "product %+v", p)
		}
		contract.Equal(t, "prix 1", prix[1], 100_00)
		contract.Equal(t, "prix 2", prix[2], 250_00)
		contract.Equal(t, "prix 4", prix[4], 75_00)

		actif := true
		page, err = c.ListProduits(ctx, stockapi.ListProduitsParams{Q: "TABLETTE", Categorie: "électronique", Actif: &actif,
			PageQuery: kit.PageQuery{Limit: 5}})
		contract.OK(t, err, "ListProduits q")
		contract.True(t, len(page.Items) >= 1 && page.Items[0].ID == 2 && page.Limit == 5, "search tablette: %+v", page)

		p, err := c.GetProduit(ctx, 1)
		contract.OK(t, err, "GetProduit")
		contract.Exact[stockapi.Produit](t, calls, http.StatusOK)
		contract.Equal(t, "produit 1 prix", p.Prix, 100_00)
		_, err = c.GetProduit(ctx, 999_999_999)
		contract.Problem(t, err, http.StatusNotFound, "path.id")
	})

	t.Run("produit", func(t *testing.T) {
		nom := "Contrat " + uuid.NewString()[:8]
		p, err := c.CreateProduit(ctx, stockapi.ProduitFields{Nom: nom, Categorie: "Test", Prix: 12_34, Description: "d"})
		contract.OK(t, err, "CreateProduit")
		contract.Exact[stockapi.Produit](t, calls, http.StatusCreated)
		contract.True(t, p.ID > 0 && p.Nom == nom && p.Prix == 12_34 && p.Actif && p.Description == "d", "created %+v", p)

		inactif := false
		p, err = c.UpdateProduit(ctx, p.ID, stockapi.ProduitFields{Nom: nom, Categorie: "Test", Prix: 20_00, Actif: &inactif})
		contract.OK(t, err, "UpdateProduit")
		contract.Exact[stockapi.Produit](t, calls, http.StatusOK)
		contract.True(t, p.Prix == 20_00 && !p.Actif, "updated %+v", p)

		_, err = c.CreateProduit(ctx, stockapi.ProduitFields{Nom: nom, Categorie: "Test", Prix: 0})
		contract.Problem(t, err, http.StatusUnprocessableEntity, "body.prix")
	})

	t.Run("magasins", func(t *testing.T) {
		page, err := c.ListMagasins(ctx, kit.PageQuery{})
		contract.OK(t, err, "ListMagasins")
		contract.Exact[kit.Page[stockapi.Emplacement]](t, calls, http.StatusOK)
		contract.Equal(t, "total", page.Total, 5)
		m, err := c.GetMagasin(ctx, 4)
		contract.OK(t, err, "GetMagasin")
		contract.Exact[stockapi.Emplacement](t, calls, http.StatusOK)
		contract.True(t, m.ID == 4 && m.Nom == "Verdun" && m.Adresse != "", "magasin 4: %+v", m)
		_, err = c.GetMagasin(ctx, stockapi.CentreID)
		contract.Problem(t, err, http.StatusNotFound, "path.id")

		niveaux, err := c.StockMagasin(ctx, 1, stockapi.StockParams{Q: "tablette"})
		contract.OK(t, err, "StockMagasin")
		contract.Exact[kit.Page[stockapi.Niveau]](t, calls, http.StatusOK)
		contract.True(t, len(niveaux.Items) >= 1 && niveaux.Items[0].ProduitID == 2 && niveaux.Items[0].Seuil > 0,
			"store 1 stock of tablette: %+v", niveaux)
		n := niveaux.Items[0]
		contract.Equal(t, "disponible", n.Disponible, n.Quantite-n.Reserve)

		niveaux, err = c.StockLogistique(ctx, stockapi.StockParams{Categorie: "Électronique", PageQuery: kit.PageQuery{Limit: 500}})
		contract.OK(t, err, "StockLogistique")
		contract.Exact[kit.Page[stockapi.Niveau]](t, calls, http.StatusOK)
		contract.True(t, len(niveaux.Items) >= 2, "centre stock: %+v", niveaux)
		_, err = c.StockMagasin(ctx, 1, stockapi.StockParams{Niveau: "beaucoup"})
		contract.Problem(t, err, http.StatusUnprocessableEntity, "query.niveau")
	})

	// A product of the suite's own, with 10 units at the centre.
	p, err := c.CreateProduit(ctx, stockapi.ProduitFields{Nom: "Contrat " + uuid.NewString()[:8], Categorie: "Test", Prix: 5_00})
	contract.OK(t, err, "CreateProduit")
	id := p.ID

	t.Run("reception", func(t *testing.T) {
		key := uuid.NewString()
		r, err := c.CreateReception(ctx, key, stockapi.Reception{ProduitID: id, Quantite: 10, Reference: "BL-1"})
		contract.OK(t, err, "CreateReception")
		contract.Exact[stockapi.ReceptionResult](t, calls, http.StatusCreated)
		contract.True(t, r.Mouvement.ID > 0 && r.Mouvement.Type == stockapi.MvtReception && r.Mouvement.Quantite == 10 &&
			r.Mouvement.EmplacementID == stockapi.CentreID && r.Niveau.Quantite == 10 && r.Niveau.Disponible == 10,
			"reception %+v", r)
		again, err := c.CreateReception(ctx, key, stockapi.Reception{ProduitID: id, Quantite: 10, Reference: "BL-1"})
		contract.OK(t, err, "CreateReception replay")
		contract.Equal(t, "replayed mouvement", again.Mouvement.ID, r.Mouvement.ID)
	})

	t.Run("disponibilites", func(t *testing.T) {
		v, err := c.CheckDisponibilites(ctx, stockapi.Demande{Lignes: []stockapi.Ligne{{ProduitID: id, Quantite: 10}}})
		contract.OK(t, err, "CheckDisponibilites")
		contract.Exact[stockapi.Verification](t, calls, http.StatusOK)
		contract.True(t, v.Suffisant && len(v.Lignes) == 1 && v.Lignes[0].Disponible == 10, "check 10: %+v", v)
		v, err = c.CheckDisponibilites(ctx, stockapi.Demande{EmplacementID: stockapi.CentreID,
			Lignes: []stockapi.Ligne{{ProduitID: id, Quantite: 11}}})
		contract.OK(t, err, "CheckDisponibilites")
		contract.True(t, !v.Suffisant && v.Lignes[0].Quantite == 11, "check 11: %+v", v)
	})

	t.Run("reservations", func(t *testing.T) {
		ref := uuid.NewString()
		cle := uuid.NewString() + ":reserver_stock"
		lignes := []stockapi.Ligne{{ProduitID: id, Quantite: 4}}
		r, err := c.CreateReservation(ctx, stockapi.NouvelleReservation{Cle: cle, Reference: ref, Lignes: lignes})
		contract.OK(t, err, "CreateReservation")
		contract.Exact[stockapi.Reservation](t, calls, http.StatusCreated)
		contract.True(t, r.Cle == cle && r.Statut == stockapi.StatutActive && r.Reference == ref && r.EmplacementID != nil &&
			*r.EmplacementID == stockapi.CentreID && len(r.Lignes) == 1 && r.Lignes[0] == lignes[0] && !r.CreeLe.IsZero(),
			"reservation %+v", r)
		again, err := c.CreateReservation(ctx, stockapi.NouvelleReservation{Cle: cle, Reference: ref, Lignes: lignes})
		contract.OK(t, err, "CreateReservation replay")
		contract.True(t, again.Cle == cle && again.Statut == stockapi.StatutActive, "replay %+v", again)

		got, err := c.GetReservation(ctx, cle)
		contract.OK(t, err, "GetReservation")
		contract.Exact[stockapi.Reservation](t, calls, http.StatusOK)
		contract.Equal(t, "statut", got.Statut, stockapi.StatutActive)

		conf, err := c.ConfirmReservation(ctx, cle)
		contract.OK(t, err, "ConfirmReservation")
		contract.Exact[stockapi.Reservation](t, calls, http.StatusOK)
		contract.Equal(t, "statut", conf.Statut, stockapi.StatutConfirmee)
		conf, err = c.ConfirmReservation(ctx, cle)
		contract.OK(t, err, "ConfirmReservation replay")
		contract.Equal(t, "statut", conf.Statut, stockapi.StatutConfirmee)
		_, err = c.ReleaseReservation(ctx, cle)
		contract.Problem(t, err, http.StatusConflict, "path.cle")

		// Short stock: 6 left, 7 asked; nothing is reserved.
		_, err = c.CreateReservation(ctx, stockapi.NouvelleReservation{Cle: uuid.NewString(),
			Lignes: []stockapi.Ligne{{ProduitID: id, Quantite: 7}}})
		contract.Problem(t, err, http.StatusConflict, "body.lignes[0].quantite")

		cle2 := uuid.NewString()
		_, err = c.CreateReservation(ctx, stockapi.NouvelleReservation{Cle: cle2, Lignes: []stockapi.Ligne{{ProduitID: id, Quantite: 1}}})
		contract.OK(t, err, "CreateReservation")
		rel, err := c.ReleaseReservation(ctx, cle2)
		contract.OK(t, err, "ReleaseReservation")
		contract.Exact[stockapi.Reservation](t, calls, http.StatusOK)
		contract.Equal(t, "statut", rel.Statut, stockapi.StatutLiberee)

		// A release before its reservation leaves a tombstone: the late
		// reservation under that key reserves nothing.
		tombe := uuid.NewString()
		rel, err = c.ReleaseReservation(ctx, tombe)
		contract.OK(t, err, "ReleaseReservation first")
		contract.Exact[stockapi.Reservation](t, calls, http.StatusOK)
		contract.True(t, rel.Statut == stockapi.StatutLiberee && len(rel.Lignes) == 0 && rel.EmplacementID == nil, "tombstone %+v", rel)
		_, err = c.CreateReservation(ctx, stockapi.NouvelleReservation{Cle: tombe, Lignes: []stockapi.Ligne{{ProduitID: id, Quantite: 1}}})
		contract.Problem(t, err, http.StatusConflict, "")

		_, err = c.GetReservation(ctx, uuid.NewString())
		contract.Problem(t, err, http.StatusNotFound, "path.cle")
	})

	t.Run("retours", func(t *testing.T) {
		key := uuid.NewString() + ":restocker"
		ref := "retour " + uuid.NewString()
		r, err := c.CreateRetour(ctx, key, stockapi.NouveauRetour{EmplacementID: stockapi.CentreID, Reference: ref,
			Lignes: []stockapi.Ligne{{ProduitID: id, Quantite: 2}}})
		contract.OK(t, err, "CreateRetour")
		contract.Exact[stockapi.Retour](t, calls, http.StatusCreated)
		contract.True(t, r.EmplacementID == stockapi.CentreID && r.Reference == ref && len(r.Lignes) == 1 &&
			len(r.Mouvements) == 1 && r.Mouvements[0].Type == stockapi.MvtRetour && r.Mouvements[0].Quantite == 2,
			"retour %+v", r)
		again, err := c.CreateRetour(ctx, key, stockapi.NouveauRetour{EmplacementID: stockapi.CentreID, Reference: ref,
			Lignes: []stockapi.Ligne{{ProduitID: id, Quantite: 2}}})
		contract.OK(t, err, "CreateRetour replay")
		contract.Equal(t, "replayed mouvement", again.Mouvements[0].ID, r.Mouvements[0].ID)
		_, err = c.CreateRetour(ctx, "", stockapi.NouveauRetour{EmplacementID: stockapi.CentreID, Reference: ref,
			Lignes: []stockapi.Ligne{{ProduitID: id, Quantite: 2}}})
		contract.Problem(t, err, http.StatusUnprocessableEntity, "")
	})

	t.Run("mouvements", func(t *testing.T) {
		page, err := c.ListMouvements(ctx, stockapi.MouvementsParams{EmplacementID: stockapi.CentreID, ProduitID: id,
			Depuis: time.Now().Add(-time.Hour)})
		contract.OK(t, err, "ListMouvements")
		contract.Exact[kit.Page[stockapi.Mouvement]](t, calls, http.StatusOK)
		seen := map[string]bool{}
		for _, m := range page.Items {
			seen[m.Type] = true
			contract.True(t, m.ProduitID == id && !m.At.IsZero() && m.Acteur != "", "mouvement %+v", m)
		}
		for _, typ := range []string{stockapi.MvtReception, stockapi.MvtReservation, stockapi.MvtVente, stockapi.MvtRetour} {
			contract.True(t, seen[typ], "no %s among %+v", typ, page.Items)
		}
		page, err = c.ListMouvements(ctx, stockapi.MouvementsParams{ProduitID: id, Type: stockapi.MvtVente})
		contract.OK(t, err, "ListMouvements vente")
		contract.True(t, page.Total == 1 && page.Items[0].Quantite == 4, "ventes %+v", page)
	})

	t.Run("demandes", func(t *testing.T) {
		d, err := c.CreateDemande(ctx, 1, stockapi.NouvelleDemandeAppro{ProduitID: id, Quantite: 2, Motif: "vitrine"})
		contract.OK(t, err, "CreateDemande")
		contract.Exact[stockapi.DemandeAppro](t, calls, http.StatusCreated)
		contract.True(t, d.ID > 0 && d.MagasinID == 1 && d.ProduitID == id && d.Quantite == 2 &&
			d.Statut == stockapi.DemandeEnAttente && d.Origine == "magasin" && d.Motif == "vitrine" &&
			d.MagasinNom != "" && d.ProduitNom != "", "demande %+v", d)
		_, err = c.CreateDemande(ctx, 1, stockapi.NouvelleDemandeAppro{ProduitID: id, Quantite: 1})
		contract.Problem(t, err, http.StatusConflict, "body.produit_id")

		page, err := c.ListDemandes(ctx, stockapi.DemandesParams{Statut: stockapi.DemandeEnAttente, MagasinID: 1, ProduitID: id})
		contract.OK(t, err, "ListDemandes")
		contract.Exact[kit.Page[stockapi.DemandeAppro]](t, calls, http.StatusOK)
		contract.True(t, page.Total == 1 && page.Items[0].ID == d.ID, "pending %+v", page)

		attente, err := c.RapportDemandesEnAttente(ctx, kit.PageQuery{Limit: 500})
		contract.OK(t, err, "RapportDemandesEnAttente")
		contract.Exact[stockapi.DemandesEnAttente](t, calls, http.StatusOK)
		contract.True(t, len(attente.Magasins) == 5 && attente.EnAttente >= 1 && attente.Demandes.Total == attente.EnAttente,
			"en attente %+v", attente)

		got, err := c.GetDemande(ctx, d.ID)
		contract.OK(t, err, "GetDemande")
		contract.Exact[stockapi.DemandeAppro](t, calls, http.StatusOK)
		contract.Equal(t, "id", got.ID, d.ID)

		livree, err := c.ApproveDemande(ctx, d.ID)
		contract.OK(t, err, "ApproveDemande")
		contract.Exact[stockapi.DemandeAppro](t, calls, http.StatusOK)
		contract.Equal(t, "statut", livree.Statut, stockapi.DemandeLivree)
		_, err = c.ApproveDemande(ctx, d.ID)
		contract.Problem(t, err, http.StatusConflict, "path.id")

		d, err = c.CreateDemande(ctx, 2, stockapi.NouvelleDemandeAppro{ProduitID: id, Quantite: 1})
		contract.OK(t, err, "CreateDemande")
		refusee, err := c.RefuseDemande(ctx, d.ID, "pas de place")
		contract.OK(t, err, "RefuseDemande")
		contract.Exact[stockapi.DemandeAppro](t, calls, http.StatusOK)
		contract.True(t, refusee.Statut == stockapi.DemandeRefusee && refusee.MotifRefus == "pas de place", "refusee %+v", refusee)
		_, err = c.RefuseDemande(ctx, d.ID, " ")
		contract.Problem(t, err, http.StatusUnprocessableEntity, "body.motif")
		_, err = c.GetDemande(ctx, 999_999_999)
		contract.Problem(t, err, http.StatusNotFound, "path.id")
	})

	t.Run("seuils", func(t *testing.T) {
		s, err := c.SetSeuil(ctx, 3, id, 7)
		contract.OK(t, err, "SetSeuil")
		contract.Exact[stockapi.Seuil](t, calls, http.StatusOK)
		contract.Equal(t, "seuil", s, stockapi.Seuil{EmplacementID: 3, ProduitID: id, Seuil: 7})
		page, err := c.ListSeuils(ctx, stockapi.SeuilsParams{EmplacementID: 3, ProduitID: id})
		contract.OK(t, err, "ListSeuils")
		contract.Exact[kit.Page[stockapi.Seuil]](t, calls, http.StatusOK)
		contract.True(t, page.Total == 1 && page.Items[0] == s, "seuils %+v", page)
		_, err = c.SetSeuil(ctx, 3, 999_999_999, 7)
		contract.Problem(t, err, http.StatusNotFound, "path.produit_id")
	})

	t.Run("rapports", func(t *testing.T) {
		tout := int64(100_000)
		page, err := c.RapportRuptures(ctx, stockapi.RapportParams{Seuil: &tout, EmplacementID: stockapi.CentreID})
		contract.OK(t, err, "RapportRuptures")
		contract.Exact[kit.Page[stockapi.LigneRapport]](t, calls, http.StatusOK)
		contract.True(t, page.Total >= 14 && page.Items[0].EmplacementID == stockapi.CentreID && page.Items[0].EmplacementNom != "",
			"ruptures under 100000 at the centre: %+v", page)
		zero := int64(0)
		page, err = c.RapportSurplus(ctx, stockapi.RapportParams{Seuil: &zero, PageQuery: kit.PageQuery{Limit: 3}})
		contract.OK(t, err, "RapportSurplus")
		contract.Exact[kit.Page[stockapi.LigneRapport]](t, calls, http.StatusOK)
		contract.True(t, len(page.Items) == 3 && page.Total > 3, "surplus from 0: %+v", page)
	})
}
