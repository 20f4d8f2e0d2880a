// Package demo plans a plausible sales history for the five stores and the
// online channel: who bought what, when, and what came back, and the
// customers who did (Clientele). It is pure (seeded generators, no I/O), so
// the same seed, end and customers give the same sales.
package demo

import (
	"math"
	"math/rand/v2"
	"slices"
	"time"
	_ "time/tzdata" // the Montréal zone, even where the system has no zoneinfo

	"github.com/google/uuid"

	"multimagasins/commande/internal/commande"
	"multimagasins/kit"
)

// PrixCatalogue are the seed prices of products 1 to 14 in stock's first
// migration, used when stock cannot be asked.
var PrixCatalogue = map[int64]kit.Cents{
	1: 10000, 2: 25000, 3: 5999, 4: 7500, 5: 4999, 6: 12999, 7: 3499,
	8: 2999, 9: 4499, 10: 1999, 11: 3999, 12: 1299, 13: 2499, 14: 499,
}

// Plan says what history to make.
type Plan struct {
	Jours   int                 // Montréal days before Fin
	ParJour int                 // average sales per day and channel (each store, and online)
	Graine  int64               // the random seed
	Fin     time.Time           // the history ends at the start of the Montréal day holding Fin
	Prix    map[int64]kit.Cents // unit price by product id
	// Clients are the ids of the customers who buy, as the clients service
	// gave them (never assumed), in Clientele's order; at least one.
	Clients []int64
}

// poidsCanal: busier stores downtown, fewer online orders; the mean is 1,
// so a channel averages ParJour sales a day.
var poidsCanal = []struct {
	magasin int // 0 for online
	poids   float64
}{{1, 1.15}, {2, 0.95}, {3, 1.3}, {4, 0.8}, {5, 0.9}, {0, 0.9}}

// poidsJour by time.Weekday (Sunday first): busy weekends; the mean is 1.
var poidsJour = [7]float64{0.95, 0.85, 0.85, 0.95, 1.0, 1.15, 1.25}

// tauxRetour is the share of sales that see something come back.
const tauxRetour = 0.02

