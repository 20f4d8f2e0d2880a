package demo

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"multimagasins/kit/api/clientsapi"
)

// GraineClientele seeds the demo customers. It is not the history's seed:
// the customers are the chain's cast, the same whatever history (or how many
// forced ones) is generated about them, so their Idempotency-Keys always
// come back with the same fields.
const GraineClientele int64 = 1608

// DomaineCourriel is the demo customers' email domain: under the reserved
// .example top-level domain (RFC 2606), so no mail can ever reach a person.
const DomaineCourriel = "clients.multi-magasins.example"

// Common first names in Québec, of several generations, and some of
// Montréal's other communities; accents included.
var prenoms = []string{
	"Gabrielle", "Léa", "Émilie", "Chloé", "Zoé", "Florence", "Mégane", "Noémie", "Rosalie", "Béatrice",
	"Éloïse", "Maëlle", "Camille", "Audrey", "Isabelle", "Geneviève", "Mélanie", "Nathalie", "Sylvie", "Josée",
	"Chantal", "Marie-Ève", "Marie-Claude", "Anne-Sophie", "Véronique", "Catherine", "Julie", "Valérie", "Hélène",
	"Thérèse", "Jacinthe", "Annie", "Karine", "Stéphanie", "Frédérique", "Ariane", "Laurence", "Mireille",
	"Solange", "Ginette", "Yasmine", "Sofia", "Inès", "Fatima", "Linh", "Marjorie",
	"William", "Thomas", "Liam", "Jacob", "Nathan", "Félix", "Samuel", "Olivier", "Louis", "Émile",
	"Édouard", "Raphaël", "Antoine", "Alexis", "Gabriel", "Mathis", "Zachary", "Jérémie", "Étienne", "Benoît",
	"François", "Jean-François", "Marc-André", "Pierre-Luc", "Sébastien", "Mathieu", "Simon", "Guillaume",
	"Maxime", "Martin", "Stéphane", "Luc", "Réjean", "Gilles", "Michel", "Denis", "André", "Hugo", "Léo",
	"Noah", "Éric", "Yannick", "Jérôme", "Frédéric", "Patrick", "Ghislain", "Normand", "Adam", "Karim",
	"Mohamed", "Wilson", "Minh",
}

// Common family names in Québec (the most frequent first, so they come out
// most often), then some of Montréal's other communities.
var noms = []string{
	"Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Gauthier", "Morin", "Lavoie", "Fortin", "Gagné",
	"Ouellet", "Pelletier", "Bélanger", "Lévesque", "Bergeron", "Leblanc", "Paquette", "Girard", "Simard",
	"Boucher", "Caron", "Beaulieu", "Cloutier", "Dubé", "Poirier", "Fournier", "Lapointe", "Leclerc",
	"Lefebvre", "Poulin", "Thibault", "St-Pierre", "Nadeau", "Martin", "Landry", "Martel", "Bédard",
	"Grenier", "Lessard", "Bernier", "Richard", "Michaud", "Hébert", "Desjardins", "Couture", "Turcotte",
	"Lachance", "Parent", "Blais", "Gosselin", "Savard", "Proulx", "Beaudoin", "Demers", "Perreault",
	"Boudreau", "Lemieux", "Cyr", "Perron", "Dufour", "Dion", "Mercier", "Bolduc", "Bérubé", "Boisvert",
	"Langlois", "Ménard", "Therrien", "Plante", "Bilodeau", "Dubois", "Champagne", "Paradis", "Fortier",
	"Arsenault", "Dupuis", "Gaudreault", "Hamel", "Marcoux", "Deschênes", "Létourneau", "Thériault",
	"Gingras", "Vaillancourt", "Séguin", "Béland",
	"Nguyen", "Tran", "Haddad", "Khoury", "Joseph", "Jean-Baptiste", "Rossi", "Ferreira", "Benali", "Chen",
}

