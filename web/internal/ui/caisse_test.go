package ui

import (
	"encoding/json"
	"image"
	"image/draw"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	qr "github.com/piglig/go-qr"
	"github.com/stretchr/testify/require"

	"multimagasins/kit"
	"multimagasins/kit/api/commandeapi"
	"multimagasins/kit/api/stockapi"
)

func TestTicket_ReadsMergesAndWritesItsLines(t *testing.T) {
	tk, err := lireTicket([]string{"5:2", " 9:1 ", "5:1"})
	require.NoError(t, err)
	require.Equal(t, ticket{{5, 3}, {9, 1}}, tk, "a product named twice is one line")
	require.Equal(t, []string{"5:3", "9:1"}, tk.valeurs())

	tk, err = lireTicket([]string{"5:2", "abc", "7:0", "-1:2", "8", "9:x"})
	require.Equal(t, ticket{{5, 2}}, tk, "the readable lines are kept")
	require.EqualError(t, err, "Ligne de ticket illisible ignorée : « abc », « 7:0 », « -1:2 », « 8 », « 9:x ».")

	tk, err = lireTicket([]string{"5:5000"})
	require.NoError(t, err)
	require.Equal(t, ticket{{5, maxQuantite}}, tk)

	trop := make([]string, maxLignesTicket+1)
	for i := range trop {
		trop[i] = strconv.Itoa(i+1) + ":1"
	}
	tk, err = lireTicket(trop)
	require.Len(t, tk, maxLignesTicket)
	require.Error(t, err)
}

func TestTicket_RaisesLowersAndRemoves(t *testing.T) {
	tk := ticket{}.ajouter(5, 1).ajouter(9, 1).ajouter(5, 1)
	require.Equal(t, ticket{{5, 2}, {9, 1}}, tk)
	require.Equal(t, ticket{{5, 3}, {9, 1}}, tk.changer(5, 1))
	require.Equal(t, ticket{{5, 1}, {9, 1}}, tk.changer(5, -1))
	require.Equal(t, ticket{{5, 2}}, tk.changer(9, -1), "lowered to 0, the line goes")
	require.Equal(t, ticket{{9, 1}}, tk.retirer(5))
	require.Equal(t, tk, tk.retirer(42))
	require.Equal(t, ticket{{5, 2}, {9, 1}}, tk, "every change makes a new ticket; the old one stays as it was")
	require.Equal(t, 2, tk.quantite(5))
	require.Equal(t, 0, tk.quantite(42))
	require.Equal(t, "/magasins/3?ligne=5%3A2&ligne=9%3A1&recherche=caf%C3%A9", adresseTicket(3, tk, "café", nil))
	require.Equal(t, "/magasins/3", adresseTicket(3, nil, "", nil))
}

func TestChiffrer_TotalsFromTheCatalogue(t *testing.T) {
	prix := map[int64]stockapi.Produit{
		5: {ID: 5, Nom: "Cafetière à filtre", Prix: 4999, Actif: true},
		9: {ID: 9, Nom: "Haltères", Prix: 4499, Actif: true},
		4: {ID: 4, Nom: "Lampe", Prix: 7500, Actif: false},
	}
	dispo := map[int64]stockapi.Niveau{5: {ProduitID: 5, Disponible: 3}, 9: {ProduitID: 9, Disponible: 1}, 4: {ProduitID: 4, Nom: "Lampe", Disponible: 9}}
	lignes, total := chiffrer(ticket{{5, 2}, {9, 2}, {4, 1}, {77, 1}}, prix, dispo)
	require.Equal(t, kit.Cents(2*4999+2*4499), total, "only priced lines count")
	require.Equal(t, kit.Cents(9998), lignes[0].SousTotal)
	require.True(t, lignes[0].Plus())
	require.False(t, lignes[1].Plus())
	require.True(t, lignes[1].Manque(), "2 asked, 1 in the store")
	require.True(t, lignes[2].Inconnu, "an inactive product is no longer sold")
	require.Equal(t, "Lampe", lignes[2].Nom)
	require.True(t, lignes[3].Inconnu)
	require.Equal(t, "Produit inconnu n° 77", lignes[3].Nom)
	require.Equal(t, "2000000000053", lignes[0].Code)
}

