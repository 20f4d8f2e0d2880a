package stock

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestTransition_EveryStatutAndAction(t *testing.T) {
	cases := []struct {
		statut string
		action Action
		next   string
		act    bool
		err    error
	}{
		{StatutActive, Liberer, StatutLiberee, true, nil},
		{StatutActive, Confirmer, StatutConfirmee, true, nil},
		{StatutLiberee, Liberer, StatutLiberee, false, nil},
		{StatutConfirmee, Confirmer, StatutConfirmee, false, nil},
		{StatutLiberee, Confirmer, StatutLiberee, false, ErrAlreadyReleased},
		{StatutConfirmee, Liberer, StatutConfirmee, false, ErrAlreadyConfirmed},
	}
	for _, c := range cases {
		next, act, err := Transition(c.statut, c.action)
		require.Equal(t, c.next, next, "%s %d", c.statut, c.action)
		require.Equal(t, c.act, act, "%s %d", c.statut, c.action)
		require.ErrorIs(t, err, c.err)
		if c.err == nil {
			require.NoError(t, err)
		}
	}
	_, act, err := Transition("perdue", Liberer)
	require.Error(t, err)
	require.False(t, act)
}

func TestDemande_ValidateNamesTheRepeatedLine(t *testing.T) {
	cases := []struct {
		lignes []Ligne
		field  string
	}{
		{[]Ligne{{1, 1}, {2, 1}}, ""},
		{[]Ligne{{1, 1}, {2, 1}, {1, 3}}, "body.lignes[2].produit_id"},
		{[]Ligne{{5, 1}, {5, 1}}, "body.lignes[1].produit_id"},
	}
	for _, c := range cases {
		err := Demande{Lignes: c.lignes}.Validate()
		if c.field == "" {
			require.NoError(t, err)
			continue
		}
		var fe *FieldErr
		require.True(t, errors.As(err, &fe), "%v", err)
		require.Equal(t, c.field, fe.Field)
	}
}

func TestDemande_LocationDefaultsToTheCentre(t *testing.T) {
	require.Equal(t, CentreID, Demande{}.Location())
	require.Equal(t, int64(3), Demande{EmplacementID: 3}.Location())
}

func TestDemande_LockOrderKeepsTheCallersIndex(t *testing.T) {
	got := Demande{Lignes: []Ligne{{9, 1}, {2, 5}, {4, 2}}}.LockOrder()
	require.Equal(t, []Indexed{{1, Ligne{2, 5}}, {2, Ligne{4, 2}}, {0, Ligne{9, 1}}}, got)
}

func TestEmpreinte_SameRequestWhateverTheLineOrder(t *testing.T) {
	a := NouvelleReservation{Cle: "k", Lignes: []Ligne{{1, 1}, {2, 3}}}
	cases := []struct {
		name string
		b    NouvelleReservation
		same bool
	}{
		{"lines swapped", NouvelleReservation{Cle: "k", Lignes: []Ligne{{2, 3}, {1, 1}}}, true},
		{"centre named", NouvelleReservation{Cle: "k", EmplacementID: CentreID, Lignes: []Ligne{{1, 1}, {2, 3}}}, true},
		{"other quantity", NouvelleReservation{Cle: "k", Lignes: []Ligne{{1, 1}, {2, 4}}}, false},
		{"other location", NouvelleReservation{Cle: "k", EmplacementID: 2, Lignes: []Ligne{{1, 1}, {2, 3}}}, false},
		{"other reference", NouvelleReservation{Cle: "k", Reference: "c-1", Lignes: []Ligne{{1, 1}, {2, 3}}}, false},
		{"one line less", NouvelleReservation{Cle: "k", Lignes: []Ligne{{1, 1}}}, false},
	}
	for _, c := range cases {
		require.Equal(t, c.same, a.Empreinte() == c.b.Empreinte(), c.name)
	}
}

func TestVerifier_SufficientOnlyWhenEveryLineIsCovered(t *testing.T) {
	cases := []struct {
		name      string
		lignes    []Ligne
		dispo     map[int64]int64
		suffisant bool
	}{
		{"all covered", []Ligne{{1, 2}, {2, 5}}, map[int64]int64{1: 2, 2: 9}, true},
		{"one short", []Ligne{{1, 2}, {2, 10}}, map[int64]int64{1: 2, 2: 9}, false},
		{"no stock row", []Ligne{{3, 1}}, map[int64]int64{}, false},
	}
	for _, c := range cases {
		v := Verifier(c.lignes, c.dispo)
		require.Equal(t, c.suffisant, v.Suffisant, c.name)
		require.Len(t, v.Lignes, len(c.lignes), c.name)
		for i, l := range c.lignes {
			require.Equal(t, Disponibilite{l.ProduitID, l.Quantite, c.dispo[l.ProduitID]}, v.Lignes[i], c.name)
		}
	}
}

func TestProduitFields_Validate(t *testing.T) {
	ok := ProduitFields{Nom: "Lampe", Categorie: "Maison", Prix: 7500}
	cases := []struct {
		name  string
		edit  func(*ProduitFields)
		field string
	}{
		{"valid", func(*ProduitFields) {}, ""},
		{"blank name", func(f *ProduitFields) { f.Nom = "" }, "body.nom"},
		{"blank category", func(f *ProduitFields) { f.Categorie = "" }, "body.categorie"},
		{"free", func(f *ProduitFields) { f.Prix = 0 }, "body.prix"},
		{"negative", func(f *ProduitFields) { f.Prix = -1 }, "body.prix"},
		{"too dear", func(f *ProduitFields) { f.Prix = MaxPrix + 1 }, "body.prix"},
	}
	for _, c := range cases {
		f := ok
		c.edit(&f)
		err := f.Validate()
		if c.field == "" {
			require.NoError(t, err, c.name)
			continue
		}
		var fe *FieldErr
		require.True(t, errors.As(err, &fe), c.name)
		require.Equal(t, c.field, fe.Field, c.name)
	}
	require.True(t, ok.IsActif(), "actif defaults to true")
	no := false
	require.False(t, ProduitFields{Actif: &no}.IsActif())
}

func TestInsufficientError_SortsBackToTheCallersOrder(t *testing.T) {
	e := &InsufficientError{Lignes: []Manque{{Index: 2, ProduitID: 1}, {Index: 0, ProduitID: 7}}}
	e.Sort()
	require.Equal(t, 0, e.Lignes[0].Index)
	require.Contains(t, e.Error(), "product 7")
}
