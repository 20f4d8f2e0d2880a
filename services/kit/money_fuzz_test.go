package kit

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

// amountRE is the whole grammar of an amount ParseCents may accept: an
// optional minus, 1 to 13 digits, and a point with one or two decimals.
// Anything else read as an amount would lose or invent precision.
var amountRE = regexp.MustCompile(`^-?[0-9]{1,13}(\.[0-9]{1,2})?$`)

// FuzzParseCents holds the money parser to its grammar: it never panics,
// accepts exactly amountRE (so never a third decimal), and what it accepts
// formats back, as text and as JSON, to an amount that parses to the same
// value: a price that goes through the API twice is still the same price.
func FuzzParseCents(f *testing.F) {
	for _, s := range []string{
		"0", "12", "12.3", "12.34", "-0.05", "-0", "007.50", "9999999999999.99", "-9999999999999.99",
		"1.001", "0.001", "12345678901234", "99999999999999999999.99", "1e3", "1.5e2", "+1", "--1",
		"1.", ".5", "-.5", "1.-5", "1.+5", "1_000", "1,50", " 1", "1 ", "0x10", "NaN", "Inf", "",
		"-", ".", "١٢", "1.\u0000", "\xff", "9223372036854775807", "-9223372036854775808",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCents(s)
		if want := amountRE.MatchString(s); (err == nil) != want {
			t.Fatalf("ParseCents(%q) = %d, %v; the grammar says accepted=%v", s, c, err, want)
		}
		if err != nil {
			return
		}
		text := c.String()
		if !amountRE.MatchString(text) || !strings.Contains(text, ".") || len(text)-strings.IndexByte(text, '.') != 3 {
			t.Fatalf("ParseCents(%q) = %d formats as %q, not an amount with two decimals", s, c, text)
		}
		back, err := ParseCents(text)
		if err != nil || back != c {
			t.Fatalf("ParseCents(%q) = %d formats as %q, which parses to %d, %v", s, c, text, back, err)
		}

		// The same through encoding/json, as the API reads and writes it.
		raw, err := json.Marshal(struct{ Prix Cents }{c})
		if err != nil {
			t.Fatalf("marshal %d: %v", c, err)
		}
		var got struct{ Prix Cents }
		if err := json.Unmarshal(raw, &got); err != nil || got.Prix != c {
			t.Fatalf("%d marshals to %s, which reads back as %d, %v", c, raw, got.Prix, err)
		}
		// JSON has no leading zeros (007.50); any other amount reads alike there.
		var direct Cents
		if json.Valid([]byte(s)) {
			if err := json.Unmarshal([]byte(s), &direct); err != nil || direct != c {
				t.Fatalf("json %s reads as %d, %v; ParseCents says %d", s, direct, err, c)
			}
		}
	})
}
