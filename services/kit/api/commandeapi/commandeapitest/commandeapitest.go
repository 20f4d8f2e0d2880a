// Package commandeapitest is the contract suite of commandeapi: every Client
// method against a running commande server, checking that each answer
// decodes into its type with no field left over and carries what the route
// promises. The real service runs it in its tests; a fake must pass it too.
package commandeapitest

import (
	"math/rand/v2"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"

	"multimagasins/kit"
	"multimagasins/kit/api/commandeapi"
	"multimagasins/kit/api/internal/contract"
	"multimagasins/kit/kittest"
)

// Routes are the routes commandeapi covers, one Client method each.
var Routes = []string{
	"POST /commandes", "GET /commandes", "GET /commande/{id}", "POST /commande/{id}/transitions",
	"POST /commande/{id}/retours", "GET /commande/{id}/retours",
	"GET /rapports/ventes-par-magasin", "GET /rapports/top-produits",
	"GET /rapports/chiffre-affaires-par-jour", "GET /rapports/performance-magasins",
}

// Contract runs every method against baseURL, a commande server (it needs no
// seed: it makes its own orders, for a random client far above the demo
// ones, so it can run again on the same server). It calls as kittest.Staff,
// so the server must trust kittest's test issuer, as kittest.Start sets up.
func Contract(t *testing.T, baseURL string) {
	c := commandeapi.New(kit.NewClient(baseURL, 30*time.Second, kit.WithTokens(kittest.StaffTokens)))
	ctx, calls := contract.Record(t)
	client := 1_000_000 + rand.Int64N(1_000_000_000)
	debut := time.Now().Add(-time.Minute)

	id := uuid.New()
	demande := commandeapi.Demande{ID: &id, ClientID: client, Canal: commandeapi.EnLigne, Lignes: []commandeapi.LigneDemandee{
		{ProduitID: 1, Quantite: 2, PrixUnitaire: 19_99}, {ProduitID: 2, Quantite: 1, PrixUnitaire: 29_99}}}

	t.Run("creation", func(t *testing.T) {
		key := id.String() + ":creer_commande"
		cmd, err := c.CreateCommande(ctx, key, demande)
		contract.OK(t, err, "CreateCommande")
		contract.Exact[commandeapi.Commande](t, calls, http.StatusCreated)
		contract.True(t, cmd.ID == id && cmd.ClientID == client && cmd.Canal == commandeapi.EnLigne && cmd.MagasinID == nil &&
			cmd.Statut == commandeapi.Creee && cmd.Total == 69_97 && cmd.TotalRetourne == 0 && len(cmd.Lignes) == 2 &&
			!cmd.CreeLe.IsZero() && !cmd.ModifieLe.IsZero(), "commande %+v", cmd)
		contract.Equal(t, "ligne 1", cmd.Lignes[0], commandeapi.Ligne{ProduitID: 1, Quantite: 2, PrixUnitaire: 19_99, SousTotal: 39_98})
		contract.True(t, len(cmd.Historique) == 1 && cmd.Historique[0].Statut == commandeapi.Creee, "historique %+v", cmd.Historique)

		again, err := c.CreateCommande(ctx, key, demande)
		contract.OK(t, err, "CreateCommande replay")
		contract.Equal(t, "replayed id", again.ID, id)

		autre := demande
		autre.Lignes = demande.Lignes[:1]
		_, err = c.CreateCommande(ctx, "", autre)
		contract.Problem(t, err, http.StatusConflict, "body.id")
		magasin := 3
		autre.MagasinID = &magasin
		_, err = c.CreateCommande(ctx, "", autre)
		contract.Problem(t, err, http.StatusUnprocessableEntity, "body.magasin_id")
	})

	t.Run("lecture", func(t *testing.T) {
		cmd, err := c.GetCommande(ctx, id)
		contract.OK(t, err, "GetCommande")
		contract.Exact[commandeapi.Commande](t, calls, http.StatusOK)
		contract.True(t, cmd.ID == id && len(cmd.Historique) == 1, "commande %+v", cmd)
		_, err = c.GetCommande(ctx, uuid.New())
		contract.Problem(t, err, http.StatusNotFound, "path.id")
	})

	t.Run("transitions", func(t *testing.T) {
		for _, s := range []commandeapi.Statut{commandeapi.StockVerifie, commandeapi.StockReserve, commandeapi.Payee, commandeapi.Confirmee} {
			cmd, err := c.TransitionCommande(ctx, id.String()+":"+string(s), id, commandeapi.Changement{Statut: s})
			contract.OK(t, err, "TransitionCommande "+string(s))
			contract.Exact[commandeapi.Commande](t, calls, http.StatusOK)
			contract.Equal(t, "statut", cmd.Statut, s)
		}
		cmd, err := c.TransitionCommande(ctx, id.String()+":"+string(commandeapi.Confirmee), id,
			commandeapi.Changement{Statut: commandeapi.Confirmee})
		contract.OK(t, err, "TransitionCommande replay")
		contract.Equal(t, "statut", cmd.Statut, commandeapi.Confirmee)
		_, err = c.TransitionCommande(ctx, uuid.NewString(), id, commandeapi.Changement{Statut: commandeapi.Annulee, Motif: "trop tard"})
		contract.Problem(t, err, http.StatusConflict, "body.statut")
		_, err = c.TransitionCommande(ctx, uuid.NewString(), id, commandeapi.Changement{Statut: commandeapi.Annulee})
		contract.Problem(t, err, http.StatusUnprocessableEntity, "body.motif")

		cmd, err = c.GetCommande(ctx, id)
		contract.OK(t, err, "GetCommande")
		contract.Equal(t, "states in the history", len(cmd.Historique), 5)
	})

	t.Run("annulation", func(t *testing.T) {
		autre := uuid.New()
		d := demande
		d.ID = &autre
		_, err := c.CreateCommande(ctx, "", d)
		contract.OK(t, err, "CreateCommande")
		cmd, err := c.TransitionCommande(ctx, uuid.NewString(), autre, commandeapi.Changement{Statut: commandeapi.Annulee, Motif: "stock insuffisant"})
		contract.OK(t, err, "TransitionCommande ANNULEE")
		contract.Equal(t, "statut", cmd.Statut, commandeapi.Annulee)
		_, err = c.CreateRetour(ctx, uuid.NewString(), autre, commandeapi.DemandeRetour{Lignes: []commandeapi.LigneRetour{{ProduitID: 1, Quantite: 1}}})
		contract.Problem(t, err, http.StatusConflict, "path.id")
	})

	t.Run("liste", func(t *testing.T) {
		page, err := c.ListCommandes(ctx, commandeapi.ListCommandesParams{ClientID: client, Statut: commandeapi.Confirmee,
			Canal: commandeapi.EnLigne, Depuis: debut, PageQuery: kit.PageQuery{Limit: 10}})
		contract.OK(t, err, "ListCommandes")
		contract.Exact[kit.Page[commandeapi.Commande]](t, calls, http.StatusOK)
		contract.True(t, page.Total == 1 && page.Items[0].ID == id && page.Items[0].Historique == nil && page.Limit == 10,
			"confirmed orders of the client %+v", page)
		page, err = c.ListCommandes(ctx, commandeapi.ListCommandesParams{ClientID: client})
		contract.OK(t, err, "ListCommandes")
		contract.Equal(t, "orders of the client", page.Total, 2)
		_, err = c.ListCommandes(ctx, commandeapi.ListCommandesParams{Depuis: debut, JusquA: debut})
		contract.Problem(t, err, http.StatusUnprocessableEntity, "query.jusqu_a")
	})

	t.Run("retours", func(t *testing.T) {
		key := id.String() + ":enregistrer_retour"
		d := commandeapi.DemandeRetour{Lignes: []commandeapi.LigneRetour{{ProduitID: 1, Quantite: 1}}}
		r, err := c.CreateRetour(ctx, key, id, d)
		contract.OK(t, err, "CreateRetour")
		contract.Exact[commandeapi.Retour](t, calls, http.StatusCreated)
		contract.True(t, r.ID != uuid.Nil && r.CommandeID == id && r.Montant == 19_99 && !r.At.IsZero() && len(r.Lignes) == 1 &&
			r.Lignes[0] == commandeapi.LigneRetournee{ProduitID: 1, Quantite: 1, PrixUnitaire: 19_99, Montant: 19_99}, "retour %+v", r)
		again, err := c.CreateRetour(ctx, key, id, d)
		contract.OK(t, err, "CreateRetour replay")
		contract.Equal(t, "replayed id", again.ID, r.ID)

		_, err = c.CreateRetour(ctx, uuid.NewString(), id, commandeapi.DemandeRetour{Lignes: []commandeapi.LigneRetour{{ProduitID: 1, Quantite: 2}}})
		contract.Problem(t, err, http.StatusConflict, "body.lignes[0].quantite")
		_, err = c.CreateRetour(ctx, uuid.NewString(), id, commandeapi.DemandeRetour{Lignes: []commandeapi.LigneRetour{{ProduitID: 9, Quantite: 1}}})
		contract.Problem(t, err, http.StatusUnprocessableEntity, "body.lignes[0].produit_id")

		cmd, err := c.GetCommande(ctx, id)
		contract.OK(t, err, "GetCommande")
		contract.Exact[commandeapi.Commande](t, calls, http.StatusOK)
		contract.True(t, cmd.TotalRetourne == 19_99 && cmd.Lignes[0].QuantiteRetournee == 1 && len(cmd.Retours) == 1 &&
			cmd.Retours[0].ID == r.ID, "after a return %+v", cmd)

		page, err := c.ListRetours(ctx, id, kit.PageQuery{})
		contract.OK(t, err, "ListRetours")
		contract.Exact[kit.Page[commandeapi.Retour]](t, calls, http.StatusOK)
		contract.True(t, page.Total == 1 && page.Items[0].ID == r.ID, "retours %+v", page)
	})

	// A counter sale at store 3, confirmed, for the reports.
	vente := uuid.New()
	magasin := 3
	_, err := c.CreateCommande(ctx, "", commandeapi.Demande{ID: &vente, ClientID: client, Canal: commandeapi.Magasin, MagasinID: &magasin,
		Lignes: []commandeapi.LigneDemandee{{ProduitID: 3, Quantite: 1, PrixUnitaire: 59_99}}})
	contract.OK(t, err, "CreateCommande magasin")
	for _, s := range []commandeapi.Statut{commandeapi.StockVerifie, commandeapi.StockReserve, commandeapi.Payee, commandeapi.Confirmee} {
		_, err := c.TransitionCommande(ctx, uuid.NewString(), vente, commandeapi.Changement{Statut: s})
		contract.OK(t, err, "TransitionCommande "+string(s))
	}
	periode := commandeapi.Periode{Depuis: debut, JusquA: time.Now().Add(time.Minute)}

	t.Run("rapports", func(t *testing.T) {
		v, err := c.RapportVentesParMagasin(ctx, periode)
		contract.OK(t, err, "RapportVentesParMagasin")
		contract.Exact[commandeapi.VentesParMagasin](t, calls, http.StatusOK)
		contract.True(t, len(v.Magasins) == 6 && v.Magasins[2].MagasinID != nil && *v.Magasins[2].MagasinID == 3 &&
			v.Magasins[2].ChiffreAffaires >= 59_99 && v.Magasins[5].MagasinID == nil && v.Magasins[5].Canal == commandeapi.EnLigne &&
			v.Magasins[5].ChiffreAffaires >= 69_97-19_99 && v.Total.NombreVentes >= 2, "ventes par magasin %+v", v)

		top, err := c.RapportTopProduits(ctx, commandeapi.TopProduitsParams{Periode: periode, Par: commandeapi.ParChiffreAffaires, Limit: 14})
		contract.OK(t, err, "RapportTopProduits")
		contract.Exact[commandeapi.TopProduits](t, calls, http.StatusOK)
		contract.True(t, top.Par == commandeapi.ParChiffreAffaires && len(top.Produits) >= 3, "top %+v", top)

		jours, err := c.RapportChiffreAffairesParJour(ctx, commandeapi.ParJourParams{Periode: periode, MagasinID: 3})
		contract.OK(t, err, "RapportChiffreAffairesParJour")
		contract.Exact[commandeapi.ChiffreAffairesParJour](t, calls, http.StatusOK)
		var ca kit.Cents
		for _, j := range jours.Jours {
			ca += j.ChiffreAffaires
		}
		contract.True(t, jours.MagasinID != nil && *jours.MagasinID == 3 && len(jours.Jours) >= 1 && ca >= 59_99, "par jour %+v", jours)
		_, err = c.RapportChiffreAffairesParJour(ctx, commandeapi.ParJourParams{Periode: commandeapi.Periode{
			Depuis: debut.AddDate(-2, 0, 0), JusquA: debut}})
		contract.Problem(t, err, http.StatusUnprocessableEntity, "query.jusqu_a")

		perf, err := c.RapportPerformanceMagasins(ctx, periode)
		contract.OK(t, err, "RapportPerformanceMagasins")
		contract.Exact[commandeapi.PerformanceMagasins](t, calls, http.StatusOK)
		contract.True(t, len(perf.Magasins) == 5 && perf.Magasins[2].MagasinID == 3 && perf.Magasins[2].ChiffreAffaires >= 59_99 &&
			perf.MoyenneChaine.ChiffreAffaires > 0, "performance %+v", perf)
	})
}
