package commande

import (
	"errors"
	"testing"
	"time"

	"multimagasins/kit"
)

func TestMoyenne_RoundsHalfAwayFromZero(t *testing.T) {
	cases := []struct {
		ca   kit.Cents
		n    int64
		want kit.Cents
	}{
		{6997, 2, 3499}, {6996, 2, 3498}, {1000, 3, 333}, {2000, 3, 667}, {0, 5, 0}, {500, 0, 0}, {-5, 2, -3},
	}
	for _, c := range cases {
		if got := Moyenne(c.ca, c.n); got != c.want {
			t.Errorf("Moyenne(%d, %d) = %d, want %d", c.ca, c.n, got, c.want)
		}
	}
}

func TestNouvellePeriode_DefaultsAndOrder(t *testing.T) {
	now := time.Date(2025, 5, 1, 12, 0, 0, 0, time.UTC)
	a, b := now.Add(-time.Hour), now.Add(-2*time.Hour)
	cases := []struct {
		name           string
		depuis, jusqua time.Time
		want           Periode
		bad            bool
	}{
		{"both defaults", time.Time{}, time.Time{}, Periode{now.Add(-PeriodeParDefaut), now}, false},
		{"only jusqu_a", time.Time{}, a, Periode{a.Add(-PeriodeParDefaut), a}, false},
		{"only depuis", b, time.Time{}, Periode{b, now}, false},
		{"reversed", a, b, Periode{}, true},
		{"empty", a, a, Periode{}, true},
		{"depuis in the future", now.Add(time.Hour), time.Time{}, Periode{}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := NouvellePeriode(c.depuis, c.jusqua, now)
			var ve *ValidationError
			if c.bad {
				if !errors.As(err, &ve) || ve.Champs[0].Location != "query.jusqu_a" {
					t.Fatalf("err = %v, want a ValidationError on query.jusqu_a", err)
				}
				return
			}
			if err != nil || !p.Depuis.Equal(c.want.Depuis) || !p.JusquA.Equal(c.want.JusquA) {
				t.Fatalf("got %v, %v; want %v", p, err, c.want)
			}
		})
	}
}

func TestNouvellesPerformances_AgainstTheChainAverage(t *testing.T) {
	p := NouvellesPerformances(Periode{}, map[int]Agregat{
		1: {ChiffreAffaires: 30000, NombreVentes: 3}, 3: {ChiffreAffaires: 20000, NombreVentes: 1},
		0: {ChiffreAffaires: 99999, NombreVentes: 9}, // online is no store
	})
	if p.MoyenneChaine != (MoyenneChaine{ChiffreAffaires: 10000, NombreVentes: 0.8, PanierMoyen: 12500}) {
		t.Fatalf("moyenne = %+v", p.MoyenneChaine)
	}
	want := []float64{200, -100, 100, -100, -100}
	for i, m := range p.Magasins {
		if m.MagasinID != i+1 || m.EcartChiffreAffairesPct == nil || *m.EcartChiffreAffairesPct != want[i] {
			t.Errorf("magasin %d: %+v", i+1, m)
		}
	}
	if e := NouvellesPerformances(Periode{}, nil).Magasins[0].EcartChiffreAffairesPct; e != nil {
		t.Errorf("no sale at all: ecart = %v, want null", *e)
	}
}

func TestVerifierJours_AtMost366(t *testing.T) {
	d := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := VerifierJours(Periode{d, d.AddDate(0, 0, 366)}); err != nil {
		t.Fatal(err)
	}
	if err := VerifierJours(Periode{d, d.AddDate(0, 0, 367)}); err == nil {
		t.Fatal("367 days accepted")
	}
}
