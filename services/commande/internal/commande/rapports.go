package commande

import (
	"math"
	"time"

	"multimagasins/kit"
)

// Fuseau is where the chain's days begin and end: a day of sales is a day in Montréal.
const Fuseau = "America/Montreal"

// PeriodeParDefaut is the period a report covers when the caller names none.
const PeriodeParDefaut = 30 * 24 * time.Hour

// JoursMax bounds the per-day report, whose answer has one row per day.
const JoursMax = 366

// Periode is [Depuis, JusquA): JusquA is excluded.
type Periode struct {
	Depuis time.Time
	JusquA time.Time
}

// NouvellePeriode fills what the caller left out (the 30 days before now,
// or before jusqu_a) and checks that the period is not empty.
func NouvellePeriode(depuis, jusquA, now time.Time) (Periode, error) {
	if jusquA.IsZero() {
		jusquA = now
	}
	if depuis.IsZero() {
		depuis = jusquA.Add(-PeriodeParDefaut)
	}
	p := Periode{Depuis: depuis.UTC(), JusquA: jusquA.UTC()}
	if !p.JusquA.After(p.Depuis) {
		return p, Invalide("query.jusqu_a", "must be after depuis", jusquA.Format(time.RFC3339Nano))
	}
	return p, nil
}

// Invalide is a ValidationError on one field.
func Invalide(location, message string, value any) *ValidationError {
	return &ValidationError{Champs: []Champ{{Location: location, Message: message, Value: value}}}
}

// Agregat is what confirmed sales add up to: revenue net of returns, and
// how many sales made it.
type Agregat struct {
	ChiffreAffaires kit.Cents `json:"chiffre_affaires" doc:"Confirmed sales minus what was returned of them."`
	NombreVentes    int64     `json:"nombre_ventes" doc:"Confirmed orders."`
	PanierMoyen     kit.Cents `json:"panier_moyen" doc:"chiffre_affaires / nombre_ventes, rounded to the cent; 0 without sales."`
}

// NouvelAgregat computes the average basket of ca over n sales.
func NouvelAgregat(ca kit.Cents, n int64) Agregat {
	return Agregat{ChiffreAffaires: ca, NombreVentes: n, PanierMoyen: Moyenne(ca, n)}
}

