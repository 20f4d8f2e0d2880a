package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"multimagasins/commande/internal/demo"
	"multimagasins/commande/migrations"
	"multimagasins/kit"
	"multimagasins/kit/api/clientsapi"
	"multimagasins/kit/kittest"
)

type comptes struct {
	commandes, lignes, historique, retours, nonConfirmees, montantsFaux int
	joursMagasins, joursEnLigne                                         int
}

func compter(t *testing.T, dbURL string) comptes {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	var c comptes
	require.NoError(t, conn.QueryRow(ctx, `SELECT
	    (SELECT count(*) FROM commandes),
	    (SELECT count(*) FROM commande_lignes),
	    (SELECT count(*) FROM commande_historique),
	    (SELECT count(*) FROM retours),
	    (SELECT count(*) FROM commandes WHERE statut <> 'CONFIRMEE'),
	    -- every order's total and returned amount agree with its lines and returns
	    (SELECT count(*) FROM commandes c
	     WHERE total <> (SELECT sum(quantite::bigint * prix_unitaire) FROM commande_lignes WHERE commande_id = c.id)
	        OR montant_retourne <> (SELECT coalesce(sum(quantite_retournee::bigint * prix_unitaire), 0) FROM commande_lignes WHERE commande_id = c.id)
	        OR montant_retourne <> (SELECT coalesce(sum(montant), 0) FROM retours WHERE commande_id = c.id)),
	    (SELECT count(DISTINCT (date_trunc('day', cree_le AT TIME ZONE 'America/Montreal'), magasin_id)) FROM commandes WHERE magasin_id IS NOT NULL),
	    (SELECT count(DISTINCT date_trunc('day', cree_le AT TIME ZONE 'America/Montreal')) FROM commandes WHERE magasin_id IS NULL)`).
		Scan(&c.commandes, &c.lignes, &c.historique, &c.retours, &c.nonConfirmees, &c.montantsFaux, &c.joursMagasins, &c.joursEnLigne))
	return c
}

// fauxClients stands for the clients service and identite's token endpoint
// as the generator uses them (the fleet's test runs the real ones): it
// signs in the demo maison-mere and keeps accounts by Idempotency-Key.
type fauxClients struct {
	mu      sync.Mutex
	parCle  map[string]clientsapi.Compte
	deja    map[string]clientsapi.Compte // accounts made another way, by lower-case email
	suivant int64
	appels  int
}

const jetonFaux = "jeton-maison-mere"

func newFauxClients(t *testing.T) (*fauxClients, string) {
	f := &fauxClients{parCle: map[string]clientsapi.Compte{}, deja: map[string]clientsapi.Compte{}, suivant: 5000}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /auth/jeton", func(w http.ResponseWriter, r *http.Request) {
		if r.PostFormValue("grant_type") != "password" || r.PostFormValue("username") != "maison-mere" ||
			r.PostFormValue("password") != motDePasseDemo {
			http.Error(w, `{"error":"invalid_grant"}`, http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": jetonFaux, "token_type": "Bearer", "expires_in": 900})
	})
	mux.HandleFunc("POST /clients", func(w http.ResponseWriter, r *http.Request) {
		var in clientsapi.Fields
		if r.Header.Get("Authorization") != "Bearer "+jetonFaux {
			http.Error(w, `{"status":401}`, http.StatusUnauthorized)
			return
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil || r.Header.Get("Idempotency-Key") == "" {
			http.Error(w, `{"status":400}`, http.StatusBadRequest)
			return
		}
		f.mu.Lock()
		f.appels++
		c, ok := f.parCle[r.Header.Get("Idempotency-Key")]
		if _, pris := f.deja[strings.ToLower(in.Email)]; !ok && pris {
			f.mu.Unlock()
			http.Error(w, `{"status":409}`, http.StatusConflict)
			return
		}
		if !ok {
			f.suivant++
			c = clientsapi.Compte{ID: f.suivant, Nom: in.Nom, Email: in.Email, Telephone: in.Telephone, Adresse: in.Adresse}
			f.parCle[r.Header.Get("Idempotency-Key")] = c
		}
		f.mu.Unlock()
		if c.Email != in.Email {
			http.Error(w, `{"status":422}`, http.StatusUnprocessableEntity)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(c)
	})
	mux.HandleFunc("GET /clients", func(w http.ResponseWriter, r *http.Request) {
		page := kit.Page[clientsapi.Compte]{Items: []clientsapi.Compte{}}
		f.mu.Lock()
		for e, c := range f.deja {
			if strings.Contains(e, strings.ToLower(r.URL.Query().Get("q"))) {
				page.Items = append(page.Items, c)
			}
		}
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(page)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return f, srv.URL
}

func (f *fauxClients) ids() map[int64]bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[int64]bool{}
	for _, c := range f.parCle {
		out[c.ID] = true
	}
	return out
}

func generer(t *testing.T, args ...string) string {
	t.Helper()
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), append([]string{"generer"}, args...), func(string) string { return "" }, &out), out.String())
	return out.String()
}

