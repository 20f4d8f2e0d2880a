package main

import (
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"multimagasins/kit/kittest"
	"multimagasins/orchestrator/migrations"
)

func start(t *testing.T) (base, dbURL string) {
	t.Helper()
	dbURL = kittest.DB(t, "orchestrator", migrations.FS)
	return kittest.Start(t, run, map[string]string{"DATABASE_URL": dbURL}), dbURL
}

// insertSaga writes a saga and its steps as the engine will, since the engine
// itself does not exist yet.
func insertSaga(t *testing.T, dbURL, statut, motif string, etapes ...string) uuid.UUID {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	id := uuid.New()
	_, err = conn.Exec(ctx, `INSERT INTO sagas (id, type, statut, etape, requete, commande_id, motif)
		VALUES ($1, 'commande', $2, $3, '{"produits":[{"produit_id":1,"quantite":1}]}', $4, $5)`,
		id, statut, etapes[len(etapes)-1], uuid.New(), motif)
	require.NoError(t, err)
	for i, e := range etapes {
		_, err = conn.Exec(ctx, `INSERT INTO saga_etapes (saga_id, n, etape, sens, statut, reponse)
			VALUES ($1, $2, $3, 'action', 'reussie', '{"status":201}')`, id, i+1, e)
		require.NoError(t, err)
	}
	return id
}

func TestSagas_GetReturnsTheStepLogInOrder(t *testing.T) {
	base, dbURL := start(t)
	id := insertSaga(t, dbURL, "CONFIRMEE", "", "creer_commande", "reserver_stock", "payer", "confirmer")

	r := kittest.Do(t, "GET", base+"/saga/"+id.String(), nil)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	var got struct {
		ID      string         `json:"id"`
		Statut  string         `json:"statut"`
		Requete map[string]any `json:"requete"`
		Etapes  []struct {
			N     int    `json:"n"`
			Etape string `json:"etape"`
		} `json:"etapes"`
	}
	r.JSON(t, &got)
	require.Equal(t, id.String(), got.ID)
	require.Equal(t, "CONFIRMEE", got.Statut)
	require.Contains(t, got.Requete, "produits")
	require.Len(t, got.Etapes, 4)
	for i, want := range []string{"creer_commande", "reserver_stock", "payer", "confirmer"} {
		require.Equal(t, i+1, got.Etapes[i].N)
		require.Equal(t, want, got.Etapes[i].Etape)
	}
}

func TestSagas_ListIsPaginatedAndFiltersByStatut(t *testing.T) {
	base, dbURL := start(t)
	insertSaga(t, dbURL, "CONFIRMEE", "", "confirmer")
	insertSaga(t, dbURL, "ANNULEE", "stock insuffisant", "verifier_stock")
	insertSaga(t, dbURL, "ANNULEE", "paiement refusé", "payer")

	all := kittest.Do(t, "GET", base+"/sagas", nil).Map(t)
	require.EqualValues(t, 3, all["total"])
	require.Len(t, all["items"], 3)

	annulees := kittest.Do(t, "GET", base+"/sagas?statut=ANNULEE&limit=1&offset=1", nil).Map(t)
	require.EqualValues(t, 2, annulees["total"])
	items := annulees["items"].([]any)
	require.Len(t, items, 1)
	require.Equal(t, "ANNULEE", items[0].(map[string]any)["statut"])

	empty := kittest.Do(t, "GET", base+"/sagas?statut=PAYEE", nil).Map(t)
	require.EqualValues(t, 0, empty["total"])
	require.Equal(t, []any{}, empty["items"])
}

func TestSagas_BadInputIsAProblem(t *testing.T) {
	base, _ := start(t)
	cases := []struct {
		name, path string
		status     int
		field      string
	}{
		{"unknown saga", "/saga/" + uuid.NewString(), 404, "path.id"},
		{"id not a uuid", "/saga/abc", 422, "path.id"},
		{"unknown statut", "/sagas?statut=PERDUE", 422, "query.statut"},
		{"limit zero", "/sagas?limit=0", 422, "query.limit"},
		{"negative offset", "/sagas?offset=-1", 422, "query.offset"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			kittest.RequireProblem(t, kittest.Do(t, "GET", base+c.path, nil), c.status, c.field)
		})
	}
}

func TestRun_RejectsAParticipantURLThatIsNotOne(t *testing.T) {
	env := map[string]string{"DATABASE_URL": "postgres://orchestrator@127.0.0.1:1/x", "STOCK_URL": "stock:8007"}
	err := run(context.Background(), nil, func(k string) string { return env[k] }, io.Discard)
	require.ErrorContains(t, err, "STOCK_URL")
}
