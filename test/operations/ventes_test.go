package operations

import (
	"fmt"
	"net/url"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// A store sells, takes a return and reads its own shelf, filtered.
func TestStore_SellsTakesAReturnAndSeesItsStock(t *testing.T) {
	const magasin, prix = 2, int64(12_50)
	p := newProduct(t, prix, 100)
	supply(t, magasin, p, 30)
	client := newClient(t)

	sale := sell(t, client, magasin, line(p, 4))
	require.Equal(t, 4*prix, cents(t, sale.Total))
	o := order(t, sale.CommandeID)
	require.Equal(t, "magasin", o["canal"])
	require.Equal(t, strconv.Itoa(magasin), num(t, o["magasin_id"]))
	require.Equal(t, int64(26), stockAt(t, magasin, p).Quantite)

	giveBack(t, sale.CommandeID, line(p, 1))
	s := stockAt(t, magasin, p)
	require.Equal(t, niveau{Quantite: 27, Disponible: 27, Seuil: 0, found: true}, s, "one unit back on the shelf")
	require.Equal(t, prix, cents(t, order(t, sale.CommandeID)["total_retourne"]))

	byLevel := func(niveau string) bool {
		page := want(t, do(t, "GET", "stock", fmt.Sprintf("/magasins/%d/stock?niveau=%s&q=%s", magasin, niveau, url.QueryEscape(p.Nom)), nil), 200)
		for _, it := range items(t, page) {
			require.Equal(t, p.ID, num(t, it["produit_id"]), "q narrows to the product")
			return true
		}
		return false
	}
	require.False(t, byLevel("bas"), "27 is not below a threshold of 0")
	require.False(t, byLevel("rupture"), "27 is more than 5")
	require.False(t, byLevel("surplus"), "27 is less than 100")
	setSeuil(t, magasin, p, 50)
	require.True(t, byLevel("bas"), "27 is below 50")
	require.Equal(t, int64(50), stockAt(t, magasin, p).Seuil)

	// The centre's view of the same product, and its filters.
	centreByLevel := func(niveau string) bool {
		page := want(t, do(t, "GET", "stock", "/logistique/stock?niveau="+niveau+"&q="+url.QueryEscape(p.Nom), nil), 200)
		return len(items(t, page)) == 1
	}
	require.False(t, centreByLevel("surplus"), "70 at the centre")
	require.True(t, centreByLevel("bas") == (70 < stockAt(t, centre, p).Seuil))

	// The ledger says who moved what and why.
	ledger := mouvements(t, p, url.Values{"emplacement_id": {strconv.Itoa(magasin)}})
	types := map[string]int{}
	for _, m := range ledger {
		types[m["type"].(string)]++
		require.NotEmpty(t, m["acteur"], "%v", m)
	}
	require.Equal(t, 1, types["vente"], "%v", ledger)
	require.Equal(t, 1, types["retour"], "%v", ledger)
	require.Equal(t, 1, types["transfert"], "%v", ledger)
	for _, m := range ledger {
		if m["type"] == "vente" {
			ref := m["reference"].(string)
			require.NotEmpty(t, ref, "a sale's row names its reservation")
			ventes := mouvements(t, p, url.Values{"reference": {ref}})
			require.NotEmpty(t, ventes, "reference= filters the ledger")
			for _, v := range ventes {
				require.Equal(t, ref, v["reference"])
			}
		}
	}
}

// An inactive product can be neither sold nor put in a cart.
func TestInactiveProduct_CannotBeSoldOrAddedToACart(t *testing.T) {
	const magasin, prix = 1, int64(6_00)
	p := newProduct(t, prix, 50)
	supply(t, magasin, p, 10)
	want(t, do(t, "PUT", "stock", "/produits/"+p.ID,
		map[string]any{"nom": p.Nom, "categorie": "Opérations", "prix": money(prix), "actif": false}), 200)

	client := newClient(t)
	a, err := sagaPost(t.Context(), "/saga/vente", venteBody(client, magasin, "comptant", line(p, 1)))
	require.NoError(t, err)
	require.True(t, a.status >= 400 && a.status < 500, "selling an inactive product: %d %s", a.status, a.body)
	require.Empty(t, all(t, "commande", "/commandes", url.Values{"client_id": {client.String()}}), "no order was made")
	require.Equal(t, int64(10), stockAt(t, magasin, p).Quantite)

	r := do(t, "POST", "panier-1", "/panier", map[string]any{"client_id": client, "produit_id": p.n(), "quantite": 1})
	require.Equal(t, 422, r.Status, "%s", r.Body)
	requireProblem(t, r, "cart with an inactive product")
	cart := want(t, do(t, "GET", "panier-2", "/panier/"+client.String(), nil), 200)
	require.Empty(t, cart["lignes"])
}

// A new price applies to new sales only; an order keeps the prices it was sold at.
func TestPriceChange_LeavesExistingOrdersAlone(t *testing.T) {
	const magasin = 4
	p := newProduct(t, 10_00, 50)
	supply(t, magasin, p, 20)
	client := newClient(t)
	before := sell(t, client, magasin, line(p, 2))

	want(t, do(t, "PUT", "stock", "/produits/"+p.ID, map[string]any{"nom": p.Nom, "categorie": "Opérations", "prix": money(15_00)}), 200)

	o := order(t, before.CommandeID)
	require.Equal(t, int64(20_00), cents(t, o["total"]))
	l := o["lignes"].([]any)[0].(map[string]any)
	require.Equal(t, int64(10_00), cents(t, l["prix_unitaire"]))

	after := sell(t, client, magasin, line(p, 2))
	require.Equal(t, int64(30_00), cents(t, after.Total), "a new sale takes the new price")

	giveBack(t, before.CommandeID, line(p, 1))
	require.Equal(t, int64(10_00), cents(t, order(t, before.CommandeID)["total_retourne"]), "a return is priced at the sale's price")
}
