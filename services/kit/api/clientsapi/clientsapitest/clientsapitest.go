// Package clientsapitest is the contract suite of clientsapi: every Client
// method against a running clients server, checking that each answer decodes
// into its type with no field left over and carries what the route promises.
// The real service runs it in its tests; a fake must pass it too.
package clientsapitest

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"multimagasins/kit"
	"multimagasins/kit/api/clientsapi"
	"multimagasins/kit/api/internal/contract"
	"multimagasins/kit/kittest"
)

// Routes are the routes clientsapi covers, one Client method each.
var Routes = []string{
	"GET /clients", "POST /clients", "GET /clients/{id}", "PUT /clients/{id}", "DELETE /clients/{id}",
}

// Contract runs every method against baseURL, a clients server seeded with
// the demo data (the guest, client 1) that trusts the test issuer: it calls
// with the kittest.Staff token. It makes its own accounts, with fresh
// emails, so it can run again on the same server.
func Contract(t *testing.T, baseURL string) {
	c := clientsapi.New(kit.NewClient(baseURL, 30*time.Second, kit.WithTokens(kittest.StaffTokens)))
	ctx, calls := contract.Record(t)
	tag := uuid.NewString()[:8]
	email := "contrat-" + tag + "@exemple.ca"

	t.Run("invite", func(t *testing.T) {
		g, err := c.GetClient(ctx, clientsapi.GuestID)
		contract.OK(t, err, "GetClient")
		contract.Exact[clientsapi.Compte](t, calls, http.StatusOK)
		contract.True(t, g.ID == clientsapi.GuestID && g.Nom != "" && g.Email != "" && !g.CreeLe.IsZero(), "guest %+v", g)
		_, err = c.GetClient(ctx, 999_999_999)
		contract.Problem(t, err, http.StatusNotFound, "path.id")
		err = c.DeleteClient(ctx, clientsapi.GuestID)
		contract.Problem(t, err, http.StatusConflict, "path.id")
	})

	var id int64
	t.Run("compte", func(t *testing.T) {
		f := clientsapi.Fields{Nom: "Contrat " + tag, Email: email, Telephone: "514-555-0101", Adresse: "Montréal"}
		k, err := c.CreateClient(ctx, f)
		contract.OK(t, err, "CreateClient")
		contract.Exact[clientsapi.Compte](t, calls, http.StatusCreated)
		contract.True(t, k.ID > 0 && k.Nom == f.Nom && k.Email == email && k.Telephone == f.Telephone && k.Adresse == f.Adresse,
			"created %+v", k)
		id = k.ID

		f.Email = strings.ToUpper(email)
		_, err = c.CreateClient(ctx, f)
		contract.Problem(t, err, http.StatusConflict, "body.email")
		_, err = c.CreateClient(ctx, clientsapi.Fields{Nom: "  ", Email: "blanc-" + tag + "@exemple.ca"})
		contract.Problem(t, err, http.StatusUnprocessableEntity, "body.nom")

		k, err = c.UpdateClient(ctx, id, clientsapi.Fields{Nom: "Contrat modifié " + tag, Email: email})
		contract.OK(t, err, "UpdateClient")
		contract.Exact[clientsapi.Compte](t, calls, http.StatusOK)
		contract.True(t, k.ID == id && k.Nom == "Contrat modifié "+tag && k.Telephone == "", "updated %+v", k)

		page, err := c.ListClients(ctx, clientsapi.ListClientsParams{Q: tag, PageQuery: kit.PageQuery{Limit: 10}})
		contract.OK(t, err, "ListClients")
		contract.Exact[kit.Page[clientsapi.Compte]](t, calls, http.StatusOK)
		contract.True(t, page.Total == 1 && page.Items[0].ID == id && page.Limit == 10, "search %+v", page)

		// A sign-up retried under its key gets the same account back; the key
		// with other fields is refused.
		key := "inscription:" + uuid.NewString()
		once := clientsapi.Fields{Nom: "Inscription " + tag, Email: "inscription-" + tag + "@exemple.ca"}
		first, err := c.CreateClientOnce(ctx, key, once)
		contract.OK(t, err, "CreateClientOnce")
		contract.Exact[clientsapi.Compte](t, calls, http.StatusCreated)
		firstBody := calls.Last(t).Body
		again, err := c.CreateClientOnce(ctx, key, once)
		contract.OK(t, err, "CreateClientOnce again")
		contract.Exact[clientsapi.Compte](t, calls, http.StatusCreated)
		contract.True(t, again.ID == first.ID && bytes.Equal(calls.Last(t).Body, firstBody),
			"replay %s, first %s", calls.Last(t).Body, firstBody)
		once.Nom += " bis"
		_, err = c.CreateClientOnce(ctx, key, once)
		contract.Problem(t, err, http.StatusUnprocessableEntity, "header.Idempotency-Key")
		contract.OK(t, c.DeleteClient(ctx, first.ID), "DeleteClient inscription")

		contract.OK(t, c.DeleteClient(ctx, id), "DeleteClient")
		contract.Equal(t, "status", calls.Last(t).Status, http.StatusNoContent)
		_, err = c.GetClient(ctx, id)
		contract.Problem(t, err, http.StatusNotFound, "path.id")
	})
}
