package commande

import (
	"errors"
	"strings"
	"testing"

	"multimagasins/kit"
)

func ptr(n int) *int { return &n }

func valid() Demande {
	return Demande{ClientID: 7, Canal: EnLigne, Lignes: []LigneDemandee{
		{ProduitID: 1, Quantite: 2, PrixUnitaire: 1999},
		{ProduitID: 2, Quantite: 1, PrixUnitaire: 500},
	}}
}

func TestValider_NamesEachFaultyField(t *testing.T) {
	many := make([]LigneDemandee, LignesMax+1)
	for i := range many {
		many[i] = LigneDemandee{ProduitID: int64(i + 1), Quantite: 1, PrixUnitaire: 100}
	}
	cases := []struct {
		name  string
		edit  func(*Demande)
		field string // "" means valid
	}{
		{"valid online", func(*Demande) {}, ""},
		{"valid counter sale", func(d *Demande) { d.Canal, d.MagasinID = Magasin, ptr(5) }, ""},
		{"exactly 100 lines", func(d *Demande) { d.Lignes = many[:LignesMax] }, ""},
		{"client 0", func(d *Demande) { d.ClientID = 0 }, "body.client_id"},
		{"unknown canal", func(d *Demande) { d.Canal = "telephone" }, "body.canal"},
		{"magasin without store", func(d *Demande) { d.Canal = Magasin }, "body.magasin_id"},
		{"store 9", func(d *Demande) { d.Canal, d.MagasinID = Magasin, ptr(9) }, "body.magasin_id"},
		{"store 0", func(d *Demande) { d.Canal, d.MagasinID = Magasin, ptr(0) }, "body.magasin_id"},
		{"online with a store", func(d *Demande) { d.MagasinID = ptr(2) }, "body.magasin_id"},
		{"no lines", func(d *Demande) { d.Lignes = nil }, "body.lignes"},
		{"101 lines", func(d *Demande) { d.Lignes = many }, "body.lignes"},
		{"quantite 0", func(d *Demande) { d.Lignes[1].Quantite = 0 }, "body.lignes[1].quantite"},
		{"quantite -1", func(d *Demande) { d.Lignes[0].Quantite = -1 }, "body.lignes[0].quantite"},
		{"quantite too big", func(d *Demande) { d.Lignes[0].Quantite = QuantiteMax + 1 }, "body.lignes[0].quantite"},
		{"prix 0", func(d *Demande) { d.Lignes[0].PrixUnitaire = 0 }, "body.lignes[0].prix_unitaire"},
		{"prix negative", func(d *Demande) { d.Lignes[1].PrixUnitaire = -1 }, "body.lignes[1].prix_unitaire"},
		{"prix over the cap", func(d *Demande) { d.Lignes[1].PrixUnitaire = PrixMax + 1 }, "body.lignes[1].prix_unitaire"},
		{"produit 0", func(d *Demande) { d.Lignes[0].ProduitID = 0 }, "body.lignes[0].produit_id"},
		{"same product twice", func(d *Demande) { d.Lignes[1].ProduitID = 1 }, "body.lignes[1].produit_id"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := valid()
			d.Lignes = append([]LigneDemandee(nil), d.Lignes...)
			c.edit(&d)
			err := d.Valider()
			if c.field == "" {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("want a ValidationError, got %v", err)
			}
			for _, ch := range ve.Champs {
				if ch.Location == c.field {
					return
				}
			}
			t.Fatalf("no error at %s: %v", c.field, err)
		})
	}
}

func TestTotal_IsTheSumOfSubTotals(t *testing.T) {
	lignes := valid().LignesPrix()
	if lignes[0].SousTotal != 3998 || lignes[1].SousTotal != 500 {
		t.Fatalf("sub-totals %v", lignes)
	}
	if got := Total(lignes); got != kit.Cents(4498) {
		t.Fatalf("total = %s, want 44.98", got)
	}
	worst := make([]Ligne, LignesMax)
	for i := range worst {
		worst[i] = Ligne{SousTotal: PrixMax * QuantiteMax}
	}
	if Total(worst) <= 0 {
		t.Fatal("the largest possible order overflows")
	}
}

func TestEmpreinte_SameContentSameFingerprint(t *testing.T) {
	a, b := valid(), valid()
	if a.Empreinte() != b.Empreinte() {
		t.Fatal("same content, different fingerprints")
	}
	b.Lignes = append([]LigneDemandee(nil), b.Lignes...)
	b.Lignes[1].Quantite = 3
	if a.Empreinte() == b.Empreinte() {
		t.Fatal("different quantities, same fingerprint")
	}
	c := valid()
	c.Canal, c.MagasinID = Magasin, ptr(1)
	if strings.EqualFold(a.Empreinte(), c.Empreinte()) {
		t.Fatal("different channel, same fingerprint")
	}
}
