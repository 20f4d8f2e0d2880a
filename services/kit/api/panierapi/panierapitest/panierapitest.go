// Package panierapitest is the contract suite of panierapi: every Client
// method against a running panier server, checking that each answer decodes
// into its type with no field left over and carries what the route promises.
// The real service runs it in its tests; a fake must pass it too.
package panierapitest

import (
	"net/http"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"multimagasins/kit"
	"multimagasins/kit/api/internal/contract"
	"multimagasins/kit/api/panierapi"
	"multimagasins/kit/kittest"
)

// Routes are the routes panierapi covers, one Client method each.
var Routes = []string{
	"GET /panier/{client_id}", "POST /panier", "PUT /panier/{client_id}/lignes/{produit_id}",
	"DELETE /panier/{client_id}/lignes/{produit_id}", "DELETE /panier/{client_id}",
}

// Contract runs every method against baseURL, a panier server whose clients
// and stock hold the demo data: client 1 (the guest) and product 1, active,
// at 100.00, with at least 5 units at the centre. It uses the guest's cart
// and leaves it empty. It calls as the guest itself, with a client token
// from kittest's test issuer (which the server must trust, as kittest.Start
// sets up), and as kittest.Staff for what only a service may ask.
func Contract(t *testing.T, baseURL string) {
	const client, produit = 1, 1
	iss := kittest.TestIssuer(t)
	guest := oauth2.StaticTokenSource(&oauth2.Token{AccessToken: iss.Token(t, kittest.Client(client)), TokenType: "Bearer"})
	c := panierapi.New(kit.NewClient(baseURL, 30*time.Second, kit.WithTokens(guest)))
	staff := panierapi.New(kit.NewClient(baseURL, 30*time.Second, kit.WithTokens(kittest.StaffTokens)))
	ctx, calls := contract.Record(t)

	t.Run("vide", func(t *testing.T) {
		contract.OK(t, c.EmptyPanier(ctx, client), "EmptyPanier")
		contract.Equal(t, "status", calls.Last(t).Status, http.StatusNoContent)
		contract.OK(t, c.EmptyPanier(ctx, client), "EmptyPanier again")
		p, err := c.GetPanier(ctx, client)
		contract.OK(t, err, "GetPanier")
		contract.Exact[panierapi.Panier](t, calls, http.StatusOK)
		contract.True(t, p.ClientID == client && p.Lignes != nil && len(p.Lignes) == 0 && p.Total == 0, "empty cart %+v", p)
	})

	t.Run("lignes", func(t *testing.T) {
		p, created, err := c.AddLigne(ctx, panierapi.Ajout{ClientID: client, ProduitID: produit, Quantite: 2})
		contract.OK(t, err, "AddLigne")
		contract.Exact[panierapi.Panier](t, calls, http.StatusCreated)
		contract.True(t, created && len(p.Lignes) == 1 && p.Total == 200_00, "after adding 2: %+v", p)
		contract.Equal(t, "ligne", p.Lignes[0], panierapi.Ligne{ProduitID: produit, Quantite: 2, PrixUnitaire: 100_00})

		p, created, err = c.AddLigne(ctx, panierapi.Ajout{ClientID: client, ProduitID: produit, Quantite: 1})
		contract.OK(t, err, "AddLigne again")
		contract.Exact[panierapi.Panier](t, calls, http.StatusOK)
		contract.True(t, !created && p.Lignes[0].Quantite == 3 && p.Total == 300_00, "after adding 1 more: %+v", p)

		p, err = c.SetLigne(ctx, client, produit, 5)
		contract.OK(t, err, "SetLigne")
		contract.Exact[panierapi.Panier](t, calls, http.StatusOK)
		contract.True(t, p.Lignes[0].Quantite == 5 && p.Total == 500_00, "after setting 5: %+v", p)

		got, err := c.GetPanier(ctx, client)
		contract.OK(t, err, "GetPanier")
		contract.True(t, len(got.Lignes) == 1 && got.Total == p.Total, "read back %+v", got)

		contract.OK(t, c.DeleteLigne(ctx, client, produit), "DeleteLigne")
		contract.Equal(t, "status", calls.Last(t).Status, http.StatusNoContent)
		got, err = c.GetPanier(ctx, client)
		contract.OK(t, err, "GetPanier")
		contract.True(t, len(got.Lignes) == 0 && got.Total == 0, "after delete %+v", got)
	})

	t.Run("refus", func(t *testing.T) {
		// Only a service may name a client that does not exist: a client token acts for itself.
		_, _, err := staff.AddLigne(ctx, panierapi.Ajout{ClientID: 999_999_999, ProduitID: produit, Quantite: 1})
		contract.Problem(t, err, http.StatusNotFound, "body.client_id")
		_, _, err = c.AddLigne(ctx, panierapi.Ajout{ClientID: client + 1, ProduitID: produit, Quantite: 1})
		contract.Problem(t, err, http.StatusForbidden, "")
		_, err = c.GetPanier(ctx, client+1)
		contract.Problem(t, err, http.StatusForbidden, "")
		_, _, err = c.AddLigne(ctx, panierapi.Ajout{ClientID: client, ProduitID: 999_999_999, Quantite: 1})
		contract.Problem(t, err, http.StatusNotFound, "body.produit_id")
		_, _, err = c.AddLigne(ctx, panierapi.Ajout{ClientID: client, ProduitID: produit, Quantite: panierapi.QuantiteMax + 1})
		contract.Problem(t, err, http.StatusUnprocessableEntity, "body.quantite")
		_, err = c.SetLigne(ctx, client, produit, 1)
		contract.Problem(t, err, http.StatusNotFound, "path.produit_id")
		err = c.DeleteLigne(ctx, client, produit)
		contract.Problem(t, err, http.StatusNotFound, "path.produit_id")
	})
}
