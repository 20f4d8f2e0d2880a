package main

import (
	"net/http"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"multimagasins/kit/kittest"
)

// The access table: every route of /openapi.json by every kind of caller,
// from its own x-acces (kittest.RequireAccess). The refusals come before the
// body is read, so nothing reaches a participant and no saga is stored.
func TestAccess_EveryRouteByEveryRole(t *testing.T) {
	f := start(t)
	kittest.RequireAccess(t, f.base, map[string]string{"id": uuid.NewString()}, f.nothingHappened)
}

// The rule of each route, as the plan of the identity issue and docs/saga.md say.
func TestAccess_TheRulesAreThePlans(t *testing.T) {
	f := start(t)
	got := map[string][]string{}
	for _, r := range kittest.Routes(t, f.base) {
		got[r.String()] = r.Grants
	}
	require.Equal(t, map[string][]string{
		"POST /saga/commande":  {"public"},
		"POST /saga/commande/": {"public"},
		"POST /commande":       {"client"},
		"POST /saga/vente":     {"caissier"},
		"POST /saga/retour":    {"caissier"},
		"GET /sagas":           {"maison_mere", "service"},
		"GET /saga/{id}":       {"public"},
	}, got)
}

// nothingHappened: no participant was called and no saga stored.
func (f fixture) nothingHappened(t *testing.T) {
	t.Helper()
	require.Empty(t, f.fleet.Calls(), "a participant was called")
	require.EqualValues(t, 0, kittest.Do(t, "GET", f.base+"/sagas", nil).Map(t)["total"], "a saga was stored")
}

func (f fixture) refused(t *testing.T, method, path string, body any, status int, headers ...string) {
	t.Helper()
	kittest.RequireProblem(t, kittest.Do(t, method, f.base+path, body, headers...), status, "")
}

func TestAccess_TheSeedsGuestCheckoutNeedsNoToken(t *testing.T) {
	f := start(t)
	got := f.post(t, "/saga/commande/", produits([2]int{1, 1}, [2]int{2, 1}), http.StatusCreated, kittest.Anonymous...)
	require.Equal(t, []string{"CREEE", "STOCK_VERIFIE", "STOCK_RESERVE", "PAYEE", "CONFIRMEE"}, got.etats())
	short := f.post(t, "/saga/commande/", produits([2]int{2, 999}), http.StatusConflict, kittest.Anonymous...)
	require.Equal(t, []string{"CREEE", "ANNULEE"}, short.etats())
	refused := f.post(t, "/saga/commande/", produits([2]int{4, 10}), http.StatusPaymentRequired, kittest.Anonymous...)
	require.Equal(t, []string{"CREEE", "STOCK_VERIFIE", "STOCK_RESERVE", "ANNULEE"}, refused.etats())

	// The guest's order is the guest client's, and its saga anyone's who holds its id.
	require.Equal(t, int64(1), f.fleet.Client(uuid.MustParse(got.CommandeID)))
	r := kittest.Do(t, "GET", f.base+"/saga/"+got.SagaID, nil, kittest.Anonymous...)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	// Only an invalid token is refused on a public route.
	f.refused(t, "POST", "/saga/commande/", produits([2]int{1, 1}), http.StatusUnauthorized, "Authorization", "Bearer pas.un.jeton")
}

func TestAccess_AClientIDNeedsATokenForThatClient(t *testing.T) {
	f := start(t)
	body := map[string]any{"client_id": 2, "produits": []any{map[string]int{"produit_id": 1, "quantite": 1}}}
	f.refused(t, "POST", "/saga/commande", body, http.StatusUnauthorized, kittest.Anonymous...)
	// Even the guest's own id: naming a client is acting for it.
	f.refused(t, "POST", "/saga/commande/", map[string]any{"client_id": 1,
		"produits": []any{map[string]int{"produit_id": 1, "quantite": 1}}}, http.StatusUnauthorized, kittest.Anonymous...)
	f.refused(t, "POST", "/saga/commande", body, http.StatusForbidden, kittest.As(t, kittest.Client(7))...)
	f.refused(t, "POST", "/saga/commande", body, http.StatusForbidden, caissier(t, 1)...)
	// Refused before the client, the catalogue or the stock is asked anything.
	f.nothingHappened(t)

	got := f.post(t, "/saga/commande", body, http.StatusCreated, client2(t)...)
	require.Equal(t, int64(2), f.fleet.Client(uuid.MustParse(got.CommandeID)))
	// The chain's roles act for any client (the web app's staff, the services).
	f.post(t, "/saga/commande", body, http.StatusCreated)
}