// acheteurs counts each customer's orders.
func acheteurs(t *testing.T, dbURL string) map[int64]int {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT client_id, count(*) FROM commandes GROUP BY client_id`)
	require.NoError(t, err)
	out := map[int64]int{}
	for rows.Next() {
		var id int64
		var n int
		require.NoError(t, rows.Scan(&id, &n))
		out[id] = n
	}
	require.NoError(t, rows.Err())
	return out
}

func TestGenerer_PlausibleThenIdempotent(t *testing.T) {
	t.Parallel()
	dbURL := kittest.DB(t, "commande", migrations.FS)
	faux, url := newFauxClients(t)
	generer(t, "-database", dbURL, "-par-jour", "3", "-clients-url", url, "-jeton", url+"/auth/jeton")
	first := compter(t, dbURL)

	// Every sale, online or at a counter, is one of the created customers';
	// none is the guest's.
	comptes := faux.ids()
	require.Len(t, comptes, 300)
	parClient := acheteurs(t, dbURL)
	require.Zero(t, parClient[1], "the guest gets no generated history")
	for id := range parClient {
		require.True(t, comptes[id], "order of client %d, who is no created customer", id)
	}
	require.GreaterOrEqual(t, len(parClient), 250, "the history is spread over the customers")

	require.Greater(t, first.commandes, 90*6*2, "about 3 sales a day for each store and online")
	require.Equal(t, 5*first.commandes, first.historique, "CREEE to CONFIRMEE: five history rows per sale")
	require.Greater(t, first.lignes, first.commandes)
	require.Positive(t, first.retours, "a few sales see something come back")
	require.Zero(t, first.nonConfirmees)
	require.Zero(t, first.montantsFaux)
	require.Equal(t, 90*5, first.joursMagasins, "90 days × 5 stores, every day has sales")
	require.Equal(t, 90, first.joursEnLigne)

	appels := faux.appels
	out := generer(t, "-database", dbURL, "-par-jour", "3", "-clients-url", url, "-jeton", url+"/auth/jeton")
	require.Contains(t, out, "nothing added")
	require.Equal(t, first, compter(t, dbURL), "a second run adds nothing")
	require.Equal(t, appels, faux.appels, "nor asks for customers")

	generer(t, "-database", dbURL, "-par-jour", "1", "-days", "2", "-force", "-clients-url", url, "-jeton", url+"/auth/jeton")
	require.Greater(t, compter(t, dbURL).commandes, first.commandes, "-force adds another history")
	require.Equal(t, comptes, faux.ids(), "of the same customers: their keys give them back")
}

func TestGenerer_ACustomerWhoseEmailIsTakenIsThatAccount(t *testing.T) {
	t.Parallel()
	dbURL := kittest.DB(t, "commande", migrations.FS)
	faux, url := newFauxClients(t)
	premier := demo.Clientele(demo.GraineClientele, 1)[0]
	faux.deja[strings.ToLower(premier.Email)] = clientsapi.Compte{ID: 42, Nom: premier.Nom, Email: strings.ToUpper(premier.Email)}
	generer(t, "-database", dbURL, "-par-jour", "2", "-days", "20", "-clients", "3", "-clients-url", url, "-jeton", url+"/auth/jeton")

	require.Len(t, faux.ids(), 2, "the two others are created")
	parClient := acheteurs(t, dbURL)
	require.Len(t, parClient, 3)
	require.Positive(t, parClient[42], "the account already there buys")
}

func TestGenerer_WithoutTheHeadOfficeNothingIsWritten(t *testing.T) {
	t.Parallel()
	dbURL := kittest.DB(t, "commande", migrations.FS)
	faux, url := newFauxClients(t)
	var out bytes.Buffer
	err := run(context.Background(), []string{"generer", "-database", dbURL, "-clients-url", url, "-jeton", url + "/auth/jeton",
		"-mot-de-passe", "pas le bon"}, func(string) string { return "" }, &out)
	require.ErrorContains(t, err, "sign in as maison-mere")
	require.Zero(t, faux.appels)
	require.Zero(t, compter(t, dbURL).commandes)
}

func TestGenerer_RefusesBadFlags(t *testing.T) {
	for _, args := range [][]string{{"-days", "0", "-database", "x"}, {"-par-jour", "-1", "-database", "x"}, {}, {"-inconnu"},
		{"-database", "x"}, {"-database", "x", "-clients-url", "http://clients"}, {"-clients", "0", "-database", "x"}} {
		var out bytes.Buffer
		require.Error(t, run(context.Background(), append([]string{"generer"}, args...), func(string) string { return "" }, &out), "%v", args)
	}
}
