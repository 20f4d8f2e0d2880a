// Package paiementapitest is the contract suite of paiementapi: every Client
// method against a running paiement server, checking that each answer
// decodes into its type with no field left over and carries what the route
// promises. The real service runs it in its tests; a fake must pass it too.
package paiementapitest

import (
	"math/rand/v2"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"

	"multimagasins/kit"
	"multimagasins/kit/api/internal/contract"
	"multimagasins/kit/api/paiementapi"
	"multimagasins/kit/kittest"
)

// Routes are the routes paiementapi covers, one Client method each.
var Routes = []string{
	"GET /comptes/{client_id}", "PUT /comptes/{client_id}",
	"POST /paiements", "GET /paiements", "GET /paiements/{id}", "POST /paiements/{id}/remboursements",
}

// Contract runs every method against baseURL, a paiement server (it needs no
// seed: a client with no account has the 500.00 limit). Its clients are
// random ids far above the demo ones, so it can run again on the same server.
// It calls as kittest.Staff, so the server must trust kittest's test issuer,
// as kittest.Start sets up.
func Contract(t *testing.T, baseURL string) {
	c := paiementapi.New(kit.NewClient(baseURL, 30*time.Second, kit.WithTokens(kittest.StaffTokens)))
	ctx, calls := contract.Record(t)
	client := 1_000_000 + rand.Int64N(1_000_000_000)

	t.Run("comptes", func(t *testing.T) {
		cpt, err := c.GetCompte(ctx, client)
		contract.OK(t, err, "GetCompte")
		contract.Exact[paiementapi.Compte](t, calls, http.StatusOK)
		contract.Equal(t, "compte", cpt, paiementapi.Compte{ClientID: client, Limite: paiementapi.LimiteParDefaut})
		cpt, err = c.PutCompte(ctx, client, 600_00)
		contract.OK(t, err, "PutCompte")
		contract.Exact[paiementapi.Compte](t, calls, http.StatusOK)
		contract.Equal(t, "limite", cpt.Limite, 600_00)
		cpt, err = c.GetCompte(ctx, client)
		contract.OK(t, err, "GetCompte")
		contract.Equal(t, "limite read back", cpt.Limite, 600_00)
		_, err = c.PutCompte(ctx, client, -1)
		contract.Problem(t, err, http.StatusUnprocessableEntity, "body.limite")
	})

	commande := uuid.New()
	key := commande.String() + ":payer"
	var accepte paiementapi.Paiement

	t.Run("paiement accepte", func(t *testing.T) {
		d := paiementapi.Demande{CommandeID: commande, ClientID: client, Montant: 129_99, Methode: paiementapi.Carte}
		p, err := c.CreatePaiement(ctx, key, d)
		contract.OK(t, err, "CreatePaiement")
		contract.Exact[paiementapi.Paiement](t, calls, http.StatusCreated)
		contract.True(t, p.ID != uuid.Nil && p.CommandeID == commande && p.ClientID == client && p.Montant == 129_99 &&
			p.Methode == paiementapi.Carte && p.Statut == paiementapi.Accepte && p.Motif == "" && p.Rembourse == 0 &&
			p.Remboursements != nil && len(p.Remboursements) == 0 && p.Cle == key && !p.CreeLe.IsZero(), "paiement %+v", p)
		accepte = p

		again, err := c.CreatePaiement(ctx, key, d)
		contract.OK(t, err, "CreatePaiement replay")
		contract.Equal(t, "replayed id", again.ID, p.ID)

		d.Montant = 1_00
		_, err = c.CreatePaiement(ctx, key, d)
		contract.Problem(t, err, http.StatusUnprocessableEntity, "header.Idempotency-Key")
		_, err = c.CreatePaiement(ctx, uuid.NewString(), d)
		contract.Problem(t, err, http.StatusConflict, "body.commande_id")
	})

	t.Run("paiement refuse", func(t *testing.T) {
		d := paiementapi.Demande{CommandeID: uuid.New(), ClientID: client, Montant: 600_01, Methode: paiementapi.Carte}
		k := uuid.NewString()
		_, err := c.CreatePaiement(ctx, k, d)
		pe := contract.Problem(t, err, http.StatusPaymentRequired, "body.montant")
		contract.True(t, pe.Detail != "" && len(pe.Instance) > len("/paiements/"), "402 %+v", pe)
		_, err = c.CreatePaiement(ctx, k, d)
		again := contract.Problem(t, err, http.StatusPaymentRequired, "body.montant")
		contract.Equal(t, "replayed instance", again.Instance, pe.Instance)

		page, err := c.ListPaiements(ctx, paiementapi.ListPaiementsParams{Cle: k})
		contract.OK(t, err, "ListPaiements cle")
		contract.Exact[kit.Page[paiementapi.Paiement]](t, calls, http.StatusOK)
		contract.True(t, page.Total == 1 && page.Items[0].Statut == paiementapi.Refuse && page.Items[0].Motif != "" &&
			"/paiements/"+page.Items[0].ID.String() == pe.Instance, "refused %+v", page)
		_, err = c.CreateRemboursement(ctx, uuid.NewString(), page.Items[0].ID, paiementapi.DemandeRemboursement{Montant: 1_00})
		contract.Problem(t, err, http.StatusConflict, "path.id")

		d.Methode, d.CommandeID = paiementapi.Comptant, uuid.New()
		p, err := c.CreatePaiement(ctx, uuid.NewString(), d)
		contract.OK(t, err, "CreatePaiement comptant")
		contract.Equal(t, "cash has no limit", p.Statut, paiementapi.Accepte)
	})

	t.Run("lecture", func(t *testing.T) {
		page, err := c.ListPaiements(ctx, paiementapi.ListPaiementsParams{CommandeID: commande, PageQuery: kit.PageQuery{Limit: 100}})
		contract.OK(t, err, "ListPaiements commande_id")
		contract.Exact[kit.Page[paiementapi.Paiement]](t, calls, http.StatusOK)
		contract.True(t, page.Total == 1 && page.Items[0].ID == accepte.ID, "by commande %+v", page)
		page, err = c.ListPaiements(ctx, paiementapi.ListPaiementsParams{ClientID: client, Statut: paiementapi.Refuse})
		contract.OK(t, err, "ListPaiements client_id statut")
		contract.True(t, page.Total == 1 && page.Items[0].Statut == paiementapi.Refuse, "refused of client %+v", page)
		page, err = c.ListPaiements(ctx, paiementapi.ListPaiementsParams{Cle: uuid.NewString()})
		contract.OK(t, err, "ListPaiements unknown cle")
		contract.Equal(t, "total", page.Total, 0)

		p, err := c.GetPaiement(ctx, accepte.ID)
		contract.OK(t, err, "GetPaiement")
		contract.Exact[paiementapi.Paiement](t, calls, http.StatusOK)
		contract.Equal(t, "id", p.ID, accepte.ID)
		_, err = c.GetPaiement(ctx, uuid.New())
		contract.Problem(t, err, http.StatusNotFound, "path.id")
	})

	t.Run("remboursements", func(t *testing.T) {
		k := commande.String() + ":rembourser"
		d := paiementapi.DemandeRemboursement{Montant: 29_99, Motif: "retour en magasin"}
		r, err := c.CreateRemboursement(ctx, k, accepte.ID, d)
		contract.OK(t, err, "CreateRemboursement")
		contract.Exact[paiementapi.Remboursement](t, calls, http.StatusCreated)
		contract.True(t, r.ID != uuid.Nil && r.PaiementID == accepte.ID && r.Montant == 29_99 && r.Motif == d.Motif &&
			!r.At.IsZero(), "remboursement %+v", r)
		again, err := c.CreateRemboursement(ctx, k, accepte.ID, d)
		contract.OK(t, err, "CreateRemboursement replay")
		contract.Equal(t, "replayed id", again.ID, r.ID)

		p, err := c.GetPaiement(ctx, accepte.ID)
		contract.OK(t, err, "GetPaiement")
		contract.True(t, p.Statut == paiementapi.PartiellementRembourse && p.Rembourse == 29_99 &&
			len(p.Remboursements) == 1 && p.Remboursements[0] == r, "after a refund %+v", p)

		_, err = c.CreateRemboursement(ctx, uuid.NewString(), accepte.ID, paiementapi.DemandeRemboursement{Montant: 100_01})
		contract.Problem(t, err, http.StatusConflict, "body.montant")
		_, err = c.CreateRemboursement(ctx, uuid.NewString(), uuid.New(), d)
		contract.Problem(t, err, http.StatusNotFound, "path.id")
		_, err = c.CreateRemboursement(ctx, uuid.NewString(), accepte.ID, paiementapi.DemandeRemboursement{Montant: 100_00})
		contract.OK(t, err, "CreateRemboursement rest")
		p, err = c.GetPaiement(ctx, accepte.ID)
		contract.OK(t, err, "GetPaiement")
		contract.True(t, p.Statut == paiementapi.Rembourse && p.Rembourse == p.Montant, "refunded whole %+v", p)

		// jusqu_au_reste with nothing left: 200, a refund of 0.00 that was not made.
		rien, err := c.CreateRemboursement(ctx, uuid.NewString(), accepte.ID,
			paiementapi.DemandeRemboursement{Montant: 1_00, JusquAuReste: true})
		contract.OK(t, err, "CreateRemboursement jusqu_au_reste")
		contract.Exact[paiementapi.Remboursement](t, calls, http.StatusOK)
		contract.True(t, rien.ID == uuid.Nil && rien.PaiementID == accepte.ID && rien.Montant == 0, "nothing left %+v", rien)
	})
}
