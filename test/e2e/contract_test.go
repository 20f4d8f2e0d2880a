package e2e

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"multimagasins/kit/api/clientsapi"
	"multimagasins/kit/api/panierapi"
	"multimagasins/kit/api/participantstest"
	"multimagasins/kit/api/stockapi"
	"multimagasins/test/internal/fleettest"
)

// The real participants keep the contract the sagas rely on, the one the
// orchestrator's fake is held to (orchestrator/internal/fakes): where they
// disagree, the fake is wrong.
func TestContract_TheRealParticipantsKeepWhatTheSagasRelyOn(t *testing.T) {
	c := fleettest.Typed(fl)
	ctx := t.Context()
	const disponible = 10

	// Products of the test's own, so nobody else moves their stock: the
	// suite counts it.
	p, err := c.Stock.CreateProduit(ctx, stockapi.ProduitFields{Nom: unique("Contrat saga"), Categorie: "Test", Prix: 37_50})
	require.NoError(t, err)
	_, err = c.Stock.CreateReception(ctx, uuid.NewString(), stockapi.Reception{ProduitID: p.ID, Quantite: 2 * disponible})
	require.NoError(t, err)
	d, err := c.Stock.CreateDemande(ctx, participantstest.Magasin, stockapi.NouvelleDemandeAppro{ProduitID: p.ID, Quantite: disponible})
	require.NoError(t, err)
	_, err = c.Stock.ApproveDemande(ctx, d.ID)
	require.NoError(t, err, "store 1 gets half of the units")

	autre, err := c.Stock.CreateProduit(ctx, stockapi.ProduitFields{Nom: unique("Contrat saga autre"), Categorie: "Test", Prix: 5_00})
	require.NoError(t, err)
	_, err = c.Stock.CreateReception(ctx, uuid.NewString(), stockapi.Reception{ProduitID: autre.ID, Quantite: 5})
	require.NoError(t, err)

	inactif := false
	retire, err := c.Stock.CreateProduit(ctx, stockapi.ProduitFields{Nom: unique("Contrat saga retiré"), Categorie: "Test", Prix: 1_00})
	require.NoError(t, err)
	_, err = c.Stock.UpdateProduit(ctx, retire.ID, stockapi.ProduitFields{Nom: retire.Nom, Categorie: "Test", Prix: 1_00, Actif: &inactif})
	require.NoError(t, err)

	client, err := c.Clients.CreateClient(ctx, clientsapi.Fields{Nom: "Contrat saga", Email: unique("contrat-saga") + "@exemple.ca"})
	require.NoError(t, err)
	panier := map[int64]int{p.ID: 2, autre.ID: 1}
	fixture := participantstest.Fixture{
		Produit: p.ID, Prix: p.Prix, Disponible: disponible, Autre: autre.ID, Inactif: retire.ID, Inconnu: 999_999_999,
		Client: client.ID, Panier: panier, ClientInconnu: 999_999_999,
	}
	participants := participantstest.Participants{Stock: c.Stock, Commande: c.Commande, Paiement: c.Paiement,
		Panier: c.Panier, Clients: c.Clients}

	// Twice on the same data: the suite leaves the stock as it found it.
	for _, passage := range []string{"premier", "second"} {
		t.Run(passage, func(t *testing.T) {
			for id, q := range panier {
				_, _, err := c.Panier.AddLigne(t.Context(), panierapi.Ajout{ClientID: client.ID, ProduitID: id, Quantite: q})
				require.NoError(t, err)
			}
			participantstest.Contract(t, participants, fixture)
		})
	}
}