func TestMonnaie_RefusesCashShortOfTheTotal(t *testing.T) {
	m, err := monnaie(10000, 7497)
	require.NoError(t, err)
	require.Equal(t, kit.Cents(2503), m)
	m, err = monnaie(7497, 7497)
	require.NoError(t, err)
	require.Zero(t, m)
	_, err = monnaie(5000, 7497)
	require.EqualError(t, err, "Le champ « montant remis » (50,00\u00a0$) est inférieur au total (74,97\u00a0$) : il manque 24,97\u00a0$.")
}

func TestLireMontant_AsTypedAtATill(t *testing.T) {
	for texte, want := range map[string]kit.Cents{
		"50": 5000, "50,5": 5050, "50,00 $": 5000, "1 234,56": 123456, "1\u202f234,56\u00a0$": 123456, "50.25": 5025, " 0 ": 0,
	} {
		got, err := lireMontant(texte, "montant remis")
		require.NoError(t, err, texte)
		require.Equal(t, want, got, texte)
	}
	_, err := lireMontant("", "montant remis")
	require.EqualError(t, err, "Le champ « montant remis » est requis pour un paiement comptant.")
	for _, texte := range []string{"abc", "-5", "1,234", "5,5,5"} {
		_, err := lireMontant(texte, "montant remis")
		require.EqualError(t, err, "Le champ « montant remis » doit être un montant, par exemple 50,00.", texte)
	}
}

func TestProduitCode_BarCodeNumberOrName(t *testing.T) {
	for code, want := range map[string]int64{"2000000000053": 5, "5": 5, " 14 ": 14} {
		id, ok, err := produitCode(code)
		require.NoError(t, err, code)
		require.True(t, ok, code)
		require.Equal(t, want, id, code)
	}
	_, ok, err := produitCode("café")
	require.NoError(t, err)
	require.False(t, ok, "a name is searched, not refused")
	_, ok, err = produitCode("2000000000050")
	require.True(t, ok)
	require.EqualError(t, err, "Le code « 2000000000050 » n'est pas un code de produit de la chaîne (chiffre de contrôle ou préfixe).")
	_, _, err = produitCode("0")
	require.Error(t, err)
}

func TestLireARendre_BoundsEachLine(t *testing.T) {
	lignes := []ligneVendue{
		{Ligne: commandeapi.Ligne{ProduitID: 5, Quantite: 3, QuantiteRetournee: 1, PrixUnitaire: 4999}, Nom: "Cafetière", Reste: 2},
		{Ligne: commandeapi.Ligne{ProduitID: 9, Quantite: 1, PrixUnitaire: 4499}, Nom: "Haltères", Reste: 1},
	}
	form := url.Values{"rendre-5": {"2"}, "rendre-9": {""}}
	out, demande, total, err := lireARendre(lignes, form.Get)
	require.NoError(t, err)
	require.Equal(t, kit.Cents(9998), total)
	require.Len(t, demande, 1)
	require.Equal(t, int64(5), demande[0].ProduitID)
	require.Equal(t, 2, out[0].ARendre)

	form = url.Values{"rendre-5": {"3"}, "rendre-9": {"-1"}}
	out, _, _, err = lireARendre(lignes, form.Get)
	require.EqualError(t, err, "La quantité à retourner de « Cafetière » est d'au plus 2 (3 vendu(s), 1 déjà retourné(s)) ; 3 demandé(s)."+
		" La quantité à retourner de « Haltères » doit être un nombre entier de 0 à 1.")
	require.NotEmpty(t, out[0].Erreur)
	require.NotEmpty(t, out[1].Erreur)
}

func TestQR_IsAnInlineSVGWithoutStyle(t *testing.T) {
	svg, err := qrSVG("c1c1c1c1-0000-4000-8000-000000000001", "Code QR")
	require.NoError(t, err)
	s := string(svg)
	require.True(t, strings.HasPrefix(s, `<svg class="qr" viewBox="0 0 `), s[:40])
	require.Contains(t, s, `role="img" aria-label="Code QR"`)
	require.Regexp(t, `<path fill="#000" d="(M\d+ \d+h\d+v1h-\d+z)+"/></svg>$`, s)
	require.NotContains(t, s, "style")
	require.NotContains(t, s, "http")
}

