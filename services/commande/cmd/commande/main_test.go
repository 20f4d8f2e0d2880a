package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"multimagasins/commande/internal/commande"
	"multimagasins/commande/migrations"
	"multimagasins/kit/kittest"
)

func start(t *testing.T) (base, dbURL string) {
	t.Helper()
	t.Parallel()
	return serve(t)
}

// serve is start for a test that cannot run in parallel (a fuzz target).
func serve(t testing.TB) (base, dbURL string) {
	t.Helper()
	dbURL = kittest.DB(t, "commande", migrations.FS)
	return kittest.Start(t, run, map[string]string{"DATABASE_URL": dbURL}), dbURL
}

func enLigne(client int, lignes ...map[string]any) map[string]any {
	if len(lignes) == 0 {
		lignes = []map[string]any{
			{"produit_id": 1, "quantite": 2, "prix_unitaire": 19.99},
			{"produit_id": 2, "quantite": 1, "prix_unitaire": 5},
		}
	}
	return map[string]any{"client_id": client, "canal": "en_ligne", "lignes": lignes}
}

func auComptoir(client, magasin int) map[string]any {
	b := enLigne(client)
	b["canal"], b["magasin_id"] = "magasin", magasin
	return b
}

func create(t *testing.T, base string, body any, headers ...string) map[string]any {
	t.Helper()
	r := kittest.Do(t, "POST", base+"/commandes", body, headers...)
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	return r.Map(t)
}

func transition(t *testing.T, base, id, statut, motif, cle string) kittest.Response {
	t.Helper()
	r, err := kittest.Send(transitionRequest(t, base, id, statut, motif, cle))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// transitionRequest is transition built on the test goroutine, to send from another.
func transitionRequest(t *testing.T, base, id, statut, motif, cle string) *http.Request {
	t.Helper()
	body := map[string]any{"statut": statut}
	if motif != "" {
		body["motif"] = motif
	}
	return kittest.Request(t, "POST", base+"/commande/"+id+"/transitions", body, "Idempotency-Key", cle)
}

func historique(t *testing.T, order map[string]any) []string {
	t.Helper()
	var out []string
	for _, e := range order["historique"].([]any) {
		out = append(out, e.(map[string]any)["statut"].(string))
	}
	return out
}

// rows counts every table, so a test can prove a refused request wrote nothing.
func rows(t *testing.T, dbURL string) map[string]int {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	out := map[string]int{}
	for _, table := range []string{"commandes", "commande_lignes", "commande_historique", "idempotence"} {
		var n int
		require.NoError(t, conn.QueryRow(ctx, `SELECT count(*) FROM `+table).Scan(&n))
		out[table] = n
	}
	return out
}

func exec(t *testing.T, dbURL, sql string, args ...any) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql, args...)
	require.NoError(t, err)
}

