package main

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"multimagasins/kit/kittest"
	"multimagasins/stock/migrations"
)

// startCached starts stock with one-second max-ages, as a deployment that
// wants changes to show within a second would.
func startCached(t *testing.T) string {
	t.Helper()
	return kittest.Start(t, run, map[string]string{
		"DATABASE_URL":          kittest.DB(t, "stock", migrations.FS),
		"STOCK_CACHE_MAX_AGE":   "1s",
		"STOCK_NIVEAUX_MAX_AGE": "1s",
	})
}

// cacheable checks a 200 carries a strong ETag and the configured
// Cache-Control, and that asking again with that tag gives a bare 304.
func cacheable(t *testing.T, url string) (etag string, r kittest.Response) {
	t.Helper()
	r = kittest.Do(t, "GET", url, nil)
	require.Equal(t, http.StatusOK, r.Status, "%s: %s", url, r.Body)
	etag = r.Header.Get("ETag")
	require.Regexp(t, `^"[A-Za-z0-9_-]{22}"$`, etag, "%s: a strong ETag", url)
	require.Equal(t, "public, max-age=1", r.Header.Get("Cache-Control"), url)

	again := kittest.Do(t, "GET", url, nil, "If-None-Match", etag)
	require.Equal(t, http.StatusNotModified, again.Status, "%s: If-None-Match with the current tag", url)
	require.Empty(t, again.Body, url)
	require.Equal(t, etag, again.Header.Get("ETag"), url)
	require.Equal(t, "public, max-age=1", again.Header.Get("Cache-Control"), url)
	return etag, r
}

// A cache that kept the product for its max-age asks again with its tag:
// after a price change that revalidation, like any fresh GET, gets the new
// price and a new tag, never a 304. The service keeps no copy, so the change
// is visible to it at once and to a cache at its next revalidation, at most
// max-age (here 1 s) later; nothing here needs to sleep.
func TestCache_PriceChangeShowsInTheRevalidationAfterTheMaxAge(t *testing.T) {
	base := startCached(t)
	id := itoa(newProduit(t, base, 0))
	one := base + "/produits/" + id
	list := base + "/produits?ids=" + id
	oneTag, r := cacheable(t, one)
	require.Contains(t, string(r.Body), `"prix":10.00`)
	listTag, r := cacheable(t, list)
	require.Contains(t, string(r.Body), `"prix":10.00`)

	upd := kittest.Do(t, "PUT", one, map[string]any{"nom": "Test " + t.Name(), "categorie": "Test", "prix": 12.5})
	require.Equal(t, http.StatusOK, upd.Status, string(upd.Body))

	for url, tag := range map[string]string{one: oneTag, list: listTag} {
		r := kittest.Do(t, "GET", url, nil, "If-None-Match", tag)
		require.Equal(t, http.StatusOK, r.Status, "%s: the old tag must not match the new price", url)
		require.Contains(t, string(r.Body), `"prix":12.50`, url)
		require.NotEqual(t, tag, r.Header.Get("ETag"), url)
		require.Contains(t, string(kittest.Do(t, "GET", url, nil).Body), `"prix":12.50`, "a fresh GET of %s", url)
	}
}

// Every sale changes a store's levels, so their tag changes with them.
func TestCache_StockLevelsGetANewTagAfterAReservation(t *testing.T) {
	base := startCached(t)
	url := base + "/magasins/1/stock?q=" + "écouteurs"
	tag, r := cacheable(t, url)
	before := r.Map(t)["items"].([]any)[0].(map[string]any)

	res := kittest.Do(t, "POST", base+"/reservations", map[string]any{
		"cle": "cache-" + fmt.Sprint(time.Now().UnixNano()), "emplacement_id": 1,
		"lignes": []map[string]any{{"produit_id": before["produit_id"], "quantite": 1}}})
	require.Equal(t, http.StatusCreated, res.Status, string(res.Body))

	after := kittest.Do(t, "GET", url, nil, "If-None-Match", tag)
	require.Equal(t, http.StatusOK, after.Status)
	require.NotEqual(t, tag, after.Header.Get("ETag"))
	level := after.Map(t)["items"].([]any)[0].(map[string]any)
	require.Equal(t, before["disponible"].(float64)-1, level["disponible"])
}

func TestCache_StoresAreCacheableAndRefusalsAreNot(t *testing.T) {
	base := startCached(t)
	cacheable(t, base+"/magasins")
	cacheable(t, base+"/magasins/3")
	cacheable(t, base+"/produits")

	for _, c := range []struct {
		path   string
		status int
		field  string
	}{
		{"/magasins/6/stock", 404, "path.id"}, // the centre is no store
		{"/magasins/99/stock", 404, "path.id"},
		{"/magasins/9", 404, "path.id"},
		{"/produits/999999", 404, "path.id"},
		{"/magasins/1/stock?niveau=vide", 422, "query.niveau"},
	} {
		r := kittest.Do(t, "GET", base+c.path, nil, "If-None-Match", "*")
		kittest.RequireProblem(t, r, c.status, c.field)
		require.Empty(t, r.Header.Get("ETag"), c.path)
		require.Empty(t, r.Header.Get("Cache-Control"), "%s: a refusal is never kept", c.path)
	}
}

// The one-query store check still tells an empty page from no store, and
// counts what a page past the end would have held.
func TestStockMagasin_PagePastTheEndKeepsTheTotal(t *testing.T) {
	base := startCached(t)
	all := kittest.Do(t, "GET", base+"/magasins/2/stock?limit=500", nil).Map(t)
	require.Positive(t, all["total"])
	past := kittest.Do(t, "GET", base+"/magasins/2/stock?offset=1000", nil).Map(t)
	require.Equal(t, all["total"], past["total"])
	require.Empty(t, past["items"])
	none := kittest.Do(t, "GET", base+"/magasins/2/stock?q=aucun-produit-de-ce-nom", nil).Map(t)
	require.EqualValues(t, 0, none["total"])
	require.Empty(t, none["items"])

	magasins := kittest.Do(t, "GET", base+"/magasins?offset=10", nil).Map(t)
	require.EqualValues(t, 5, magasins["total"])
	require.Empty(t, magasins["items"])
}

func TestLoadConfig_MaxAgesInWholeSeconds(t *testing.T) {
	env := func(vars map[string]string) func(string) string { return func(k string) string { return vars[k] } }
	cfg, err := loadConfig(env(nil))
	require.NoError(t, err)
	require.Equal(t, 5*time.Second, cfg.Cache.Catalogue)
	require.Equal(t, time.Second, cfg.Cache.Niveaux)

	cfg, err = loadConfig(env(map[string]string{"STOCK_CACHE_MAX_AGE": "30s", "STOCK_NIVEAUX_MAX_AGE": "0s"}))
	require.NoError(t, err)
	require.Equal(t, 30*time.Second, cfg.Cache.Catalogue)
	require.Zero(t, cfg.Cache.Niveaux)

	_, err = loadConfig(env(map[string]string{"STOCK_CACHE_MAX_AGE": "1500ms", "STOCK_NIVEAUX_MAX_AGE": "deux"}))
	require.ErrorContains(t, err, "STOCK_CACHE_MAX_AGE=1.5s must be whole seconds")
	require.ErrorContains(t, err, "STOCK_NIVEAUX_MAX_AGE")
}
