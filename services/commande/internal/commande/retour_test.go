package commande

import (
	"errors"
	"testing"
)

func TestPreparerRetour_StatutLinesAndRemainders(t *testing.T) {
	vendues := []Ligne{
		{ProduitID: 1, Quantite: 2, PrixUnitaire: 1999, QuantiteRetournee: 1},
		{ProduitID: 2, Quantite: 1, PrixUnitaire: 500},
	}
	demande := func(ls ...LigneRetour) DemandeRetour { return DemandeRetour{Lignes: ls} }
	var refus *RetourRefuseError
	var invalide *ValidationError
	var excess *RetourExcessifError
	cases := []struct {
		name    string
		statut  Statut
		d       DemandeRetour
		montant int64
		want    any
	}{
		{"all that is left", Confirmee, demande(LigneRetour{1, 1}, LigneRetour{2, 1}), 2499, nil},
		{"not confirmed", Payee, demande(LigneRetour{1, 1}), 0, &refus},
		{"cancelled", Annulee, demande(LigneRetour{1, 1}), 0, &refus},
		{"not in the order", Confirmee, demande(LigneRetour{3, 1}), 0, &invalide},
		{"twice", Confirmee, demande(LigneRetour{2, 1}, LigneRetour{2, 1}), 0, &invalide},
		{"more than left", Confirmee, demande(LigneRetour{1, 2}), 0, &excess},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lignes, montant, err := PreparerRetour(c.statut, vendues, c.d)
			if c.want == nil {
				if err != nil || int64(montant) != c.montant || len(lignes) != len(c.d.Lignes) {
					t.Fatalf("got %v, %v, %v", lignes, montant, err)
				}
				return
			}
			if !errors.As(err, c.want) {
				t.Fatalf("want %T, got %v", c.want, err)
			}
		})
	}
	_, _, err := PreparerRetour(Confirmee, vendues, demande(LigneRetour{2, 1}, LigneRetour{1, 3}))
	if !errors.As(err, &excess) || len(excess.Lignes) != 1 || excess.Lignes[0].Index != 1 || excess.Lignes[0].Restant != 1 {
		t.Fatalf("excess names line 1 with 1 left: %v", err)
	}
}