// Ventes plans the history, oldest day first. It panics when p has no
// customers: every sale is someone's.
func Ventes(p Plan) []commande.VenteHistorique {
	loc, err := time.LoadLocation(commande.Fuseau)
	if err != nil {
		panic(err) // time/tzdata is linked in: the zone is always there
	}
	if len(p.Clients) == 0 {
		panic("demo.Ventes: the plan has no customers")
	}
	rng := rand.New(rand.NewPCG(uint64(p.Graine), 0x6d61676173696e73))
	qui := newAcheteurs(rng, p.Clients)
	ids := make([]int64, 0, len(p.Prix))
	for id := range p.Prix {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	// Cheap products sell more often: weight by 1/sqrt(price).
	var produits tirage
	for _, id := range ids {
		produits.ajouter(id, 1/math.Sqrt(float64(p.Prix[id])))
	}

	f := p.Fin.In(loc)
	fin := time.Date(f.Year(), f.Month(), f.Day(), 0, 0, 0, 0, loc)
	var out []commande.VenteHistorique
	for d := p.Jours; d >= 1; d-- {
		jour := fin.AddDate(0, 0, -d)
		for _, c := range poidsCanal {
			n := int(math.Round(float64(p.ParJour) * c.poids * poidsJour[jour.Weekday()] * (0.85 + 0.3*rng.Float64())))
			for range max(n, 1) {
				v := vente(rng, jour, c.magasin, qui.tirer(rng, c.magasin), &produits, p.Prix)
				if rng.Float64() < tauxRetour {
					v.Retour = retour(rng, v, fin)
				}
				out = append(out, v)
			}
		}
	}
	return out
}

func vente(rng *rand.Rand, jour time.Time, magasin int, client int64, produits *tirage,
	prix map[int64]kit.Cents) commande.VenteHistorique {
	d := commande.Demande{ClientID: client, Canal: commande.EnLigne}
	var at time.Time
	if magasin == 0 {
		at = jour.Add(time.Duration(rng.Int64N(int64(24 * time.Hour))))
	} else {
		m := magasin
		d.Canal, d.MagasinID = commande.Magasin, &m
		// Opening hours, 9:00 to 21:00.
		at = jour.Add(9*time.Hour + time.Duration(rng.Int64N(int64(12*time.Hour))))
	}
	id := newUUID(rng)
	d.ID = &id
	nLignes := 1 + min(rng.IntN(4), rng.IntN(4)) // mostly one or two lines
	for len(d.Lignes) < nLignes {
		pid := produits.tirer(rng)
		if slices.ContainsFunc(d.Lignes, func(l commande.LigneDemandee) bool { return l.ProduitID == pid }) {
			continue
		}
		q := 1
		if rng.Float64() < 0.2 {
			q += 1 + rng.IntN(3)
		}
		d.Lignes = append(d.Lignes, commande.LigneDemandee{ProduitID: pid, Quantite: q, PrixUnitaire: prix[pid]})
	}
	return commande.VenteHistorique{Demande: d, CreeLe: at.UTC().Truncate(time.Microsecond)}
}

// partHabitues is the share of a store's counter sales made by its regulars;
// the rest are customers who live elsewhere and happen by.
const partHabitues = 0.85

// acheteurs picks who makes a sale. Each customer has a home store and a
// loyalty weight (a few buy often, most now and then). Counter sales go to
// customers too, as if each showed the chain's loyalty card at the till: a
// sale with no customer would fall on the guest (client 1), whose list must
// hold only what the guest did, and an anonymous counter sale has no other
// honest place to go today.
type acheteurs struct {
	tous     tirage
	habitues [6]tirage // by home store, 1 to 5
}

// tirage draws one id (a customer, a product), each with its weight: cumul
// holds the running sums.
type tirage struct {
	ids   []int64
	cumul []float64
}

func (t *tirage) ajouter(id int64, poids float64) {
	var avant float64
	if n := len(t.cumul); n > 0 {
		avant = t.cumul[n-1]
	}
	t.ids, t.cumul = append(t.ids, id), append(t.cumul, avant+poids)
}

func (t *tirage) tirer(rng *rand.Rand) int64 {
	x := rng.Float64() * t.cumul[len(t.cumul)-1]
	i, _ := slices.BinarySearch(t.cumul, x)
	return t.ids[min(i, len(t.ids)-1)]
}

func newAcheteurs(rng *rand.Rand, clients []int64) *acheteurs {
	a := &acheteurs{}
	for _, id := range clients {
		poids := 0.2 + rng.ExpFloat64()
		a.tous.ajouter(id, poids)
		a.habitues[1+rng.IntN(5)].ajouter(id, poids)
	}
	return a
}

// tirer picks the customer of a sale at magasin (0 online).
func (a *acheteurs) tirer(rng *rand.Rand, magasin int) int64 {
	if h := &a.habitues[magasin]; magasin > 0 && len(h.ids) > 0 && rng.Float64() < partHabitues {
		return h.tirer(rng)
	}
	return a.tous.tirer(rng)
}

// retour brings back part of one line within a week of the sale, never after fin.
func retour(rng *rand.Rand, v commande.VenteHistorique, fin time.Time) *commande.Retour {
	l := v.Demande.Lignes[rng.IntN(len(v.Demande.Lignes))]
	q := 1 + rng.IntN(l.Quantite)
	at := v.CreeLe.Add(time.Hour + time.Duration(rng.Int64N(int64(7*24*time.Hour))))
	if !at.Before(fin) {
		at = fin.Add(-time.Second)
	}
	montant := l.PrixUnitaire * kit.Cents(q)
	return &commande.Retour{ID: newUUID(rng), CommandeID: *v.Demande.ID, Montant: montant, At: at.UTC().Truncate(time.Microsecond),
		Lignes: []commande.LigneRetournee{{ProduitID: l.ProduitID, Quantite: q, PrixUnitaire: l.PrixUnitaire, Montant: montant}}}
}

// newUUID is a version 4 UUID from the seeded generator, so a plan is reproducible.
func newUUID(rng *rand.Rand) uuid.UUID {
	var u uuid.UUID
	for i := range 16 {
		u[i] = byte(rng.Uint32())
	}
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return u
}
