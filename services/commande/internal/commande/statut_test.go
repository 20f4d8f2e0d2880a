package commande

import (
	"errors"
	"testing"
)

func TestTransition_EveryPairOfStates(t *testing.T) {
	allowed := map[[2]Statut]bool{
		{Creee, StockVerifie}:        true,
		{StockVerifie, StockReserve}: true,
		{StockReserve, Payee}:        true,
		{Payee, Confirmee}:           true,
		{Creee, Annulee}:             true,
		{StockVerifie, Annulee}:      true,
		{StockReserve, Annulee}:      true,
	}
	for _, from := range Statuts {
		for _, to := range Statuts {
			t.Run(string(from)+"→"+string(to), func(t *testing.T) {
				err := Transition(from, to, "rupture de stock")
				if allowed[[2]Statut{from, to}] {
					if err != nil {
						t.Fatalf("want allowed, got %v", err)
					}
					return
				}
				var te *TransitionError
				if !errors.As(err, &te) || !errors.Is(err, ErrTransitionInterdite) {
					t.Fatalf("want a TransitionError, got %v", err)
				}
				if te.De != from || te.Vers != to {
					t.Fatalf("error names %s→%s", te.De, te.Vers)
				}
			})
		}
	}
}

func TestTransition_CancellationNeedsAMotif(t *testing.T) {
	for _, motif := range []string{"", "   "} {
		if err := Transition(Creee, Annulee, motif); !errors.Is(err, ErrMotifRequis) {
			t.Fatalf("motif %q: want ErrMotifRequis, got %v", motif, err)
		}
	}
	if err := Transition(Creee, StockVerifie, ""); err != nil {
		t.Fatalf("a forward step needs no motif: %v", err)
	}
}

func TestTransition_UnknownStatesGoNowhere(t *testing.T) {
	for _, c := range [][2]Statut{{"", Creee}, {Creee, "LIVREE"}, {"LIVREE", Annulee}} {
		if err := Transition(c[0], c[1], "x"); !errors.Is(err, ErrTransitionInterdite) {
			t.Fatalf("%s→%s: want refused, got %v", c[0], c[1], err)
		}
	}
}

func TestStatut_FinalStates(t *testing.T) {
	for _, s := range Statuts {
		want := s == Confirmee || s == Annulee
		if s.Final() != want {
			t.Errorf("%s.Final() = %v, want %v", s, s.Final(), want)
		}
	}
}