// The SVG drawn is the code: painted module by module from its path, a
// reader decodes the order number back.
func TestQR_DrawnPathDecodesBackToTheText(t *testing.T) {
	const texte = "c1c1c1c1-0000-4000-8000-000000000001"
	svg, err := qrSVG(texte, "Code QR")
	require.NoError(t, err)
	m := regexp.MustCompile(`viewBox="0 0 (\d+) \d+"`).FindStringSubmatch(string(svg))
	require.NotNil(t, m)
	cote, err := strconv.Atoi(m[1])
	require.NoError(t, err)
	const px = 4
	img := image.NewGray(image.Rect(0, 0, cote*px, cote*px))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	runs := regexp.MustCompile(`M(\d+) (\d+)h(\d+)v1h-\d+z`).FindAllStringSubmatch(string(svg), -1)
	require.NotEmpty(t, runs)
	for _, r := range runs {
		x, _ := strconv.Atoi(r[1])
		y, _ := strconv.Atoi(r[2])
		n, _ := strconv.Atoi(r[3])
		draw.Draw(img, image.Rect(x*px, y*px, (x+n)*px, (y+1)*px), image.Black, image.Point{}, draw.Src)
	}
	lu, err := qr.Decode(img)
	require.NoError(t, err)
	require.Equal(t, texte, lu)
}

// A sale at store 1's counter, with a return already made.
const venteMagasin1 = `{"id":"c1c1c1c1-0000-4000-8000-000000000001","client_id":1,"canal":"magasin","magasin_id":1,"statut":"CONFIRMEE",
"total":37.50,"total_retourne":12.50,"cree_le":"2026-01-02T15:04:05Z","modifie_le":"2026-01-02T16:00:00Z",
"lignes":[{"produit_id":3,"quantite":3,"prix_unitaire":12.50,"sous_total":37.50,"quantite_retournee":1}],
"retours":[{"id":"d1d1d1d1-0000-4000-8000-000000000001","commande_id":"c1c1c1c1-0000-4000-8000-000000000001",
"lignes":[{"produit_id":3,"quantite":1,"prix_unitaire":12.50,"montant":12.50}],"montant":12.50,"at":"2026-01-02T16:00:00Z"}]}`

const cheminVente = "/magasins/1/ventes/c1c1c1c1-0000-4000-8000-000000000001"

func TestTill_ButtonsChangeTheTicketThenRedirect(t *testing.T) {
	_, e := setup(t)
	b := e.as(t, "caissier1")
	for _, c := range []struct{ query, want string }{
		{"code=2000000000039", "/magasins/1?ligne=3%3A1"},
		{"code=3&ligne=3:1", "/magasins/1?ligne=3%3A2"},
		{"ajouter=3&ligne=3:1&recherche=caf", "/magasins/1?ligne=3%3A2"},
		{"plus=3&ligne=3:1&recherche=caf", "/magasins/1?ligne=3%3A2&recherche=caf"},
		{"moins=3&ligne=3:1", "/magasins/1"},
		{"retirer=3&ligne=3:4", "/magasins/1"},
		{"vider=1&ligne=3:4&recherche=x", "/magasins/1"},
		{"code=caf%C3%A9&ligne=3:1", "/magasins/1?ligne=3%3A1&recherche=caf%C3%A9"},
	} {
		rec := b.do("GET", "/magasins/1?"+c.query, nil)
		require.Equal(t, http.StatusSeeOther, rec.Code, c.query)
		require.Equal(t, c.want, rec.Header().Get("Location"), c.query)
	}
	for query, want := range map[string]string{
		"code=2000000000030":        "n&#39;est pas un code de produit de la chaîne",
		"code=42":                   "Aucun produit n° 42 n&#39;est vendu dans ce magasin.",
		"plus=3&ligne=3:38":         "Stock insuffisant : il reste 38 « Café moulu » disponible(s) au magasin.",
		"ajouter=x&ligne=3:1":       "Le champ « produit » doit être un nombre entier.",
		"code=3&ligne=3:2&ligne=zz": "Ligne de ticket illisible ignorée : « zz ».",
	} {
		rec := b.do("GET", "/magasins/1?"+query, nil)
		require.Equal(t, http.StatusSeeOther, rec.Code, query)
		_, body := b.get(rec.Header().Get("Location"))
		require.Contains(t, body, want, query)
	}
	// The head office sees the store, not the till: its buttons do nothing.
	code, body := e.as(t, "maison-mere").get("/magasins/1?code=3")
	require.Equal(t, http.StatusOK, code)
	require.NotContains(t, body, `id="caisse"`)
}

