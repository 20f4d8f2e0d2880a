package main

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"multimagasins/kit/kittest"
	"multimagasins/orchestrator/internal/fakes"
	"multimagasins/orchestrator/migrations"
)

// startWith runs the orchestrator as start does, with env on top.
func startWith(t *testing.T, env map[string]string) fixture {
	t.Helper()
	fleet := fakes.New(t)
	vars := map[string]string{"DATABASE_URL": kittest.DB(t, "orchestrator", migrations.FS), "STEP_TIMEOUT": "250ms",
		"STOCK_URL": fleet.URL, "COMMANDE_URL": fleet.URL, "PAIEMENT_URL": fleet.URL, "PANIER_URL": fleet.URL,
		"CLIENTS_URL": fleet.URL}
	for k, v := range env {
		vars[k] = v
	}
	return fixture{base: kittest.Start(t, run, vars), fleet: fleet}
}

// eventually polls cond until it holds or d has passed.
func eventually(t *testing.T, d time.Duration, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		ok, why := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %s", d, why)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// A saga that started and cannot finish within the request answers 202 with
// where and when to look, never 503; the client polls Location until the
// saga is over. A repeat of its key says the same.
func TestCommande_NotOverWithinTheRequestAnswers202AndLocation(t *testing.T) {
	f := startWith(t, map[string]string{"RECOVERY_INTERVAL": "200ms"})
	f.fleet.Fault("POST /reservations/{cle}/confirmation", &fakes.Fault{Fail: 1 << 20})
	body := produits([2]int{1, 1})
	r := kittest.Do(t, "POST", f.base+"/saga/commande/", body, "Idempotency-Key", "k-202")
	require.Equal(t, http.StatusAccepted, r.Status, string(r.Body))
	var got reponse
	r.JSON(t, &got)
	require.Equal(t, "PAYEE", got.Statut, "paid: it can only go forward")
	require.False(t, got.Termine)
	require.Equal(t, "/saga/"+got.SagaID, r.Header.Get("Location"))
	after, err := strconv.Atoi(r.Header.Get("Retry-After"))
	require.NoError(t, err, r.Header.Get("Retry-After"))
	require.Equal(t, 1, after, "the worker's next pass, in whole seconds")

	again := kittest.Do(t, "POST", f.base+"/saga/commande/", body, "Idempotency-Key", "k-202")
	require.Equal(t, http.StatusAccepted, again.Status, string(again.Body))
	require.Equal(t, r.Header.Get("Location"), again.Header.Get("Location"))

	j := f.saga(t, got.SagaID)
	require.False(t, j.Termine)

	f.fleet.Fault("POST /reservations/{cle}/confirmation", nil) // stock is back
	eventually(t, 10*time.Second, func() (bool, string) {
		j = f.saga(t, got.SagaID)
		return j.Termine, "saga " + j.Statut
	})
	require.Equal(t, "CONFIRMEE", j.Statut)
	require.Len(t, f.fleet.Paiements(), 1)
	done := f.post(t, "/saga/commande/", body, http.StatusCreated, "Idempotency-Key", "k-202")
	require.Equal(t, got.SagaID, done.SagaID)
}

// The web app sends a one-time key with each cart checkout: a double submit
// or a retry returns the same saga, never a second order or charge.
func TestPanier_IdempotencyKeyBuysOnce(t *testing.T) {
	f := start(t)
	f.fleet.SetPanier(2, map[int64]int{1: 2})
	key := uuid.NewString()
	first := f.post(t, "/commande", map[string]any{"client_id": 2}, http.StatusCreated, append(client2(t), "Idempotency-Key", key)...)
	require.Equal(t, "CONFIRMEE", first.Statut)
	require.Equal(t, 0, f.fleet.Panier(2))

	// The cart is empty now: without the key a repeat would be refused as an
	// empty cart (422); with it, it is the first answer again.
	again := f.post(t, "/commande", map[string]any{"client_id": 2}, http.StatusCreated, append(client2(t), "Idempotency-Key", key)...)
	require.Equal(t, first.SagaID, again.SagaID)
	require.Equal(t, first.CommandeID, again.CommandeID)
	require.Equal(t, 1, f.fleet.Commandes())
	require.Len(t, f.fleet.Paiements(), 1)

	// Filled again, a new checkout needs a new key.
	f.fleet.SetPanier(2, map[int64]int{2: 1})
	other := f.post(t, "/commande", map[string]any{"client_id": 2}, http.StatusCreated, append(client2(t), "Idempotency-Key", uuid.NewString())...)
	require.NotEqual(t, first.SagaID, other.SagaID)
	require.Equal(t, 2, f.fleet.Commandes())
}

// Head office sees the sagas recovery cannot move: a refund refused after
// the pivot becomes à vérifier after N passes, is listed with its reason and
// counted by the gauge; once paiement accepts, it finishes and leaves the list.
func TestAVerifier_ListedForHeadOfficeAndCountedThenFinished(t *testing.T) {
	f := startWith(t, map[string]string{"RECOVERY_INTERVAL": "50ms", "SAGA_A_VERIFIER_APRES": "3", "SAGA_REPRISE_MAX": "200ms"})
	sale := f.post(t, "/saga/commande", produits([2]int{1, 2}), http.StatusCreated)
	f.fleet.Fault("POST /paiements/{id}/remboursements", &fakes.Fault{Fail: 1 << 20, Status: http.StatusConflict})
	ret := f.post(t, "/saga/retour", map[string]any{"commande_id": sale.CommandeID}, http.StatusAccepted, caissier(t, 3)...)
	require.Equal(t, "RESTOCKE", ret.Statut)

	head := kittest.As(t, kittest.MaisonMere)
	var item map[string]any
	eventually(t, 10*time.Second, func() (bool, string) {
		page := kittest.Do(t, "GET", f.base+"/sagas?a_verifier=true", nil, head...).Map(t)
		items := page["items"].([]any)
		if len(items) == 0 {
			return false, "not listed yet"
		}
		item = items[0].(map[string]any)
		return true, ""
	})
	require.Equal(t, ret.SagaID, item["saga_id"])
	require.Equal(t, true, item["a_verifier"])
	require.NotNil(t, item["a_verifier_depuis"])
	require.EqualValues(t, 202, item["reponse_http"])
	require.Equal(t, "en_cours", item["phase"])
	require.Equal(t, "rembourser", item["etape_en_attente"])
	require.Equal(t, "rembourser", item["etape_atteinte"])
	require.GreaterOrEqual(t, item["reprises"], 3.0)
	require.Contains(t, item["derniere_erreur"], "rembourser")
	require.Contains(t, item["derniere_erreur"], "409")
	for _, gone := range []string{"http_status", "etape"} {
		require.NotContains(t, item, gone, "renamed: it did not say what it meant")
	}
	metrics := string(kittest.Do(t, "GET", f.base+"/metrics", nil).Body)
	require.Contains(t, metrics, `saga_a_verifier{type="retour"} 1`)
	require.Contains(t, metrics, `saga_a_verifier{type="commande"} 0`)
	require.Contains(t, metrics, `saga_a_verifier_total{type="retour"} 1`)
	// Only head office and the services list them.
	kittest.RequireProblem(t, kittest.Do(t, "GET", f.base+"/sagas?a_verifier=true", nil, caissier(t, 3)...), http.StatusForbidden, "")

	f.fleet.Fault("POST /paiements/{id}/remboursements", nil) // sorted out with paiement
	eventually(t, 10*time.Second, func() (bool, string) {
		j := f.saga(t, ret.SagaID)
		return j.Termine, "saga " + j.Statut
	})
	require.Equal(t, "CONFIRMEE", f.saga(t, ret.SagaID).Statut)
	require.EqualValues(t, 0, kittest.Do(t, "GET", f.base+"/sagas?a_verifier=true", nil, head...).Map(t)["total"])
	require.True(t, strings.Contains(string(kittest.Do(t, "GET", f.base+"/metrics", nil).Body), `saga_a_verifier{type="retour"} 0`))
	p := f.fleet.Paiements()[0]
	require.Equal(t, p.Montant, p.Rembourse)
}

// A saga refused at payment says how far it went (payer), apart from the
// step it compensated; once over it waits on nothing.
func TestSagas_ListSaysTheStepReachedApartFromTheOneCompensated(t *testing.T) {
	f := start(t)
	refused := f.post(t, "/saga/commande", produits([2]int{4, 10}), http.StatusPaymentRequired)
	items := kittest.Do(t, "GET", f.base+"/sagas", nil).Map(t)["items"].([]any)
	require.Len(t, items, 1)
	item := items[0].(map[string]any)
	require.Equal(t, refused.SagaID, item["saga_id"])
	require.Equal(t, "payer", item["etape_atteinte"])
	require.Nil(t, item["etape_en_attente"])
	require.EqualValues(t, 402, item["reponse_http"])
	require.Equal(t, "terminee", item["phase"])
	require.Equal(t, false, item["a_verifier"])
	require.Nil(t, item["prochaine_reprise"])
	require.Contains(t, item["derniere_erreur"], "action payer")
}
