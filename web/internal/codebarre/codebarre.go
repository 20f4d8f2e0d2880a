// Package codebarre gives every product an EAN-13 bar code a till can scan.
//
// The catalogue has no manufacturer codes (GTINs), so the codes are made
// from the product number, in the GS1 "restricted circulation" range that
// GS1 leaves to a retailer for use inside its own stores (prefixes 20 to 29):
// "200", then the product number on 9 digits, then the check digit. Such a
// code means nothing outside the chain, which is exactly its use here: the
// shelf label and the till agree, and no register of codes has to be kept,
// since the code is computed from the number and the number read back from
// the code. Product numbers above 999 999 999 have no code.
package codebarre

import (
	"errors"
	"fmt"
	"strconv"
)

// Prefixe is the GS1 restricted-circulation prefix the chain's codes start with.
const Prefixe = "200"

// Max is the largest product number a code can carry (9 digits).
const Max = 999_999_999

// Produit returns the EAN-13 code of product id.
func Produit(id int64) (string, error) {
	if id < 1 || id > Max {
		return "", fmt.Errorf("codebarre: product %d has no code (1 to %d)", id, Max)
	}
	douze := fmt.Sprintf("%s%09d", Prefixe, id)
	return douze + string(rune('0'+Controle(douze))), nil
}

// ErrCode is a code that is not one of the chain's product codes.
var ErrCode = errors.New("codebarre: not a product code of the chain")

// ProduitDe reads the product number back from an EAN-13 code. A code of
// another length, with a wrong check digit or outside the chain's prefix
// is ErrCode.
func ProduitDe(code string) (int64, error) {
	if !Valide(code) || code[:len(Prefixe)] != Prefixe {
		return 0, ErrCode
	}
	id, err := strconv.ParseInt(code[len(Prefixe):12], 10, 64)
	if err != nil || id < 1 {
		return 0, ErrCode
	}
	return id, nil
}

// Valide reports whether code is 13 digits whose last is the check digit of
// the first 12 (any EAN-13, not only the chain's).
func Valide(code string) bool {
	if len(code) != 13 || !chiffres(code) {
		return false
	}
	return int(code[12]-'0') == Controle(code[:12])
}

// Controle is the GS1 check digit of 12 digits: from the right, weights 3
// and 1 alternate; the digit brings the sum to a multiple of 10. It panics
// on anything but 12 digits, a programming error.
func Controle(douze string) int {
	if len(douze) != 12 || !chiffres(douze) {
		panic("codebarre: Controle needs 12 digits, got " + strconv.Quote(douze))
	}
	somme := 0
	for i := range 12 {
		d := int(douze[i] - '0')
		if i%2 == 1 { // 2nd, 4th… from the left are 1st, 3rd… from the right of 12
			d *= 3
		}
		somme += d
	}
	return (10 - somme%10) % 10
}

func chiffres(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