func TestCommande_CreateThenFullPathToConfirmee(t *testing.T) {
	base, _ := start(t)
	c := create(t, base, enLigne(7))
	id := c["id"].(string)
	require.Equal(t, "CREEE", c["statut"])
	require.Equal(t, 44.98, c["total"])
	require.NotContains(t, c, "magasin_id")
	require.Equal(t, 39.98, c["lignes"].([]any)[0].(map[string]any)["sous_total"])
	require.Equal(t, []string{"CREEE"}, historique(t, c))

	got := kittest.Do(t, "GET", base+"/commande/"+id, nil)
	require.Equal(t, http.StatusOK, got.Status, string(got.Body))
	require.Equal(t, c, got.Map(t))

	steps := []struct{ statut, motif string }{
		{"STOCK_VERIFIE", ""}, {"STOCK_RESERVE", "cle stock-1"}, {"PAYEE", "carte"}, {"CONFIRMEE", ""},
	}
	for _, s := range steps {
		r := transition(t, base, id, s.statut, s.motif, "saga-1:"+s.statut)
		require.Equal(t, http.StatusOK, r.Status, string(r.Body))
		require.Equal(t, s.statut, r.Map(t)["statut"])
	}

	final := kittest.Do(t, "GET", base+"/commande/"+id, nil).Map(t)
	require.Equal(t, "CONFIRMEE", final["statut"])
	require.Equal(t, []string{"CREEE", "STOCK_VERIFIE", "STOCK_RESERVE", "PAYEE", "CONFIRMEE"}, historique(t, final))
	hist := final["historique"].([]any)
	require.Equal(t, "carte", hist[3].(map[string]any)["motif"])
	for i := 1; i < len(hist); i++ {
		require.NotEmpty(t, hist[i].(map[string]any)["at"])
		require.GreaterOrEqual(t, hist[i].(map[string]any)["at"], hist[i-1].(map[string]any)["at"], "history is oldest first")
	}

	// CONFIRMEE is final.
	p := kittest.RequireProblem(t, transition(t, base, id, "ANNULEE", "trop tard", "saga-1:annuler"), http.StatusConflict, "body.statut")
	require.Contains(t, p.Detail, "CONFIRMEE")

	metrics := string(kittest.Do(t, "GET", base+"/metrics", nil).Body)
	for _, s := range []string{"CREEE", "STOCK_VERIFIE", "STOCK_RESERVE", "PAYEE", "CONFIRMEE"} {
		require.Contains(t, metrics, `commandes_total{canal="en_ligne",magasin="en_ligne",statut="`+s+`"} 1`)
	}
	require.NotContains(t, metrics, `statut="ANNULEE"`)
	require.Contains(t, metrics, `commandes_confirmees_montant_cents_total{canal="en_ligne",magasin="en_ligne"} 4498`)
}

func TestCommande_CancellationNeedsAMotifAndIsFinal(t *testing.T) {
	base, dbURL := start(t)
	c := create(t, base, auComptoir(3, 4))
	id := c["id"].(string)
	require.EqualValues(t, 4, c["magasin_id"])
	require.Equal(t, http.StatusOK, transition(t, base, id, "STOCK_VERIFIE", "", "k1").Status)

	before := rows(t, dbURL)
	kittest.RequireProblem(t, transition(t, base, id, "ANNULEE", "", "k2"), http.StatusUnprocessableEntity, "body.motif")
	kittest.RequireProblem(t, transition(t, base, id, "ANNULEE", "   ", "k2"), http.StatusUnprocessableEntity, "body.motif")
	require.Equal(t, before, rows(t, dbURL))

	r := transition(t, base, id, "ANNULEE", "stock insuffisant", "k2")
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	got := kittest.Do(t, "GET", base+"/commande/"+id, nil).Map(t)
	require.Equal(t, "ANNULEE", got["statut"])
	require.Equal(t, []string{"CREEE", "STOCK_VERIFIE", "ANNULEE"}, historique(t, got))
	require.Equal(t, "stock insuffisant", got["historique"].([]any)[2].(map[string]any)["motif"])

	for _, s := range []string{"STOCK_RESERVE", "PAYEE", "CONFIRMEE", "CREEE"} {
		kittest.RequireProblem(t, transition(t, base, id, s, "x", "after-"+s), http.StatusConflict, "body.statut")
	}
	kittest.RequireProblem(t, transition(t, base, id, "ANNULEE", "encore", "k3"), http.StatusConflict, "body.statut")
	require.Contains(t, string(kittest.Do(t, "GET", base+"/metrics", nil).Body),
		`commandes_total{canal="magasin",magasin="4",statut="ANNULEE"} 1`)
}

func TestCommande_IllegalTransitionsAre409AndChangeNothing(t *testing.T) {
	base, dbURL := start(t)
	id := create(t, base, enLigne(2))["id"].(string)
	before := rows(t, dbURL)
	for _, s := range []string{"CREEE", "STOCK_RESERVE", "PAYEE", "CONFIRMEE"} {
		p := kittest.RequireProblem(t, transition(t, base, id, s, "", "bad-"+s), http.StatusConflict, "body.statut")
		require.Contains(t, p.Detail, "CREEE", "the problem names the current state")
	}
	require.Equal(t, before, rows(t, dbURL))
	got := kittest.Do(t, "GET", base+"/commande/"+id, nil).Map(t)
	require.Equal(t, "CREEE", got["statut"])
	require.Equal(t, got["cree_le"], got["modifie_le"])

	// Payment is the pivot: a paid order cannot be cancelled.
	for _, s := range []string{"STOCK_VERIFIE", "STOCK_RESERVE", "PAYEE"} {
		require.Equal(t, http.StatusOK, transition(t, base, id, s, "", "ok-"+s).Status)
	}
	kittest.RequireProblem(t, transition(t, base, id, "ANNULEE", "remords", "cancel"), http.StatusConflict, "body.statut")
	require.Equal(t, "PAYEE", kittest.Do(t, "GET", base+"/commande/"+id, nil).Map(t)["statut"])
}