func TestAccess_AClientTokenWithNoClientIDChecksOutAsItsClient(t *testing.T) {
	f := start(t)
	got := f.post(t, "/saga/commande", produits([2]int{1, 1}), http.StatusCreated, client2(t)...)
	require.Equal(t, int64(2), f.fleet.Client(uuid.MustParse(got.CommandeID)), "not the guest")
	// So its saga is client 2's, not anyone's.
	f.refused(t, "GET", "/saga/"+got.SagaID, nil, http.StatusUnauthorized, kittest.Anonymous...)
	// A client the clients service does not know is refused as a named one is.
	kittest.RequireProblem(t, kittest.Do(t, "POST", f.base+"/saga/commande", produits([2]int{1, 1}),
		kittest.As(t, kittest.Client(42))...), http.StatusUnprocessableEntity, "body.client_id")
}

func TestAccess_OnlyTheClientChecksItsCartOut(t *testing.T) {
	f := start(t)
	f.fleet.SetPanier(8, map[int64]int{1: 1})
	body := map[string]any{"client_id": 8}
	f.refused(t, "POST", "/commande", body, http.StatusUnauthorized, kittest.Anonymous...)
	f.refused(t, "POST", "/commande", body, http.StatusForbidden, kittest.As(t, kittest.Client(7))...)
	f.refused(t, "POST", "/commande", body, http.StatusForbidden) // the Staff token: no client role
	f.refused(t, "POST", "/commande", body, http.StatusForbidden, caissier(t, 1)...)
	f.nothingHappened(t)
	require.Equal(t, 1, f.fleet.Panier(8), "the cart is untouched")
}

func TestAccess_ACounterSaleNeedsACaissierOfThatStore(t *testing.T) {
	f := start(t)
	body := map[string]any{"magasin_id": 2, "methode": "comptant", "produits": []any{map[string]int{"produit_id": 1, "quantite": 1}}}
	f.refused(t, "POST", "/saga/vente", body, http.StatusUnauthorized, kittest.Anonymous...)
	f.refused(t, "POST", "/saga/vente", body, http.StatusForbidden, caissier(t, 1)...)
	f.refused(t, "POST", "/saga/vente", body, http.StatusForbidden, client2(t)...)
	f.refused(t, "POST", "/saga/vente", body, http.StatusForbidden, kittest.As(t, kittest.MaisonMere)...)
	f.nothingHappened(t)
	require.Equal(t, 50, f.fleet.Disponible(2, 1))

	sale := f.post(t, "/saga/vente", body, http.StatusCreated, caissier(t, 2)...)
	require.Equal(t, 49, f.fleet.Disponible(2, 1))
	// Its saga is store 2's.
	require.Equal(t, http.StatusOK, kittest.Do(t, "GET", f.base+"/saga/"+sale.SagaID, nil, caissier(t, 2)...).Status)
	f.refused(t, "GET", "/saga/"+sale.SagaID, nil, http.StatusForbidden, caissier(t, 1)...)
	f.refused(t, "GET", "/saga/"+sale.SagaID, nil, http.StatusUnauthorized, kittest.Anonymous...)
}

func TestAccess_AReturnIsTakenByTheStoreItGoesBackTo(t *testing.T) {
	f := start(t)
	vente := map[string]any{"magasin_id": 2, "methode": "comptant", "produits": []any{map[string]int{"produit_id": 1, "quantite": 2}}}
	sale := f.post(t, "/saga/vente", vente, http.StatusCreated, caissier(t, 2)...)
	before := len(f.fleet.Calls())
	retour := map[string]any{"commande_id": sale.CommandeID, "lignes": []any{map[string]int{"produit_id": 1, "quantite": 1}}}

	// A counter sale comes back to its own store only.
	f.refused(t, "POST", "/saga/retour", retour, http.StatusUnauthorized, kittest.Anonymous...)
	f.refused(t, "POST", "/saga/retour", retour, http.StatusForbidden, client2(t)...)
	f.refused(t, "POST", "/saga/retour", retour, http.StatusForbidden) // the Staff token: no caissier role
	f.refused(t, "POST", "/saga/retour", retour, http.StatusForbidden, caissier(t, 1)...)
	// Store 1 was refused once the order was read, and before anything else.
	var after []string
	for _, c := range f.fleet.Calls()[before:] {
		after = append(after, c.Route)
	}
	require.Equal(t, []string{"GET /commande/{id}"}, after)
	require.Equal(t, 48, f.fleet.Disponible(2, 1))

	back := f.post(t, "/saga/retour", retour, http.StatusCreated, caissier(t, 2)...)
	require.Equal(t, 49, f.fleet.Disponible(2, 1))
	f.refused(t, "GET", "/saga/"+back.SagaID, nil, http.StatusForbidden, caissier(t, 1)...)

	// An online order goes back to the centre, whichever counter takes it, and
	// that store reads its saga.
	online := f.post(t, "/saga/commande", produits([2]int{1, 1}), http.StatusCreated, client2(t)...)
	rendu := f.post(t, "/saga/retour", map[string]any{"commande_id": online.CommandeID}, http.StatusCreated, caissier(t, 4)...)
	require.Equal(t, 50, f.fleet.Disponible(6, 1))
	for _, who := range [][]string{caissier(t, 4), client2(t), kittest.As(t, kittest.MaisonMere)} {
		require.Equal(t, http.StatusOK, kittest.Do(t, "GET", f.base+"/saga/"+rendu.SagaID, nil, who...).Status)
	}
	f.refused(t, "GET", "/saga/"+rendu.SagaID, nil, http.StatusForbidden, caissier(t, 3)...)
	f.refused(t, "GET", "/saga/"+rendu.SagaID, nil, http.StatusForbidden, kittest.As(t, kittest.Client(7))...)
}

