package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"multimagasins/kit/kittest"
)

// recorded is an order as a saga hands it over once it has ended.
func recorded(id string, etats ...string) map[string]any {
	b := enLigne(1)
	b["id"] = id
	at := time.Now().UTC().Add(-time.Second)
	var h []map[string]any
	for i, s := range etats {
		e := map[string]any{"statut": s, "at": at.Add(time.Duration(i) * time.Millisecond).Format(time.RFC3339Nano)}
		if s == "ANNULEE" {
			e["motif"] = "paiement refusé: plafond"
		}
		h = append(h, e)
	}
	b["historique"] = h
	return b
}

func TestCommande_RecordedHistoryKeepsEveryStateAndItsTime(t *testing.T) {
	base, dbURL := start(t)
	id := uuid.NewString()
	body := recorded(id, "CREEE", "STOCK_VERIFIE", "STOCK_RESERVE", "PAYEE", "CONFIRMEE")
	c := create(t, base, body, "Idempotency-Key", "saga-1:enregistrer_commande")
	require.Equal(t, "CONFIRMEE", c["statut"])
	require.Equal(t, []string{"CREEE", "STOCK_VERIFIE", "STOCK_RESERVE", "PAYEE", "CONFIRMEE"}, historique(t, c))

	got := kittest.Do(t, "GET", base+"/commande/"+id, nil).Map(t)
	require.Equal(t, c["historique"], got["historique"], "the times sent are the times kept")
	require.Equal(t, c["cree_le"], got["cree_le"])
	first := body["historique"].([]map[string]any)[0]["at"].(string)
	at, err := time.Parse(time.RFC3339Nano, got["cree_le"].(string))
	require.NoError(t, err)
	want, _ := time.Parse(time.RFC3339Nano, first)
	require.True(t, at.Equal(want.Truncate(time.Microsecond)), "the order was created when the saga entered CREEE")

	// The saga's retry after a crash: same states, other times; the first answer.
	again := recorded(id, "CREEE", "STOCK_VERIFIE", "STOCK_RESERVE", "PAYEE", "CONFIRMEE")
	require.Equal(t, c, create(t, base, again, "Idempotency-Key", "saga-1:enregistrer_commande"))
	require.Equal(t, 1, rows(t, dbURL)["commandes"])

	// A confirmed sale joins the reports at once.
	conn, err := pgx.Connect(context.Background(), dbURL)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	var vente int
	require.NoError(t, conn.QueryRow(context.Background(),
		`SELECT count(*) FROM commande_lignes WHERE commande_id = $1 AND vente_le IS NOT NULL`, id).Scan(&vente))
	require.Equal(t, 2, vente)
}

func TestCommande_RecordedCancellationKeepsItsMotif(t *testing.T) {
	base, _ := start(t)
	id := uuid.NewString()
	c := create(t, base, recorded(id, "CREEE", "STOCK_VERIFIE", "STOCK_RESERVE", "ANNULEE"), "Idempotency-Key", "saga-2:enregistrer_commande")
	require.Equal(t, "ANNULEE", c["statut"])
	h := c["historique"].([]any)
	require.Equal(t, "paiement refusé: plafond", h[3].(map[string]any)["motif"])
	// ANNULEE is final: nothing moves it on.
	kittest.RequireProblem(t, transition(t, base, id, "CONFIRMEE", "", "k"), http.StatusConflict, "body.statut")
}

func TestCommande_RecordedHistoryFollowsTheStateMachine(t *testing.T) {
	base, dbURL := start(t)
	before := rows(t, dbURL)
	future := recorded(uuid.NewString(), "CREEE", "ANNULEE")
	future["historique"].([]map[string]any)[1]["at"] = time.Now().Add(time.Hour).Format(time.RFC3339)
	backwards := recorded(uuid.NewString(), "CREEE", "STOCK_VERIFIE")
	backwards["historique"].([]map[string]any)[1]["at"] = time.Now().Add(-time.Hour).Format(time.RFC3339)
	noMotif := recorded(uuid.NewString(), "CREEE", "ANNULEE")
	delete(noMotif["historique"].([]map[string]any)[1], "motif")
	cases := []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"skips a state", recorded(uuid.NewString(), "CREEE", "PAYEE", "CONFIRMEE"), "body.historique[1].statut"},
		{"does not start at CREEE", recorded(uuid.NewString(), "STOCK_VERIFIE", "STOCK_RESERVE"), "body.historique[0].statut"},
		{"leaves a final state", recorded(uuid.NewString(), "CREEE", "ANNULEE", "STOCK_VERIFIE"), "body.historique[2].statut"},
		{"cancels after the pivot", recorded(uuid.NewString(), "CREEE", "STOCK_VERIFIE", "STOCK_RESERVE", "PAYEE", "ANNULEE"), "body.historique[4].statut"},
		{"unknown state", recorded(uuid.NewString(), "CREEE", "PERDUE"), "body.historique[1].statut"},
		{"in the future", future, "body.historique[1].at"},
		{"time goes back", backwards, "body.historique[1].at"},
		{"cancelled without a motif", noMotif, "body.historique[1].motif"},
	}
	for _, c := range cases {
		// A key has no spaces (kit.IdempotencyKey).
		r := kittest.Do(t, "POST", base+"/commandes", c.body, "Idempotency-Key", "k-"+strings.ReplaceAll(c.name, " ", "-"))
		kittest.RequireProblem(t, r, http.StatusUnprocessableEntity, c.field)
	}
	require.Equal(t, before, rows(t, dbURL), "a refused record writes nothing")
}
