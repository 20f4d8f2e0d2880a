package kit

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestParseCents_AcceptsAtMostTwoDecimals(t *testing.T) {
	tests := []struct {
		in   string
		want Cents
	}{
		{"0", 0},
		{"12", 1200},
		{"12.3", 1230},
		{"12.34", 1234},
		{"0.1", 10},
		{"0.05", 5},
		{"-0.05", -5},
		{"-12.34", -1234},
		{"-0", 0},
		{"007.50", 750},
		{"9999999999999.99", 999999999999999}, // the largest amount accepted: 13 whole digits
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseCents(tt.in)
			if err != nil {
				t.Fatalf("ParseCents(%q) error: %v", tt.in, err)
			}
			if got != tt.want {
				t.Fatalf("ParseCents(%q) = %d, want %d", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseCents_RejectsWhatIsNotAnAmount(t *testing.T) {
	for _, in := range []string{
		"", "-", ".", ".5", "5.", "-.5",
		"12.345", "0.001", // a third decimal would be silently lost
		"1e3", "1E3", "1.5e2", // exponents hide the real precision
		"+1", "--1", "1.-5", "1.+5", "1_000", "1,50", " 1", "1 ", "0x10", "abc", "NaN", "Inf",
		"12345678901234",          // 14 whole digits: too large to add up safely
		"99999999999999999999.99", // overflows int64 cents
		"-99999999999999999999",
	} {
		t.Run(in, func(t *testing.T) {
			if got, err := ParseCents(in); err == nil {
				t.Fatalf("ParseCents(%q) = %d, want an error", in, got)
			}
		})
	}
}

func TestCents_StringHasTwoDecimals(t *testing.T) {
	tests := []struct {
		in   Cents
		want string
	}{
		{0, "0.00"},
		{5, "0.05"},
		{10, "0.10"},
		{1234, "12.34"},
		{50000, "500.00"},
		{-5, "-0.05"},
		{-1234, "-12.34"},
		{999999999999999, "9999999999999.99"},
	}
	for _, tt := range tests {
		if got := tt.in.String(); got != tt.want {
			t.Errorf("Cents(%d).String() = %q, want %q", int64(tt.in), got, tt.want)
		}
	}
}

func TestCents_JSONRoundTrip(t *testing.T) {
	type line struct {
		Prix Cents `json:"prix"`
	}
	b, err := json.Marshal(line{Prix: 1999})
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"prix":19.99}` {
		t.Fatalf("marshal = %s", b)
	}
	for _, in := range []string{"0.1", "19.99", "-0.05", "500"} {
		var l line
		if err := json.Unmarshal([]byte(`{"prix":`+in+`}`), &l); err != nil {
			t.Fatalf("unmarshal %s: %v", in, err)
		}
		want, _ := ParseCents(in)
		if l.Prix != want {
			t.Fatalf("unmarshal %s = %d, want %d", in, l.Prix, want)
		}
	}
}

func TestCents_UnmarshalRejectsStringsNullAndExtraPrecision(t *testing.T) {
	for _, in := range []string{`"19.99"`, `null`, `12.345`, `1e3`, `true`, `[1]`, `99999999999999999999`} {
		var c Cents
		err := json.Unmarshal([]byte(in), &c)
		if err == nil {
			t.Fatalf("unmarshal %s = %d, want an error", in, c)
		}
		if !strings.Contains(err.Error(), "two decimals") && !strings.Contains(err.Error(), "cannot unmarshal") {
			t.Fatalf("unmarshal %s: unhelpful error %v", in, err)
		}
	}
}

func BenchmarkCents_Marshal(b *testing.B) {
	v := struct {
		Prix  Cents `json:"prix"`
		Total Cents `json:"total"`
	}{Prix: 1999, Total: 123456789}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(v); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseCents(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseCents("12345.67"); err != nil {
			b.Fatal(err)
		}
	}
}

func TestParseCents_SaysWhatIsAllowed(t *testing.T) {
	for in, want := range map[string]string{
		"1.001":          "at most two decimals",
		"1e3":            "at most two decimals",
		"12345678901234": "at most 13 digits",
	} {
		_, err := ParseCents(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseCents(%q) = %v, want it to say %q", in, err, want)
		}
	}
}