func TestTill_ShowsTheTicketPricedAndTheStoresStock(t *testing.T) {
	f, e := setup(t)
	f.set("GET /produits", http.StatusOK, `{"items":[{"id":3,"nom":"Café moulu","categorie":"épicerie","prix":12.50,"actif":true}],"total":1,"limit":500,"offset":0}`)
	b := e.as(t, "caissier1")
	code, body := b.get("/magasins/1?ligne=3:2")
	require.Equal(t, http.StatusOK, code)
	for _, want := range []string{
		`<tr data-produit-id="3" data-nom="Café moulu épicerie" data-code="2000000000039">`,
		`<td data-col="disponible">38</td>`,
		`<tr data-produit-id="3" data-quantite="2">`,
		`<td id="ticket-total" data-total-cents="2500">25,00` + "\u00a0$",
		`<input type="hidden" name="ligne" value="3:2">`,
		`<label for="code">`, `<label for="recherche">`, `<label for="remis">`,
		`<option value="3">Café moulu — 38 disponible(s) au centre</option>`,
	} {
		require.Contains(t, body, want)
	}
	require.Regexp(t, `<input type="hidden" name="cle" value="[0-9a-f-]{36}">`, body)
	require.NotContains(t, body, `id="vendre" disabled`)
	_, body = b.get("/magasins/1?recherche=lampe")
	require.Contains(t, body, "Aucun produit ne correspond à « lampe ».")
}

// tillForm is the payment form as the till rendered it for ticket lignes.
func tillForm(t *testing.T, b *browser, lignes ...string) url.Values {
	t.Helper()
	q := url.Values{"ligne": lignes}
	_, body := b.get("/magasins/1?" + q.Encode())
	m := regexp.MustCompile(`<input type="hidden" name="cle" value="([0-9a-f-]{36})">`).FindStringSubmatch(body)
	require.NotNil(t, m, "the payment form carries a one-time key")
	return url.Values{"ligne": lignes, "cle": {m[1]}}
}

func TestVente_CashSaleGoesToTheSagaWithItsKeyThenShowsTheChange(t *testing.T) {
	f, e := setup(t)
	vente := strings.Replace(sagaConfirmee, `"termine":true`, `"termine":true,"requete":{"magasin_id":1,"methode":"comptant","produits":[{"produit_id":3,"quantite":2}]}`, 1)
	f.set("POST /saga/vente", http.StatusCreated, vente)
	f.set("GET /saga/11111111-1111-4111-8111-111111111111", http.StatusOK, vente)
	b := e.as(t, "caissier1")
	form := tillForm(t, b, "3:2")
	form.Set("methode", "comptant")

	form.Set("remis", "20")
	rec := b.post("/magasins/1/ventes", form)
	require.Equal(t, http.StatusSeeOther, rec.Code)
	_, called := f.called("POST /saga/vente")
	require.False(t, called, "cash short of the total never reaches the saga")
	_, body := b.get(rec.Header().Get("Location"))
	require.Contains(t, body, "Le champ « montant remis » (20,00\u00a0$) est inférieur au total (25,00\u00a0$)")
	require.Contains(t, body, `<input type="hidden" name="ligne" value="3:2">`, "the ticket is kept")

	form.Set("remis", "30,00")
	rec = b.post("/magasins/1/ventes", form)
	require.Equal(t, http.StatusSeeOther, rec.Code)
	idem, _ := f.sent("POST /saga/vente")
	require.Equal(t, form.Get("cle"), idem, "the form's one-time key is the Idempotency-Key")
	var sent map[string]any
	require.NoError(t, json.Unmarshal([]byte(f.body("POST /saga/vente")), &sent))
	require.Equal(t, map[string]any{"magasin_id": 1.0, "methode": "comptant", "produits": []any{
		map[string]any{"produit_id": 3.0, "quantite": 2.0}}}, sent)
	_, body = b.get(rec.Header().Get("Location"))
	require.Contains(t, body, `data-statut="CONFIRMEE"`)
	require.Contains(t, body, `Monnaie à rendre : <span id="monnaie-rendue">5,00`+"\u00a0$")
	require.Contains(t, body, `href="`+strings.ReplaceAll(cheminVente+"?remis=3000&vente=11111111-1111-4111-8111-111111111111", "&", "&amp;")+`" id="lien-recu"`)
	require.Contains(t, body, "Le ticket est vide", "sold: the next customer starts afresh")

	// Without a key or a way to pay, nothing is sold.
	f.mu.Lock()
	delete(f.bodies, "POST /saga/vente")
	f.mu.Unlock()
	for _, c := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"ligne": {"3:1"}, "methode": {"carte"}}, "Ce formulaire de paiement a expiré"},
		{url.Values{"ligne": {"3:1"}, "cle": {form.Get("cle")}}, "Choisissez le mode de paiement"},
		{url.Values{"cle": {form.Get("cle")}, "methode": {"carte"}}, "Le ticket est vide : ajoutez au moins un produit."},
	} {
		rec := b.post("/magasins/1/ventes", c.form)
		_, body := b.get(rec.Header().Get("Location"))
		require.Contains(t, body, c.want)
	}
	_, called = f.called("POST /saga/vente")
	require.False(t, called)
}

