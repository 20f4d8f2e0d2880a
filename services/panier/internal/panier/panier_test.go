package panier

import (
	"errors"
	"testing"

	"multimagasins/kit"
)

func TestNouveau_TotalIsExactInCents(t *testing.T) {
	cases := []struct {
		name   string
		lignes []Ligne
		want   kit.Cents
	}{
		{"empty", nil, 0},
		{"three at 19.99", []Ligne{{ProduitID: 1, Quantite: 3, PrixUnitaire: 1999}}, 5997},
		{"0.10 + 0.20", []Ligne{{1, 1, 10}, {2, 1, 20}}, 30},
		{"several lines", []Ligne{{1, 2, 10000}, {2, 1000, 1}}, 21000},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := Nouveau(7, c.lignes)
			if p.Total != c.want {
				t.Fatalf("total = %s, want %s", p.Total, c.want)
			}
			if p.Lignes == nil {
				t.Fatal("lignes is nil; clients expect []")
			}
		})
	}
}

func TestVerifierQuantite(t *testing.T) {
	cases := []struct {
		name                 string
		nouvelle, disponible int
		want                 error
	}{
		{"fits", 5, 50, nil},
		{"exactly what is there", 50, 50, nil},
		{"one too many", 51, 50, &StockInsuffisantError{}},
		{"over the line ceiling", QuantiteMax + 1, 1 << 20, ErrQuantiteMax},
		{"ceiling wins over stock", QuantiteMax + 1, 10, ErrQuantiteMax},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := VerifierQuantite(c.nouvelle, c.disponible)
			var court, wantCourt *StockInsuffisantError
			switch {
			case c.want == nil:
				if err != nil {
					t.Fatalf("err = %v, want nil", err)
				}
			case errors.As(c.want, &wantCourt):
				if !errors.As(err, &court) || court.Disponible != c.disponible || court.Demande != c.nouvelle {
					t.Fatalf("err = %v, want stock insuffisant", err)
				}
			default:
				if !errors.Is(err, c.want) {
					t.Fatalf("err = %v, want %v", err, c.want)
				}
			}
		})
	}
}