// Moyenne is ca / n rounded half away from zero, in whole cents; 0 when n is 0.
func Moyenne(ca kit.Cents, n int64) kit.Cents {
	if n <= 0 {
		return 0
	}
	q, r := int64(ca)/n, int64(ca)%n
	if 2*abs(r) >= n {
		if ca < 0 {
			q--
		} else {
			q++
		}
	}
	return kit.Cents(q)
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// VentesCanal is the sales of one store, or of the online channel (no store).
type VentesCanal struct {
	MagasinID *int  `json:"magasin_id" nullable:"true" doc:"null for online sales."`
	Canal     Canal `json:"canal"`
	Agregat
}

// VentesParMagasin is the sales of every store and of the online channel.
type VentesParMagasin struct {
	Depuis   time.Time     `json:"depuis"`
	JusquA   time.Time     `json:"jusqu_a"`
	Magasins []VentesCanal `json:"magasins" nullable:"false" doc:"Stores 1 to 5, then online; a row with zeros when nothing sold."`
	Total    Agregat       `json:"total"`
}

// NouvellesVentesParMagasin builds the report from the sums per channel,
// keyed by store id (0 for online). Every store and the online channel get
// a row, in a fixed order, even without sales.
func NouvellesVentesParMagasin(p Periode, sommes map[int]Agregat) VentesParMagasin {
	v := VentesParMagasin{Depuis: p.Depuis, JusquA: p.JusquA}
	var ca kit.Cents
	var n int64
	for _, key := range []int{1, 2, 3, 4, 5, 0} {
		row := VentesCanal{Canal: EnLigne}
		if key != 0 {
			row.MagasinID, row.Canal = &key, Magasin
		}
		s := sommes[key]
		row.Agregat = NouvelAgregat(s.ChiffreAffaires, s.NombreVentes)
		v.Magasins = append(v.Magasins, row)
		ca += s.ChiffreAffaires
		n += s.NombreVentes
	}
	v.Total = NouvelAgregat(ca, n)
	return v
}

// Classement says how top-produits orders products.
type Classement string

// The two orders of top-produits.
const (
	ParQuantite        Classement = "quantite"
	ParChiffreAffaires Classement = "chiffre_affaires"
)

// ProduitVendu is one product's net sales over a period.
type ProduitVendu struct {
	ProduitID       int64     `json:"produit_id"`
	Quantite        int64     `json:"quantite" doc:"Units sold minus units returned."`
	ChiffreAffaires kit.Cents `json:"chiffre_affaires"`
}

// TopProduits is the best-selling products, best first.
type TopProduits struct {
	Depuis   time.Time      `json:"depuis"`
	JusquA   time.Time      `json:"jusqu_a"`
	Par      Classement     `json:"par"`
	Produits []ProduitVendu `json:"produits" nullable:"false"`
}

// Jour is one day's sales, in Montréal time.
type Jour struct {
	Jour            string    `json:"jour" doc:"YYYY-MM-DD in America/Montreal."`
	ChiffreAffaires kit.Cents `json:"chiffre_affaires"`
	NombreVentes    int64     `json:"nombre_ventes"`
}

// ChiffreAffairesParJour is every day of the period, days without sales included.
type ChiffreAffairesParJour struct {
	Depuis    time.Time `json:"depuis"`
	JusquA    time.Time `json:"jusqu_a"`
	MagasinID *int      `json:"magasin_id,omitempty" doc:"The store asked for; absent for the whole chain."`
	Jours     []Jour    `json:"jours" nullable:"false"`
}

// VerifierJours refuses a per-day period longer than JoursMax days.
func VerifierJours(p Periode) error {
	if p.JusquA.Sub(p.Depuis) > JoursMax*24*time.Hour {
		return Invalide("query.jusqu_a", "the per-day report covers at most 366 days", p.JusquA.Format(time.RFC3339Nano))
	}
	return nil
}

// PerformanceMagasin is a store's sales against the chain average.
type PerformanceMagasin struct {
	MagasinID int `json:"magasin_id"`
	Agregat
	EcartChiffreAffairesPct *float64 `json:"ecart_chiffre_affaires_pct" nullable:"true" doc:"(chiffre_affaires − average) / average × 100, one decimal; null when the average is 0."`
}

// MoyenneChaine is what an average store of the chain sold.
type MoyenneChaine struct {
	ChiffreAffaires kit.Cents `json:"chiffre_affaires" doc:"Revenue of the five stores / 5, to the cent."`
	NombreVentes    float64   `json:"nombre_ventes" doc:"Sales of the five stores / 5, two decimals."`
	PanierMoyen     kit.Cents `json:"panier_moyen" doc:"Revenue of the five stores / their sales."`
}

// PerformanceMagasins compares each store with the chain average (counter
// sales only: the online channel is no store).
type PerformanceMagasins struct {
	Depuis        time.Time            `json:"depuis"`
	JusquA        time.Time            `json:"jusqu_a"`
	MoyenneChaine MoyenneChaine        `json:"moyenne_chaine"`
	Magasins      []PerformanceMagasin `json:"magasins" nullable:"false"`
}

// NouvellesPerformances builds the comparison from the sums per store id.
func NouvellesPerformances(p Periode, sommes map[int]Agregat) PerformanceMagasins {
	var ca kit.Cents
	var n int64
	for id := MagasinMin; id <= MagasinMax; id++ {
		ca += sommes[id].ChiffreAffaires
		n += sommes[id].NombreVentes
	}
	const magasins = MagasinMax - MagasinMin + 1
	moy := MoyenneChaine{
		ChiffreAffaires: Moyenne(ca, magasins),
		NombreVentes:    math.Round(float64(n)/magasins*100) / 100,
		PanierMoyen:     Moyenne(ca, n),
	}
	out := PerformanceMagasins{Depuis: p.Depuis, JusquA: p.JusquA, MoyenneChaine: moy}
	for id := MagasinMin; id <= MagasinMax; id++ {
		s := sommes[id]
		pm := PerformanceMagasin{MagasinID: id, Agregat: NouvelAgregat(s.ChiffreAffaires, s.NombreVentes)}
		if ca != 0 {
			// Against the exact average (ca / 5), not the rounded one shown.
			e := math.Round((float64(s.ChiffreAffaires)*magasins/float64(ca)-1)*1000) / 10
			pm.EcartChiffreAffairesPct = &e
		}
		out.Magasins = append(out.Magasins, pm)
	}
	return out
}

// VenteHistorique is a past sale the history generator writes as the saga
// would have left it: the order CONFIRMEE at CreeLe, and maybe one return.
type VenteHistorique struct {
	Demande Demande // with its ID set
	CreeLe  time.Time
	Retour  *Retour // nil when nothing came back
}
