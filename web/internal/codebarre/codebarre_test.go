package codebarre

import (
	"errors"
	"testing"
)

func TestProduit_EncodesAndDecodes(t *testing.T) {
	for _, c := range []struct {
		id   int64
		code string
	}{
		{1, "2000000000015"},
		{5, "2000000000053"},
		{14, "2000000000145"},
		{123456789, "2001234567893"},
		{Max, "2009999999997"},
	} {
		got, err := Produit(c.id)
		if err != nil || got != c.code {
			t.Fatalf("Produit(%d) = %q, %v; want %q", c.id, got, err, c.code)
		}
		id, err := ProduitDe(c.code)
		if err != nil || id != c.id {
			t.Fatalf("ProduitDe(%q) = %d, %v; want %d", c.code, id, err, c.id)
		}
	}
}

func TestProduit_RefusesNumbersWithoutACode(t *testing.T) {
	for _, id := range []int64{0, -3, Max + 1} {
		if code, err := Produit(id); err == nil {
			t.Fatalf("Produit(%d) = %q, want an error", id, code)
		}
	}
}

func TestControle_KnownCodes(t *testing.T) {
	// Manufacturer codes printed on goods, checked against their own last digit.
	for _, code := range []string{"4006381333931", "9780306406157", "0012345678905", "5901234123457"} {
		if !Valide(code) {
			t.Fatalf("Valide(%q) = false", code)
		}
		if got := Controle(code[:12]); got != int(code[12]-'0') {
			t.Fatalf("Controle(%q) = %d, want %c", code[:12], got, code[12])
		}
	}
}

func TestProduitDe_RefusesWhatIsNotAChainCode(t *testing.T) {
	for _, code := range []string{
		"",
		"5",
		"2000000000050",  // wrong check digit
		"200000000005",   // 12 digits
		"20000000000533", // 14 digits
		"200000000005a",
		"4006381333931", // a valid EAN-13 outside the chain's prefix
		"2000000000008", // prefix and check digit right, but product 0
	} {
		if id, err := ProduitDe(code); !errors.Is(err, ErrCode) {
			t.Fatalf("ProduitDe(%q) = %d, %v; want ErrCode", code, id, err)
		}
	}
}