func TestAccess_ASagaIsReadByItsOwners(t *testing.T) {
	f := start(t)
	mine := f.post(t, "/saga/commande", produits([2]int{1, 1}), http.StatusCreated, client2(t)...)
	path := "/saga/" + mine.SagaID
	f.refused(t, "GET", path, nil, http.StatusUnauthorized, kittest.Anonymous...)
	f.refused(t, "GET", path, nil, http.StatusForbidden, kittest.As(t, kittest.Client(7))...)
	f.refused(t, "GET", path, nil, http.StatusForbidden, caissier(t, 1)...)
	for _, who := range [][]string{client2(t), kittest.As(t, kittest.MaisonMere), kittest.As(t, kittest.Logistique),
		kittest.As(t, kittest.ServicePrincipal)} {
		require.Equal(t, http.StatusOK, kittest.Do(t, "GET", f.base+path, nil, who...).Status)
	}
	// An unknown id is a 404 to anyone: it names nobody's saga.
	kittest.RequireProblem(t, kittest.Do(t, "GET", f.base+"/saga/"+uuid.NewString(), nil, kittest.Anonymous...),
		http.StatusNotFound, "path.id")
	// The list is the chain's.
	f.refused(t, "GET", "/sagas", nil, http.StatusForbidden, client2(t)...)
	f.refused(t, "GET", "/sagas", nil, http.StatusForbidden, caissier(t, 1)...)
	f.refused(t, "GET", "/sagas", nil, http.StatusUnauthorized, kittest.Anonymous...)
}

// A key is answered only to a caller who may read its saga: another client
// repeating it learns nothing, not even whether the body was the same.
func TestAccess_AnIdempotencyKeyIsNoWayIntoAnothersSaga(t *testing.T) {
	f := start(t)
	body := produits([2]int{1, 1})
	mine := f.post(t, "/saga/commande", body, http.StatusCreated, append(client2(t), "Idempotency-Key", "k-client")...)
	orders := f.fleet.Commandes()
	f.refused(t, "POST", "/saga/commande", body, http.StatusForbidden, append(kittest.As(t, kittest.Client(7)), "Idempotency-Key", "k-client")...)
	f.refused(t, "POST", "/saga/commande", produits([2]int{2, 1}), http.StatusForbidden,
		append(kittest.As(t, kittest.Client(7)), "Idempotency-Key", "k-client")...)
	f.refused(t, "POST", "/saga/commande", body, http.StatusUnauthorized, "Idempotency-Key", "k-client", "Authorization", "")
	require.Equal(t, orders, f.fleet.Commandes(), "no second order")
	again := f.post(t, "/saga/commande", body, http.StatusCreated, append(client2(t), "Idempotency-Key", "k-client")...)
	require.Equal(t, mine.SagaID, again.SagaID)

	// A return's key, repeated by another store's caissier.
	online := f.post(t, "/saga/commande", produits([2]int{1, 2}), http.StatusCreated, client2(t)...)
	retour := map[string]any{"commande_id": online.CommandeID, "lignes": []any{map[string]int{"produit_id": 1, "quantite": 1}}}
	back := f.post(t, "/saga/retour", retour, http.StatusCreated, append(caissier(t, 3), "Idempotency-Key", "k-retour")...)
	f.refused(t, "POST", "/saga/retour", retour, http.StatusForbidden, append(caissier(t, 4), "Idempotency-Key", "k-retour")...)
	require.Equal(t, back.SagaID, f.post(t, "/saga/retour", retour, http.StatusCreated,
		append(caissier(t, 3), "Idempotency-Key", "k-retour")...).SagaID)
	require.Len(t, f.fleet.Paiements()[1:], 1)
	require.Equal(t, f.fleet.Paiements()[1].Montant/2, f.fleet.Paiements()[1].Rembourse, "refunded once")

	// A guest's key is as open as the guest's saga.
	guest := f.post(t, "/saga/commande/", body, http.StatusCreated, "Idempotency-Key", "k-invite", "Authorization", "")
	require.Equal(t, guest.SagaID, f.post(t, "/saga/commande/", body, http.StatusCreated, "Idempotency-Key", "k-invite",
		"Authorization", "").SagaID)
}