func TestRecu_ShowsTheSaleItsPaymentReturnsAndQR(t *testing.T) {
	f, e := setup(t)
	f.set("GET /commande/c1c1c1c1-0000-4000-8000-000000000001", http.StatusOK, venteMagasin1)
	vente := strings.Replace(sagaConfirmee, `"termine":true`, `"termine":true,"requete":{"magasin_id":1,"methode":"comptant","produits":[{"produit_id":3,"quantite":3}]}`, 1)
	f.set("GET /saga/11111111-1111-4111-8111-111111111111", http.StatusOK, vente)
	b := e.as(t, "caissier1")
	code, body := b.get(cheminVente + "?vente=11111111-1111-4111-8111-111111111111&remis=5000")
	require.Equal(t, http.StatusOK, code)
	for _, want := range []string{
		`<h2 id="recu-magasin">Plateau</h2>`, "1 rue Mont-Royal", `<code id="recu-numero">c1c1c1c1-0000-4000-8000-000000000001</code>`,
		"2026-01-02 10:04", "<td>Café moulu<br><small>1 retourné(s)</small></td>", `<td id="recu-total">37,50` + "\u00a0$",
		`<dd id="recu-methode">Comptant</dd>`, `<dd id="recu-remis">50,00` + "\u00a0$", `<dd id="recu-monnaie">12,50` + "\u00a0$",
		"remboursé 12,50\u00a0$", `<svg class="qr"`, `id="lien-retour"`,
	} {
		require.Contains(t, body, want)
	}
	// Without the sale's saga, the page does not guess how it was paid.
	_, body = b.get(cheminVente + "?remis=5000")
	require.Contains(t, body, "non indiqué sur cette copie")
	require.NotContains(t, body, "recu-remis")
	// The head office reads it, but takes nothing back.
	code, body = e.as(t, "maison-mere").get(cheminVente)
	require.Equal(t, http.StatusOK, code)
	require.NotContains(t, body, `id="lien-retour"`)
}

func TestRecu_OfAnotherStoreOrOnlineIsNotFound(t *testing.T) {
	f, e := setup(t)
	b := e.as(t, "caissier1")
	for name, body := range map[string]string{
		"another store's sale": strings.Replace(venteMagasin1, `"magasin_id":1`, `"magasin_id":2`, 1),
		"an online order":      strings.Replace(strings.Replace(venteMagasin1, `"magasin_id":1,`, ``, 1), `"canal":"magasin"`, `"canal":"en_ligne"`, 1),
	} {
		f.set("GET /commande/c1c1c1c1-0000-4000-8000-000000000001", http.StatusOK, body)
		for _, path := range []string{cheminVente, cheminVente + "/retour"} {
			code, page := b.get(path)
			require.Equal(t, http.StatusNotFound, code, name+" "+path)
			require.Contains(t, page, "Aucune vente de ce magasin ne porte ce numéro.")
			require.NotContains(t, page, "Café moulu")
		}
		rec := b.post(cheminVente+"/retour", url.Values{"rendre-3": {"1"}, "cle": {"d2d2d2d2-0000-4000-8000-000000000001"}})
		require.Equal(t, http.StatusNotFound, rec.Code, name)
	}
	f.set("GET /commande/c1c1c1c1-0000-4000-8000-000000000001", http.StatusNotFound, `{"title":"Not Found","status":404}`)
	code, _ := b.get(cheminVente)
	require.Equal(t, http.StatusNotFound, code)
	code, _ = b.get("/magasins/1/ventes/pas-un-uuid")
	require.Equal(t, http.StatusNotFound, code)
	_, called := f.called("POST /saga/retour")
	require.False(t, called)
}

