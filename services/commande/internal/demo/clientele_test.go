package demo

import (
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestClientele_StableForASeedAndAPrefixOfALongerList(t *testing.T) {
	a := Clientele(GraineClientele, 300)
	require.Len(t, a, 300)
	require.Equal(t, a, Clientele(GraineClientele, 300), "the same seed, the same customers")
	require.Equal(t, a[:120], Clientele(GraineClientele, 120), "a shorter list is the start of the longer one")
	require.NotEqual(t, a, Clientele(GraineClientele+1, 300), "another seed, other customers")
}

var (
	telephoneFictif = regexp.MustCompile(`^(514|438)-555-01[0-9]{2}$`)
	adresseMontreal = regexp.MustCompile(`^[0-9]+, [^,]+(, app\. [0-9]+)?, Montréal \(Québec\) H[0-9][A-Z] [0-9][A-Z][0-9]$`)
	localPart       = regexp.MustCompile(`^[a-z-]+\.[a-z-]+[0-9]*$`)
)

func TestClientele_PlausibleMontrealCustomers(t *testing.T) {
	emails := map[string]bool{}
	noms := map[string]bool{}
	accents := 0
	for _, c := range Clientele(GraineClientele, 300) {
		prenom, nom, ok := strings.Cut(c.Nom, " ")
		require.True(t, ok && prenom != "" && nom != "", "first and last name: %q", c.Nom)
		noms[c.Nom] = true
		if strings.ContainsAny(c.Nom, "éèêëàâçîïôùûÉÈ") {
			accents++
		}

		e := strings.ToLower(c.Email)
		require.False(t, emails[e], "email used twice (any case): %s", c.Email)
		emails[e] = true
		_, err := mail.ParseAddress(c.Email)
		require.NoError(t, err, c.Email)
		local, domain, _ := strings.Cut(c.Email, "@")
		require.Equal(t, DomaineCourriel, domain, "a reserved domain: no mail reaches anyone")
		require.Regexp(t, localPart, local, "derived from the name, without accents")

		require.Regexp(t, telephoneFictif, c.Telephone, "555-0100 to 555-0199 are for fiction")
		require.Regexp(t, adresseMontreal, c.Adresse)
	}
	require.Greater(t, len(noms), 250, "few namesakes")
	require.Greater(t, accents, 30, "Québec names carry their accents")
}

func TestClientele_EmailFollowsTheName(t *testing.T) {
	for _, c := range []struct{ nom, local string }{
		{"Émilie Bélanger", "emilie-belanger"}, // ascii of the whole name
		{"Marie-Ève St-Pierre", "marie-eve-st-pierre"},
		{"Maëlle Côté", "maelle-cote"},
		{"François Deschênes", "francois-deschenes"},
	} {
		require.Equal(t, c.local, ascii(c.nom), c.nom)
	}
	for _, c := range Clientele(GraineClientele, 300) {
		prenom, nom, _ := strings.Cut(c.Nom, " ")
		local, _, _ := strings.Cut(c.Email, "@")
		require.True(t, strings.HasPrefix(local, ascii(prenom)+"."+ascii(nom)), "%s: %s", c.Nom, c.Email)
	}
}

func TestVentes_OnlyTheGivenCustomersBuyAndEachStoreHasRegulars(t *testing.T) {
	clients := make([]int64, 300)
	for i := range clients {
		clients[i] = 1000 + int64(i) // ids as the clients service gives them; never the guest
	}
	p := Plan{Jours: 30, ParJour: 10, Graine: 7, Fin: time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC), Prix: PrixCatalogue, Clients: clients}
	ventes := Ventes(p)
	require.Equal(t, ventes, Ventes(p), "the same plan, the same sales")

	known := map[int64]bool{}
	for _, id := range clients {
		known[id] = true
	}
	buyers := map[int64]bool{}
	counter := map[int64]map[int64]int{} // store -> customer -> sales
	for _, v := range ventes {
		d := v.Demande
		require.True(t, known[d.ClientID], "sale to unknown customer %d", d.ClientID)
		buyers[d.ClientID] = true
		if d.MagasinID != nil {
			m := int64(*d.MagasinID)
			if counter[m] == nil {
				counter[m] = map[int64]int{}
			}
			counter[m][d.ClientID]++
		}
	}
	require.Greater(t, len(buyers), 250, "the sales are spread over most customers")
	require.Len(t, counter, 5, "every store's counter sales name a customer")
	for m, ventes := range counter {
		// About a fifth of the customers are a store's regulars and make
		// most of its sales.
		var n []int
		total := 0
		for _, k := range ventes {
			n = append(n, k)
			total += k
		}
		slices.Sort(n)
		slices.Reverse(n)
		top := 0
		for _, k := range n[:len(clients)/5] {
			top += k
		}
		require.Greater(t, float64(top)/float64(total), 0.6, "store %d: its regulars buy most", m)
	}

	require.Panics(t, func() { Ventes(Plan{Jours: 1, ParJour: 1, Fin: p.Fin, Prix: PrixCatalogue}) }, "a sale is always someone's")
}