func TestCommande_CreateReplaysByKeyOrById(t *testing.T) {
	base, dbURL := start(t)

	first := kittest.Do(t, "POST", base+"/commandes", enLigne(5), "Idempotency-Key", "saga-9:creer")
	require.Equal(t, http.StatusCreated, first.Status, string(first.Body))
	again := kittest.Do(t, "POST", base+"/commandes", enLigne(5), "Idempotency-Key", "saga-9:creer")
	require.Equal(t, http.StatusCreated, again.Status)
	require.JSONEq(t, string(first.Body), string(again.Body))
	require.Equal(t, 1, rows(t, dbURL)["commandes"])

	before := rows(t, dbURL)
	kittest.RequireProblem(t, kittest.Do(t, "POST", base+"/commandes", enLigne(6), "Idempotency-Key", "saga-9:creer"),
		http.StatusUnprocessableEntity, "header.Idempotency-Key")
	require.Equal(t, before, rows(t, dbURL))

	// The orchestrator names the order: a retry with the same id is the same order.
	id := uuid.NewString()
	withID := auComptoir(8, 2)
	withID["id"] = id
	a := kittest.Do(t, "POST", base+"/commandes", withID)
	require.Equal(t, http.StatusCreated, a.Status, string(a.Body))
	require.Equal(t, id, a.Map(t)["id"])
	require.Equal(t, http.StatusOK, transition(t, base, id, "STOCK_VERIFIE", "", "t1").Status)
	b := kittest.Do(t, "POST", base+"/commandes", withID, "Idempotency-Key", "new-key")
	require.Equal(t, http.StatusCreated, b.Status, string(b.Body))
	require.JSONEq(t, string(a.Body), string(b.Body), "the replay is the stored 201, not the current state")
	c := kittest.Do(t, "POST", base+"/commandes", withID, "Idempotency-Key", "new-key")
	require.JSONEq(t, string(a.Body), string(c.Body))

	before = rows(t, dbURL)
	other := auComptoir(8, 3)
	other["id"] = id
	kittest.RequireProblem(t, kittest.Do(t, "POST", base+"/commandes", other), http.StatusConflict, "body.id")
	require.Equal(t, before, rows(t, dbURL))
	require.Contains(t, string(kittest.Do(t, "GET", base+"/metrics", nil).Body),
		`commandes_total{canal="magasin",magasin="2",statut="CREEE"} 1`, "replays are not counted")
}

func TestCommande_ConcurrentCreatesWithOneKeyMakeOneOrder(t *testing.T) {
	base, dbURL := start(t)
	const n = 20
	keyed := make([]*http.Request, n)
	for i := range keyed {
		keyed[i] = kittest.Request(t, "POST", base+"/commandes", enLigne(4), "Idempotency-Key", "panier-4:checkout")
	}
	ids := make([]string, n)
	for i, r := range kittest.SendAll(t, keyed) {
		if r.Status == http.StatusCreated {
			ids[i] = r.Map(t)["id"].(string)
		}
	}
	for _, id := range ids {
		require.Equal(t, ids[0], id)
	}
	// The same race with no key, where the orchestrator's id is what makes a retry a retry.
	named := enLigne(4)
	named["id"] = uuid.NewString()
	retries := make([]*http.Request, n)
	for i := range retries {
		retries[i] = kittest.Request(t, "POST", base+"/commandes", named)
	}
	for _, r := range kittest.SendAll(t, retries) {
		require.Equal(t, http.StatusCreated, r.Status)
	}
	got := rows(t, dbURL)
	require.Equal(t, 2, got["commandes"])
	require.Equal(t, 4, got["commande_lignes"])
	require.Equal(t, 2, got["commande_historique"])
	require.Equal(t, 1, got["idempotence"])
}