func TestRetour_BoundsThenPostsTheSagaWithItsKey(t *testing.T) {
	f, e := setup(t)
	f.set("GET /commande/c1c1c1c1-0000-4000-8000-000000000001", http.StatusOK, venteMagasin1)
	f.set("POST /saga/retour", http.StatusCreated, strings.Replace(sagaConfirmee, `"type":"vente"`, `"type":"retour"`, 1))
	b := e.as(t, "caissier1")
	code, body := b.get(cheminVente + "/retour?rendre-3=1")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, `name="rendre-3" min="0" max="2" step="1" value="1"`)
	require.Contains(t, body, `<output id="remboursement" aria-live="polite">12,50`+"\u00a0$")
	m := regexp.MustCompile(`name="cle" value="([0-9a-f-]{36})"`).FindStringSubmatch(body)
	require.NotNil(t, m)
	cle := m[1]

	rec := b.post(cheminVente+"/retour", url.Values{"rendre-3": {"3"}, "cle": {cle}})
	require.Equal(t, http.StatusSeeOther, rec.Code)
	_, called := f.called("POST /saga/retour")
	require.False(t, called, "more than is left never reaches the saga")
	_, body = b.get(rec.Header().Get("Location"))
	require.Contains(t, body, "La quantité à retourner de « Café moulu » est d&#39;au plus 2 (3 vendu(s), 1 déjà retourné(s)) ; 3 demandé(s).")
	require.Contains(t, body, `value="3"`, "the form keeps what was typed")
	require.Contains(t, body, `value="`+cle+`"`, "and its key")

	rec = b.post(cheminVente+"/retour", url.Values{"rendre-3": {"0"}, "cle": {cle}})
	_, body = b.get(rec.Header().Get("Location"))
	require.Contains(t, body, "Indiquez au moins une quantité à retourner.")

	rec = b.post(cheminVente+"/retour", url.Values{"rendre-3": {"2"}, "cle": {cle}})
	require.Equal(t, http.StatusSeeOther, rec.Code)
	require.JSONEq(t, `{"commande_id":"c1c1c1c1-0000-4000-8000-000000000001","lignes":[{"produit_id":3,"quantite":2}]}`, f.body("POST /saga/retour"))
	idem, _ := f.sent("POST /saga/retour")
	require.Equal(t, cle, idem)
	require.Equal(t, cheminVente+"?saga=11111111-1111-4111-8111-111111111111#saga-resultat", rec.Header().Get("Location"))
}

func TestVentes_ListsTheStoresSalesByDayAndAmount(t *testing.T) {
	f, e := setup(t)
	autre := strings.Replace(strings.ReplaceAll(venteMagasin1, "c1c1c1c1", "c3c3c3c3"), `"total":37.50`, `"total":12.50`, 1)
	f.set("GET /commandes", http.StatusOK, `{"items":[`+venteMagasin1+`,`+autre+`],"total":2,"limit":200,"offset":0}`)
	b := e.as(t, "caissier1")
	code, body := b.get("/magasins/1/ventes?depuis=2026-01-02&jusqu_a=2026-01-02&montant=37,50")
	require.Equal(t, http.StatusOK, code)
	_, query := f.sent("GET /commandes")
	q, err := url.ParseQuery(query)
	require.NoError(t, err)
	require.Equal(t, "1", q.Get("magasin_id"))
	require.Equal(t, "magasin", q.Get("canal"))
	require.Equal(t, "2026-01-02T00:00:00-05:00", q.Get("depuis"), "Montréal's day")
	require.Equal(t, "2026-01-03T00:00:00-05:00", q.Get("jusqu_a"), "the day after the last one")
	require.Contains(t, body, `data-commande-id="c1c1c1c1-0000-4000-8000-000000000001"`)
	require.NotContains(t, body, `data-commande-id="c3c3c3c3`, "another amount")
	require.Contains(t, body, "3 × Café moulu")
	require.Contains(t, body, `href="`+cheminVente+`/retour"`)
	_, body = b.get("/magasins/1/ventes?montant=abc")
	require.Contains(t, body, "Le champ « montant » doit être un montant")
}
