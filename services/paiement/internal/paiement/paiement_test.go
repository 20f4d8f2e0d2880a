package paiement

import (
	"errors"
	"testing"

	"github.com/google/uuid"

	"multimagasins/kit"
)

func TestAutoriser_CardIsLimitedPerChargeAndCashIsNot(t *testing.T) {
	cases := []struct {
		name    string
		methode Methode
		montant kit.Cents
		limite  kit.Cents
		statut  Statut
		motif   string
	}{
		{"card under the default limit", Carte, 499_99, LimiteParDefaut, Accepte, ""},
		{"card exactly at the limit", Carte, 500_00, LimiteParDefaut, Accepte, ""},
		{"card over the default limit", Carte, 750_00, LimiteParDefaut, Refuse,
			"montant 750.00 supérieur à la limite d'autorisation 500.00"},
		{"card over a custom limit", Carte, 100_01, 100_00, Refuse,
			"montant 100.01 supérieur à la limite d'autorisation 100.00"},
		{"card with a zero limit", Carte, 1, 0, Refuse,
			"montant 0.01 supérieur à la limite d'autorisation 0.00"},
		{"cash far over the limit", Comptant, 9_999_00, LimiteParDefaut, Accepte, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := Demande{CommandeID: uuid.New(), ClientID: 1, Montant: c.montant, Methode: c.methode}
			statut, motif := Autoriser(d, c.limite)
			if statut != c.statut || motif != c.motif {
				t.Fatalf("Autoriser = (%s, %q), want (%s, %q)", statut, motif, c.statut, c.motif)
			}
		})
	}
}

func TestDemande_Valider(t *testing.T) {
	ok := Demande{CommandeID: uuid.New(), ClientID: 1, Montant: 10_00, Methode: Carte}
	cases := []struct {
		name string
		edit func(*Demande)
		want error
	}{
		{"valid", func(*Demande) {}, nil},
		{"max amount", func(d *Demande) { d.Montant = MontantMax }, nil},
		{"zero amount", func(d *Demande) { d.Montant = 0 }, ErrMontantInvalide},
		{"negative amount", func(d *Demande) { d.Montant = -1 }, ErrMontantInvalide},
		{"over the max", func(d *Demande) { d.Montant = MontantMax + 1 }, ErrMontantInvalide},
		{"cheque", func(d *Demande) { d.Methode = "cheque" }, ErrMethodeInconnue},
		{"nil order", func(d *Demande) { d.CommandeID = uuid.Nil }, ErrCommandeSansID},
		{"no client", func(d *Demande) { d.ClientID = 0 }, ErrClientInvalide},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := ok
			c.edit(&d)
			if err := d.Valider(); !errors.Is(err, c.want) {
				t.Fatalf("Valider = %v, want %v", err, c.want)
			}
		})
	}
}

func TestValiderLimite(t *testing.T) {
	for _, c := range []struct {
		limite kit.Cents
		ok     bool
	}{{0, true}, {500_00, true}, {MontantMax, true}, {-1, false}, {MontantMax + 1, false}} {
		if err := ValiderLimite(c.limite); (err == nil) != c.ok {
			t.Errorf("ValiderLimite(%s) = %v", c.limite, err)
		}
	}
}

func TestRembourser_NeverExceedsTheCharge(t *testing.T) {
	accepte := Paiement{Montant: 100_00, Statut: Accepte}
	cases := []struct {
		name      string
		p         Paiement
		montant   kit.Cents
		rembourse kit.Cents
		statut    Statut
		err       error
		reste     kit.Cents
	}{
		{"partial", accepte, 40_00, 40_00, PartiellementRembourse, nil, 0},
		{"whole", accepte, 100_00, 100_00, Rembourse, nil, 0},
		{"the rest of a partial", Paiement{Montant: 100_00, Rembourse: 60_00, Statut: PartiellementRembourse},
			40_00, 100_00, Rembourse, nil, 0},
		{"one cent too many", accepte, 100_01, 0, Accepte, ErrRemboursementTotal, 100_00},
		{"after a full refund", Paiement{Montant: 100_00, Rembourse: 100_00, Statut: Rembourse},
			1, 100_00, Rembourse, ErrRemboursementTotal, 0},
		{"a refused charge", Paiement{Montant: 100_00, Statut: Refuse}, 1, 0, Refuse, ErrNonRemboursable, 0},
		{"zero", accepte, 0, 0, Accepte, ErrMontantInvalide, 0},
		{"negative", accepte, -5_00, 0, Accepte, ErrMontantInvalide, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.p.Rembourser(c.montant)
			if !errors.Is(err, c.err) {
				t.Fatalf("err = %v, want %v", err, c.err)
			}
			if got.Rembourse != c.rembourse || got.Statut != c.statut {
				t.Fatalf("got (%s, %s), want (%s, %s)", got.Rembourse, got.Statut, c.rembourse, c.statut)
			}
			var dep *DepassementError
			if errors.As(err, &dep) && dep.Reste != c.reste {
				t.Fatalf("reste = %s, want %s", dep.Reste, c.reste)
			}
		})
	}
}

func TestDepassementError_NamesBothAmounts(t *testing.T) {
	err := (&DepassementError{Montant: 10_00, Reste: 2_50}).Error()
	if err != "remboursement 10.00 supérieur au reste remboursable 2.50" {
		t.Fatal(err)
	}
}

func TestAppliquer_JusquAuResteCapsAtWhatIsLeft(t *testing.T) {
	geste := Paiement{Montant: 200_00, Rembourse: 10_00, Statut: PartiellementRembourse}
	tout := Paiement{Montant: 200_00, Rembourse: 200_00, Statut: Rembourse}
	cases := []struct {
		name      string
		p         Paiement
		d         DemandeRemboursement
		montant   kit.Cents
		rembourse kit.Cents
		statut    Statut
		err       error
	}{
		{"capped at the rest", geste, DemandeRemboursement{Montant: 200_00, JusquAuReste: true}, 190_00, 200_00, Rembourse, nil},
		{"under the rest, as asked", geste, DemandeRemboursement{Montant: 50_00, JusquAuReste: true}, 50_00, 60_00, PartiellementRembourse, nil},
		{"nothing left is nothing refunded", tout, DemandeRemboursement{Montant: 1, JusquAuReste: true}, 0, 200_00, Rembourse, nil},
		{"without the flag, beyond the rest", geste, DemandeRemboursement{Montant: 200_00}, 0, 10_00, PartiellementRembourse, ErrRemboursementTotal},
		{"a refused charge still", Paiement{Montant: 100_00, Statut: Refuse}, DemandeRemboursement{Montant: 1, JusquAuReste: true}, 0, 0, Refuse, ErrNonRemboursable},
		{"zero is still invalid", geste, DemandeRemboursement{Montant: 0, JusquAuReste: true}, 0, 10_00, PartiellementRembourse, ErrMontantInvalide},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, montant, err := c.p.Appliquer(c.d)
			if !errors.Is(err, c.err) {
				t.Fatalf("err = %v, want %v", err, c.err)
			}
			if montant != c.montant || got.Rembourse != c.rembourse || got.Statut != c.statut {
				t.Fatalf("got (%s, %s, %s), want (%s, %s, %s)", montant, got.Rembourse, got.Statut, c.montant, c.rembourse, c.statut)
			}
		})
	}
}