func TestCommande_TransitionReplaysByKey(t *testing.T) {
	base, dbURL := start(t)
	id := create(t, base, enLigne(3))["id"].(string)

	first := transition(t, base, id, "STOCK_VERIFIE", "", "saga-3:verifier")
	require.Equal(t, http.StatusOK, first.Status, string(first.Body))
	require.Equal(t, http.StatusOK, transition(t, base, id, "STOCK_RESERVE", "", "saga-3:reserver").Status)
	before := rows(t, dbURL)

	again := transition(t, base, id, "STOCK_VERIFIE", "", "saga-3:verifier")
	require.Equal(t, http.StatusOK, again.Status, string(again.Body))
	require.JSONEq(t, string(first.Body), string(again.Body))
	require.Equal(t, before, rows(t, dbURL))

	kittest.RequireProblem(t, transition(t, base, id, "PAYEE", "", "saga-3:verifier"),
		http.StatusUnprocessableEntity, "header.Idempotency-Key")
	other := create(t, base, enLigne(3))["id"].(string)
	kittest.RequireProblem(t, transition(t, base, other, "STOCK_VERIFIE", "", "saga-3:verifier"),
		http.StatusUnprocessableEntity, "header.Idempotency-Key")
	require.Equal(t, "STOCK_RESERVE", kittest.Do(t, "GET", base+"/commande/"+id, nil).Map(t)["statut"])
	require.Equal(t, "CREEE", kittest.Do(t, "GET", base+"/commande/"+other, nil).Map(t)["statut"])
}

// Thirty callers push one order in every direction at once: each state is
// entered at most once, the history is a legal path, and it matches the
// answers given.
func TestCommande_RacingTransitionsLeaveALegalHistory(t *testing.T) {
	base, dbURL := start(t)
	id := create(t, base, enLigne(9))["id"].(string)
	forward := []string{"STOCK_VERIFIE", "STOCK_RESERVE", "PAYEE", "CONFIRMEE"}
	// Each caller's requests are built here, on the test goroutine; its
	// goroutine sends them in order and stops at the first unexpected answer.
	type step struct {
		statut string
		req    *http.Request
		sent   bool
		answer kittest.Response
		err    error
	}
	callers := make([][]step, 30)
	for g := range callers {
		targets := forward
		if g%7 == 3 {
			targets = append([]string{forward[g%3]}, "ANNULEE")
		}
		for _, s := range targets {
			callers[g] = append(callers[g], step{statut: s,
				req: transitionRequest(t, base, id, s, "course "+fmt.Sprint(g), fmt.Sprintf("g%d:%s", g, s))})
		}
	}
	var wg sync.WaitGroup
	for _, steps := range callers {
		wg.Go(func() {
			for i := range steps {
				r, err := kittest.Send(steps[i].req)
				steps[i].sent, steps[i].answer, steps[i].err = true, r, err
				if err != nil || (r.Status != http.StatusOK && r.Status != http.StatusConflict) {
					return
				}
			}
		})
	}
	wg.Wait()
	var accepted []string
	for _, steps := range callers {
		for _, s := range steps {
			if !s.sent {
				break
			}
			require.NoError(t, s.err)
			if r := s.answer; r.Status != http.StatusOK && r.Status != http.StatusConflict {
				t.Errorf("%s: status %d %s", s.statut, r.Status, r.Body)
				break
			}
			if s.answer.Status == http.StatusOK {
				accepted = append(accepted, s.statut)
			}
		}
	}

	got := kittest.Do(t, "GET", base+"/commande/"+id, nil).Map(t)
	hist := historique(t, got)
	require.Equal(t, "CREEE", hist[0])
	seen := map[string]bool{}
	for i, s := range hist {
		require.False(t, seen[s], "state %s entered twice: %v", s, hist)
		seen[s] = true
		if i > 0 {
			require.True(t, commande.PeutPasser(commande.Statut(hist[i-1]), commande.Statut(s)), "illegal step in %v", hist)
		}
	}
	require.Equal(t, hist[len(hist)-1], got["statut"])
	require.ElementsMatch(t, hist[1:], accepted, "every 200 is one history row")
	n := rows(t, dbURL)
	require.Equal(t, len(hist), n["commande_historique"])
	require.Equal(t, len(accepted), n["idempotence"])
}