// rues are Montréal streets, each with a forward sortation area (the postal
// code's first half) of its neighbourhood.
var rues = []struct{ rue, fsa string }{
	{"rue Saint-Denis", "H2J"}, {"boulevard Saint-Laurent", "H2T"}, {"avenue du Mont-Royal Est", "H2J"},
	{"rue Rachel Est", "H2J"}, {"rue Masson", "H1Y"}, {"boulevard Rosemont", "H1X"}, {"rue Beaubien Est", "H2S"},
	{"rue Bélanger", "H2S"}, {"rue Jean-Talon Est", "H2E"}, {"avenue Christophe-Colomb", "H2E"},
	{"rue Fleury Est", "H2C"}, {"rue Saint-Hubert", "H2R"}, {"rue Villeray", "H2R"}, {"rue Ontario Est", "H1W"},
	{"rue Hochelaga", "H1V"}, {"rue Sherbrooke Est", "H1N"}, {"rue Sainte-Catherine Est", "H2L"},
	{"avenue Papineau", "H2K"}, {"avenue De Lorimier", "H2H"}, {"rue de Bellechasse", "H2G"},
	{"rue Wellington", "H4G"}, {"rue Notre-Dame Ouest", "H4C"}, {"avenue Monkland", "H4B"},
	{"boulevard Décarie", "H4A"}, {"avenue Laurier Ouest", "H2V"}, {"avenue Van Horne", "H3S"},
	{"chemin de la Côte-des-Neiges", "H3S"}, {"boulevard Gouin Ouest", "H4J"},
}

// Postal code letters: Canada Post uses no D, F, I, O, Q or U.
const lettresPostales = "ABCEGHJKLMNPRSTVWXYZ"

// Clientele makes n plausible Montréal customers for a seed: name, email
// derived from it, a fictional phone number (555-0100 to 555-0199 are kept
// for fiction) and an address. Customer i depends only on the seed, i and
// the customers before it, so a longer list starts with the shorter one and
// the demo can grow its customers without changing the first ones.
func Clientele(graine int64, n int) []clientsapi.Fields {
	out := make([]clientsapi.Fields, 0, n)
	pris := make(map[string]int, n) // email local part -> times used
	for i := range n {
		rng := rand.New(rand.NewPCG(uint64(graine), uint64(i)+1))
		prenom, nom := prenoms[rng.IntN(len(prenoms))], tirerNom(rng)
		local := ascii(prenom) + "." + ascii(nom)
		pris[local]++
		if k := pris[local]; k > 1 {
			local += fmt.Sprint(k) // a second Émilie Tremblay: emilie.tremblay2
		}
		out = append(out, clientsapi.Fields{
			Nom:       prenom + " " + nom,
			Email:     local + "@" + DomaineCourriel,
			Telephone: telephone(rng),
			Adresse:   adresse(rng),
		})
	}
	return out
}

// tirerNom favours the frequent names: the list is in order of frequency,
// and the smaller of two draws leans to its start.
func tirerNom(rng *rand.Rand) string {
	return noms[min(rng.IntN(len(noms)), rng.IntN(len(noms)))]
}

func telephone(rng *rand.Rand) string {
	indicatif := "514"
	if rng.IntN(3) == 0 {
		indicatif = "438"
	}
	return fmt.Sprintf("%s-555-01%02d", indicatif, rng.IntN(100))
}

func adresse(rng *rand.Rand) string {
	r := rues[rng.IntN(len(rues))]
	var b strings.Builder
	fmt.Fprintf(&b, "%d, %s", 100+rng.IntN(9800), r.rue)
	if rng.IntN(3) == 0 {
		fmt.Fprintf(&b, ", app. %d", 1+rng.IntN(12))
	}
	l := func() byte { return lettresPostales[rng.IntN(len(lettresPostales))] }
	fmt.Fprintf(&b, ", Montréal (Québec) %s %d%c%d", r.fsa, rng.IntN(10), l(), rng.IntN(10))
	return b.String()
}

// sansAccents maps the accented letters of French names to plain ones.
var sansAccents = strings.NewReplacer(
	"à", "a", "â", "a", "ä", "a", "ç", "c", "é", "e", "è", "e", "ê", "e", "ë", "e",
	"î", "i", "ï", "i", "ô", "o", "ö", "o", "ù", "u", "û", "u", "ü", "u", "ÿ", "y", "æ", "ae", "œ", "oe")

// ascii lowers a name and takes off its accents and anything an email's
// local part should not hold: "Marie-Ève" -> "marie-eve", "St-Pierre" -> "st-pierre".
func ascii(s string) string {
	var b strings.Builder
	for _, r := range sansAccents.Replace(strings.ToLower(s)) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-':
			b.WriteRune(r)
		case r == ' ', r == '\'':
			b.WriteRune('-')
		}
	}
	return b.String()
}
