package kit

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"

	"github.com/danielgtaylor/huma/v2"
)

// Cents is an amount of money in integer cents. JSON shows it as a number
// with two decimals (100.00) and accepts at most two; it is never a float.
type Cents int64

// MarshalJSON writes 12345 as 123.45.
func (c Cents) MarshalJSON() ([]byte, error) { return []byte(c.String()), nil }

func (c Cents) String() string {
	n := int64(c)
	sign := ""
	if n < 0 {
		sign, n = "-", -n
	}
	frac := strconv.FormatInt(n%100, 10)
	if len(frac) == 1 {
		frac = "0" + frac
	}
	return sign + strconv.FormatInt(n/100, 10) + "." + frac
}

// Why an amount is refused; the input policy shows these words at the
// field's location (body.lignes[0].prix_unitaire).
var (
	errCents      = errors.New("must be an amount with at most two decimals, such as 19.99")
	errCentsLarge = errors.New("must be an amount with at most 13 digits before the decimal point")
)

// CentsFormat is the OpenAPI format of an amount. The input policy reads
// every number of that format as Cents does, so the refusal of 1.001 names
// the field at its index instead of coming from deep in encoding/json.
const CentsFormat = "decimal"

// UnmarshalJSON reads the decimal text directly, so 0.1 + 0.2 never happens.
// A refusal is a *json.UnmarshalTypeError so that encoding/json adds the
// field's name to the message ("... field .prix of type ..."). Behind a
// kit server the input policy has refused such a number before, at its
// indexed location; this names the field for any other decoder.
func (c *Cents) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	v, err := ParseCents(string(b))
	if err != nil {
		return &json.UnmarshalTypeError{Value: "number " + string(b) + " (at most two decimals)", Type: reflect.TypeFor[Cents]()}
	}
	*c = v
	return nil
}

// ParseCents parses "12", "12.3" or "-12.34".
func ParseCents(s string) (Cents, error) {
	neg := false
	if s != "" && s[0] == '-' {
		neg, s = true, s[1:]
	}
	whole, frac, hasDot := s, "", false
	for i := range len(s) {
		if s[i] == '.' {
			whole, frac, hasDot = s[:i], s[i+1:], true
			break
		}
	}
	if whole == "" || len(frac) > 2 || (hasDot && frac == "") {
		return 0, errCents
	}
	if len(whole) > 13 {
		return 0, errCentsLarge
	}
	for len(frac) < 2 {
		frac += "0"
	}
	w, err := strconv.ParseUint(whole, 10, 63)
	if err != nil {
		return 0, errCents
	}
	f, err := strconv.ParseUint(frac, 10, 8)
	if err != nil {
		return 0, errCents
	}
	v := Cents(int64(w)*100 + int64(f))
	if neg {
		v = -v
	}
	return v, nil
}

// Schema tells the OpenAPI document (and huma's validator) that Cents is a number.
func (Cents) Schema(huma.Registry) *huma.Schema {
	return &huma.Schema{Type: huma.TypeNumber, Format: CentsFormat, Examples: []any{19.99}}
}