func TestCommande_ListFiltersAndPages(t *testing.T) {
	base, dbURL := start(t)
	var ids []string
	for _, b := range []map[string]any{
		enLigne(10), enLigne(10), enLigne(10), auComptoir(11, 2), auComptoir(11, 2), auComptoir(12, 4),
	} {
		ids = append(ids, create(t, base, b)["id"].(string))
	}
	require.Equal(t, http.StatusOK, transition(t, base, ids[1], "STOCK_VERIFIE", "", "x").Status)
	// Two orders from last January, for the period filter.
	exec(t, dbURL, `UPDATE commandes SET cree_le = '2025-01-10T12:00:00Z' WHERE id = $1`, ids[0])
	exec(t, dbURL, `UPDATE commandes SET cree_le = '2025-01-31T23:59:59Z' WHERE id = $1`, ids[5])

	total := func(q string) float64 {
		t.Helper()
		r := kittest.Do(t, "GET", base+"/commandes?"+q, nil)
		require.Equal(t, http.StatusOK, r.Status, string(r.Body))
		return r.Map(t)["total"].(float64)
	}
	require.EqualValues(t, 6, total(""))
	require.EqualValues(t, 3, total("client_id=10"))
	require.EqualValues(t, 2, total("magasin_id=2"))
	require.EqualValues(t, 3, total("canal=magasin"))
	require.EqualValues(t, 3, total("canal=en_ligne"))
	require.EqualValues(t, 1, total("statut=STOCK_VERIFIE"))
	require.EqualValues(t, 5, total("statut=CREEE"))
	require.EqualValues(t, 2, total("client_id=11&magasin_id=2&statut=CREEE&limit=1"))
	require.EqualValues(t, 0, total("client_id=10&canal=magasin"))
	require.EqualValues(t, 2, total("depuis=2025-01-01T00:00:00Z&jusqu_a=2025-02-01T00:00:00Z"))
	require.EqualValues(t, 1, total("depuis=2025-01-01T00:00:00-05:00&jusqu_a=2025-01-31T23:59:59Z"), "jusqu_a is exclusive")
	require.EqualValues(t, 4, total("depuis=2025-02-01T00:00:00Z"))
	require.EqualValues(t, 0, total("client_id=99"))

	page := kittest.Do(t, "GET", base+"/commandes?limit=2&offset=1", nil).Map(t)
	require.EqualValues(t, 6, page["total"])
	items := page["items"].([]any)
	require.Len(t, items, 2)
	all := kittest.Do(t, "GET", base+"/commandes?limit=500", nil).Map(t)["items"].([]any)
	require.Equal(t, all[1], items[0])
	require.Equal(t, all[2], items[1])
	for i := 1; i < len(all); i++ {
		require.GreaterOrEqual(t, all[i-1].(map[string]any)["cree_le"], all[i].(map[string]any)["cree_le"], "newest first")
	}
	require.Equal(t, ids[0], all[len(all)-1].(map[string]any)["id"])
	for _, it := range all {
		o := it.(map[string]any)
		require.Len(t, o["lignes"], 2, "list items carry their lines")
		require.NotContains(t, o, "historique")
	}
	empty := kittest.Do(t, "GET", base+"/commandes?offset=100", nil).Map(t)
	require.Equal(t, []any{}, empty["items"])

	for q, field := range map[string]string{
		"statut=LIVREE":   "query.statut",
		"canal=telephone": "query.canal",
		"magasin_id=9":    "query.magasin_id",
		"client_id=0":     "query.client_id",
		"client_id=abc":   "query.client_id",
		"depuis=hier":     "query.depuis",
		"limit=0":         "query.limit",
		"limit=501":       "query.limit",
		"depuis=2025-02-01T00:00:00Z&jusqu_a=2025-01-01T00:00:00Z": "query.jusqu_a",
	} {
		kittest.RequireProblem(t, kittest.Do(t, "GET", base+"/commandes?"+q, nil), http.StatusUnprocessableEntity, field)
	}
}

