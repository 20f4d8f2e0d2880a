package saga

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"multimagasins/kit/kittest"
)

func vente(client json.Number, magasin int, methode string, lignes ...map[string]any) map[string]any {
	return map[string]any{"magasin_id": magasin, "produits": lignes, "methode": methode, "client_id": client}
}

func retour(commandeID string, lignes ...map[string]any) map[string]any {
	b := map[string]any{"commande_id": commandeID}
	if len(lignes) > 0 {
		b["lignes"] = lignes
	}
	return b
}

// refunded is what the order's payments gave back, and what they kept.
func refunded(t *testing.T, commandeID string) (rembourse, garde int64) {
	t.Helper()
	for _, p := range paymentsOfOrder(t, commandeID) {
		if p["statut"] != "refuse" {
			rembourse += cents(t, p["rembourse"])
			garde += kept(t, p)
		}
	}
	return rembourse, garde
}

// A counter sale takes the goods from the store; returns bring them back to
// the store and the money back to the client, never more than was sold or paid.
func TestCounterSale_ThenPartialAndFullReturn_RestocksTheStoreAndRefunds(t *testing.T) {
	const magasin, produit, prix = 3, "5", int64(49_99)
	cid := json.Number(newClient(t))
	before := stockAt(t, magasin, produit)
	require.GreaterOrEqual(t, before.Disponible, int64(4), "the seed stocks every store")

	sale := post(t, "/saga/vente", vente(cid, magasin, "carte", line(json.Number(produit), 3)))
	require.Equal(t, 201, sale.status, sale.body)
	require.Equal(t, "CONFIRMEE", sale.answer.Statut)
	require.Equal(t, 3*prix, cents(t, sale.answer.Total))
	o := order(t, sale.answer.CommandeID)
	require.Equal(t, "magasin", o["canal"])
	require.Equal(t, "3", num(t, o["magasin_id"]))
	after := stockAt(t, magasin, produit)
	require.Equal(t, before.Quantite-3, after.Quantite, "the goods left the store")
	require.Equal(t, before.Reserve, after.Reserve)
	_, garde := refunded(t, sale.answer.CommandeID)
	require.Equal(t, 3*prix, garde)

	t.Run("partial return", func(t *testing.T) {
		r := post(t, "/saga/retour", retour(sale.answer.CommandeID, line(json.Number(produit), 1)))
		require.Equal(t, 201, r.status, r.body)
		require.Equal(t, before.Quantite-2, stockAt(t, magasin, produit).Quantite, "one unit is back in the store")
		rembourse, garde := refunded(t, sale.answer.CommandeID)
		require.Equal(t, prix, rembourse)
		require.Equal(t, 2*prix, garde)
		require.Equal(t, prix, cents(t, order(t, sale.answer.CommandeID)["total_retourne"]))
	})
	t.Run("the rest", func(t *testing.T) {
		r := post(t, "/saga/retour", retour(sale.answer.CommandeID))
		require.Equal(t, 201, r.status, r.body)
		require.Equal(t, before.Quantite, stockAt(t, magasin, produit).Quantite, "everything is back in the store")
		rembourse, garde := refunded(t, sale.answer.CommandeID)
		require.Equal(t, 3*prix, rembourse)
		require.Zero(t, garde)
	})
	t.Run("more than sold is refused", func(t *testing.T) {
		r := post(t, "/saga/retour", retour(sale.answer.CommandeID, line(json.Number(produit), 1)))
		require.True(t, r.status >= 400 && r.status < 500, "status %d, body %s", r.status, r.body)
		require.Equal(t, before.Quantite, stockAt(t, magasin, produit).Quantite)
		rembourse, _ := refunded(t, sale.answer.CommandeID)
		require.Equal(t, 3*prix, rembourse, "nothing refunded beyond what was paid")
	})
	t.Run("returning two of one sold is refused", func(t *testing.T) {
		one := post(t, "/saga/vente", vente(cid, magasin, "comptant", line(json.Number(produit), 1)))
		require.Equal(t, 201, one.status, one.body)
		r := post(t, "/saga/retour", retour(one.answer.CommandeID, line(json.Number(produit), 2)))
		require.True(t, r.status >= 400 && r.status < 500, "status %d, body %s", r.status, r.body)
		require.Equal(t, before.Quantite-1, stockAt(t, magasin, produit).Quantite)
		rembourse, garde := refunded(t, one.answer.CommandeID)
		require.Zero(t, rembourse)
		require.Equal(t, prix, garde)
	})
	checkMoney(t, cid.String())
}

// An online order's return goes back to the centre, where it was served from.
func TestOnlineReturn_RestocksTheCentre(t *testing.T) {
	cid := json.Number(newClient(t))
	pid := newProduct(t, "12.50", 10)
	r := post(t, "/saga/commande", commande(cid, line(json.Number(pid), 4)))
	require.Equal(t, 201, r.status, r.body)
	require.Equal(t, int64(6), stockAt(t, centre, pid).Quantite)
	back := post(t, "/saga/retour", retour(r.answer.CommandeID, line(json.Number(pid), 3)))
	require.Equal(t, 201, back.status, back.body)
	require.Equal(t, int64(9), stockAt(t, centre, pid).Quantite)
	rembourse, garde := refunded(t, r.answer.CommandeID)
	require.Equal(t, int64(3*12_50), rembourse)
	require.Equal(t, int64(12_50), garde)
	checkMoney(t, cid.String())
}

// Head office refunds part of an online order directly (a goodwill gesture);
// the full return that follows still completes, refunding what is left, and
// says how much. It once stayed RESTOCKE behind a 202 on paiement's 409.
func TestOnlineReturn_AfterAGoodwillRefund_RefundsTheRest(t *testing.T) {
	cid := json.Number(newClient(t))
	pid := newProduct(t, "50.00", 4)
	r := post(t, "/saga/commande", commande(cid, line(json.Number(pid), 4)))
	require.Equal(t, 201, r.status, r.body)
	require.Equal(t, "CONFIRMEE", r.answer.Statut)
	pays := paymentsOfOrder(t, r.answer.CommandeID)
	require.Len(t, pays, 1)
	paiement := pays[0]
	require.Equal(t, int64(200_00), cents(t, paiement["montant"]))

	geste := do(t, "POST", "paiement", "/paiements/"+id(t, paiement)+"/remboursements",
		map[string]any{"montant": json.Number("10.00"), "motif": "geste commercial"},
		append(kittest.As(t, kittest.MaisonMere), key()...)...)
	want(t, geste, 201)

	back := post(t, "/saga/retour", retour(r.answer.CommandeID))
	require.Equal(t, 201, back.status, back.body)
	require.Equal(t, "CONFIRMEE", back.answer.Statut)
	require.Equal(t, int64(190_00), cents(t, back.answer.Total), "the return's total is what it refunded")
	require.Equal(t, int64(4), stockAt(t, centre, pid).Quantite, "the goods are back at the centre")
	rembourse, garde := refunded(t, r.answer.CommandeID)
	require.Equal(t, int64(200_00), rembourse, "the order's whole total is back with the client")
	require.Zero(t, garde)
	checkMoney(t, cid.String())
}