func TestCommande_BadInputIsAProblemAndChangesNothing(t *testing.T) {
	base, dbURL := start(t)
	id := create(t, base, enLigne(1))["id"].(string)
	line := `{"produit_id":1,"quantite":1,"prix_unitaire":1.00}`
	order := func(lignes string) string {
		return `{"client_id":1,"canal":"en_ligne","lignes":[` + lignes + `]}`
	}
	many := make([]string, 101)
	for i := range many {
		many[i] = fmt.Sprintf(`{"produit_id":%d,"quantite":1,"prix_unitaire":1.00}`, i+1)
	}
	unknown := uuid.NewString()
	tr := "/commande/" + id + "/transitions"
	cases := []kittest.BadInput{
		{Name: "malformed JSON", Method: "POST", Path: "/commandes", Body: `{"client_id":1,`, Status: 400},
		{Name: "not JSON", Method: "POST", Path: "/commandes", Body: `client_id=1`, Status: 400},
		{Name: "unknown field", Method: "POST", Path: "/commandes", Body: `{"client_id":1,"canal":"en_ligne","total":1.00,"lignes":[` + line + `]}`, Status: 422, Field: "body.total"},
		{Name: "wrong type", Method: "POST", Path: "/commandes", Body: `{"client_id":"un","canal":"en_ligne","lignes":[` + line + `]}`, Status: 422, Field: "body.client_id"},
		{Name: "missing client", Method: "POST", Path: "/commandes", Body: `{"canal":"en_ligne","lignes":[` + line + `]}`, Status: 422, Field: "body.client_id"},
		{Name: "client 0", Method: "POST", Path: "/commandes", Body: `{"client_id":0,"canal":"en_ligne","lignes":[` + line + `]}`, Status: 422, Field: "body.client_id"},
		{Name: "quantite 0", Method: "POST", Path: "/commandes", Body: order(`{"produit_id":1,"quantite":0,"prix_unitaire":1.00}`), Status: 422, Field: "body.lignes[0].quantite"},
		{Name: "quantite -1", Method: "POST", Path: "/commandes", Body: order(line + `,{"produit_id":2,"quantite":-1,"prix_unitaire":1.00}`), Status: 422, Field: "body.lignes[1].quantite"},
		{Name: "quantite not integer", Method: "POST", Path: "/commandes", Body: order(`{"produit_id":1,"quantite":1.5,"prix_unitaire":1.00}`), Status: 422, Field: "body.lignes[0].quantite"},
		{Name: "prix 0", Method: "POST", Path: "/commandes", Body: order(`{"produit_id":1,"quantite":1,"prix_unitaire":0}`), Status: 422, Field: "body.lignes[0].prix_unitaire"},
		{Name: "prix negative", Method: "POST", Path: "/commandes", Body: order(`{"produit_id":1,"quantite":1,"prix_unitaire":-3.50}`), Status: 422, Field: "body.lignes[0].prix_unitaire"},
		{Name: "prix as text", Method: "POST", Path: "/commandes", Body: order(`{"produit_id":1,"quantite":1,"prix_unitaire":"3.50"}`), Status: 422, Field: "body.lignes[0].prix_unitaire"},
		{Name: "prix three decimals", Method: "POST", Path: "/commandes", Body: order(`{"produit_id":1,"quantite":1,"prix_unitaire":3.505}`), Status: 422, Field: "body.lignes[0].prix_unitaire"},
		{Name: "empty lignes", Method: "POST", Path: "/commandes", Body: order(``), Status: 422, Field: "body.lignes"},
		{Name: "101 lines", Method: "POST", Path: "/commandes", Body: order(strings.Join(many, ",")), Status: 422, Field: "body.lignes"},
		{Name: "same product twice", Method: "POST", Path: "/commandes", Body: order(line + `,` + line), Status: 422, Field: "body.lignes[1].produit_id"},
		{Name: "magasin without store", Method: "POST", Path: "/commandes", Body: `{"client_id":1,"canal":"magasin","lignes":[` + line + `]}`, Status: 422, Field: "body.magasin_id"},
		{Name: "store 9", Method: "POST", Path: "/commandes", Body: `{"client_id":1,"canal":"magasin","magasin_id":9,"lignes":[` + line + `]}`, Status: 422, Field: "body.magasin_id"},
		{Name: "online with a store", Method: "POST", Path: "/commandes", Body: `{"client_id":1,"canal":"en_ligne","magasin_id":2,"lignes":[` + line + `]}`, Status: 422, Field: "body.magasin_id"},
		{Name: "unknown canal", Method: "POST", Path: "/commandes", Body: `{"client_id":1,"canal":"telephone","lignes":[` + line + `]}`, Status: 422, Field: "body.canal"},
		{Name: "id not a uuid", Method: "POST", Path: "/commandes", Body: `{"id":"abc","client_id":1,"canal":"en_ligne","lignes":[` + line + `]}`, Status: 422, Field: "body.id"},
		{Name: "key too long", Method: "POST", Path: "/commandes", Body: order(line), Headers: []string{"Idempotency-Key", strings.Repeat("k", 201)}, Status: 422, Field: "header.Idempotency-Key"},
		{Name: "body over the limit", Method: "POST", Path: "/commandes", Body: `{"client_id":1,"canal":"en_ligne","lignes":[` + line + `],"x":"` + strings.Repeat("x", 70<<10) + `"}`, Status: 413},
		{Name: "get malformed id", Method: "GET", Path: "/commande/abc", Status: 422, Field: "path.id"},
		{Name: "get unknown id", Method: "GET", Path: "/commande/" + unknown, Status: 404, Field: "path.id"},
		{Name: "transition unknown id", Method: "POST", Path: "/commande/" + unknown + "/transitions", Body: `{"statut":"STOCK_VERIFIE"}`, Headers: []string{"Idempotency-Key", "u1"}, Status: 404, Field: "path.id"},
		{Name: "transition malformed id", Method: "POST", Path: "/commande/abc/transitions", Body: `{"statut":"STOCK_VERIFIE"}`, Headers: []string{"Idempotency-Key", "u2"}, Status: 422, Field: "path.id"},
		{Name: "transition without key", Method: "POST", Path: tr, Body: `{"statut":"STOCK_VERIFIE"}`, Status: 422, Field: "header.Idempotency-Key"},
		{Name: "transition blank key", Method: "POST", Path: tr, Body: `{"statut":"STOCK_VERIFIE"}`, Headers: []string{"Idempotency-Key", "  "}, Status: 422, Field: "header.Idempotency-Key"},
		{Name: "transition malformed JSON", Method: "POST", Path: tr, Body: `{"statut":`, Headers: []string{"Idempotency-Key", "u3"}, Status: 400},
		{Name: "transition unknown field", Method: "POST", Path: tr, Body: `{"statut":"STOCK_VERIFIE","par":"moi"}`, Headers: []string{"Idempotency-Key", "u4"}, Status: 422, Field: "body.par"},
		{Name: "transition unknown statut", Method: "POST", Path: tr, Body: `{"statut":"LIVREE"}`, Headers: []string{"Idempotency-Key", "u5"}, Status: 422, Field: "body.statut"},
		{Name: "transition wrong type", Method: "POST", Path: tr, Body: `{"statut":3}`, Headers: []string{"Idempotency-Key", "u6"}, Status: 422, Field: "body.statut"},
		{Name: "transition missing statut", Method: "POST", Path: tr, Body: `{}`, Headers: []string{"Idempotency-Key", "u7"}, Status: 422, Field: "body.statut"},
		{Name: "cancel without motif", Method: "POST", Path: tr, Body: `{"statut":"ANNULEE"}`, Headers: []string{"Idempotency-Key", "u8"}, Status: 422, Field: "body.motif"},
		{Name: "transition body over the limit", Method: "POST", Path: tr, Body: `{"statut":"ANNULEE","motif":"` + strings.Repeat("m", 70<<10) + `"}`, Headers: []string{"Idempotency-Key", "u9"}, Status: 413},
		{Name: "illegal transition", Method: "POST", Path: tr, Body: `{"statut":"PAYEE"}`, Headers: []string{"Idempotency-Key", "u10"}, Status: 409, Field: "body.statut"},
		{Name: "client 2^63-1", Method: "POST", Path: "/commandes", Body: `{"client_id":9223372036854775807,"canal":"en_ligne","lignes":[` + line + `]}`, Status: 422, Field: "body.client_id"},
		{Name: "client 2^53", Method: "POST", Path: "/commandes", Body: `{"client_id":9007199254740992,"canal":"en_ligne","lignes":[` + line + `]}`, Status: 422, Field: "body.client_id"},
		{Name: "produit 2^63-1", Method: "POST", Path: "/commandes", Body: order(`{"produit_id":9223372036854775807,"quantite":1,"prix_unitaire":1.00}`), Status: 422, Field: "body.lignes[0].produit_id"},
		{Name: "history time with NUL", Method: "POST", Path: "/commandes", Body: `{"client_id":1,"canal":"en_ligne","lignes":[` + line + `],"historique":[{"statut":"CREEE","at":"2025-01-01T00:00:00Z\u0000"}]}`, Status: 422, Field: "body.historique[0].at"},
		kittest.NullList("create", "POST", "/commandes", "body.lignes", func(l string) string {
			return `{"client_id":1,"canal":"en_ligne","lignes":` + l + `}`
		}),
		kittest.NullList("return", "POST", "/commande/"+id+"/retours", "body.lignes", func(l string) string {
			return `{"lignes":` + l + `}`
		}, "Idempotency-Key", "r1"),
		{Name: "return null body", Method: "POST", Path: "/commande/" + id + "/retours", Body: `null`, Headers: []string{"Idempotency-Key", "r2"}, Status: 422},
	}
	cases = append(cases, kittest.TextCases("transition motif", "POST", tr, "body.motif", func(s string) string {
		return `{"statut":"ANNULEE","motif":"` + s + `"}`
	}, "Idempotency-Key", "u11")...)
	cases = append(cases, kittest.TextCases("history motif", "POST", "/commandes", "body.historique[1].motif", func(s string) string {
		return `{"client_id":1,"canal":"en_ligne","lignes":[` + line + `],"historique":[{"statut":"CREEE","at":"2025-01-01T00:00:00Z"},` +
			`{"statut":"ANNULEE","motif":"` + s + `","at":"2025-01-01T00:00:01Z"}]}`
	})...)
	cases = append(cases, kittest.KeyCases("create", "POST", "/commandes", order(line))...)
	cases = append(cases, kittest.KeyCases("transition", "POST", tr, `{"statut":"STOCK_VERIFIE"}`)...)
	before := rows(t, dbURL)
	kittest.RequireBadInputs(t, base, cases)
	require.Equal(t, before, rows(t, dbURL))
	require.Equal(t, "CREEE", kittest.Do(t, "GET", base+"/commande/"+id, nil).Map(t)["statut"])
}

// The refusal of an amount says what is allowed, at the line's index, in
// words a caller reads: no Go types.
func TestCommande_AThirdDecimalIsRefusedAtItsLine(t *testing.T) {
	base, _ := start(t)
	r := kittest.Do(t, "POST", base+"/commandes", `{"client_id":1,"canal":"en_ligne","lignes":[`+
		`{"produit_id":1,"quantite":1,"prix_unitaire":1.00},{"produit_id":2,"quantite":1,"prix_unitaire":1.001}]}`)
	p := kittest.RequireProblem(t, r, http.StatusUnprocessableEntity, "body.lignes[1].prix_unitaire")
	require.Len(t, p.Errors, 1, string(r.Body))
	require.Equal(t, "body.lignes[1].prix_unitaire", p.Errors[0].Location)
	require.Contains(t, p.Errors[0].Message, "at most two decimals")
	require.NotContains(t, string(r.Body), "Go struct")
	require.NotContains(t, string(r.Body), "kit.Cents")
}
