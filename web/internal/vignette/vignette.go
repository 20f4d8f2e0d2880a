// Package vignette draws a product's picture as SVG: a pictogram of its
// category on a colour taken from the category, and the product's initials.
// The catalogue has no photos, and the pages may load nothing from another
// site, so the app draws them itself. The same name and category always give
// the same bytes: the picture can be cached and named by its content.
package vignette

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"hash/fnv"
	"math"
	"strings"
	"unicode"
)

// Largeur and Hauteur are the picture's size in CSS pixels; the pages scale it.
const (
	Largeur = 320
	Hauteur = 200
)

// SVG is the picture of the product nom of category categorie. Both are
// head office's text, written escaped: the picture holds no markup of theirs.
func SVG(nom, categorie string) []byte {
	fond, encre := couleurs(categorie)
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-label="`,
		Largeur, Hauteur, Largeur, Hauteur)
	escape(&b, nom)
	b.WriteString(`"><title>`)
	escape(&b, nom)
	b.WriteString(`</title>`)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="%s"/>`, Largeur, Hauteur, fond)
	// The pictogram, in a 64 × 64 box scaled to 128 on the left half.
	fmt.Fprintf(&b, `<g transform="translate(24 36) scale(2)" fill="none" stroke="%s" stroke-width="4" stroke-linecap="round" stroke-linejoin="round">%s</g>`,
		encre, pictogramme(categorie))
	// The initials in a disc on the right half.
	fmt.Fprintf(&b, `<circle cx="238" cy="100" r="58" fill="%s"/>`, encre)
	fmt.Fprintf(&b, `<text x="238" y="100" dy="0.35em" text-anchor="middle" font-family="system-ui, sans-serif" font-size="44" font-weight="700" fill="%s">`, fond)
	escape(&b, Initiales(nom))
	b.WriteString(`</text></svg>`)
	return b.Bytes()
}

// Version names the picture by its content (12 hex digits of its SHA-256):
// a page links to it with this version, so a picture that changes is a new
// address and the old one can be cached for ever.
func Version(nom, categorie string) string {
	sum := sha256.Sum256(SVG(nom, categorie))
	return hex.EncodeToString(sum[:6])
}

func escape(b *bytes.Buffer, s string) {
	// EscapeText also replaces what XML cannot hold (control characters) by U+FFFD.
	_ = xml.EscapeText(b, []byte(s))
}

// Initiales is the first letter or digit of the name's first two words,
// upper case, leaving out the little words of French ("Tapis de yoga" is
// "TY", "Sirop d'érable" "SÉ", "Café" "C"); a name of little words only
// keeps them.
func Initiales(nom string) string {
	mots := strings.FieldsFunc(nom, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	var out []rune
	for _, petits := range []bool{false, true} {
		for _, mot := range mots {
			if len(out) == 2 {
				break
			}
			if petits || !motOutil[strings.ToLower(mot)] {
				out = append(out, unicode.ToUpper([]rune(mot)[0]))
			}
		}
		if len(out) > 0 {
			break
		}
	}
	if len(out) == 0 {
		return "?"
	}
	return string(out)
}

// motOutil are the words an initial skips.
var motOutil = map[string]bool{"de": true, "d": true, "du": true, "des": true, "la": true, "le": true, "les": true,
	"l": true, "à": true, "au": true, "aux": true, "en": true, "et": true, "pour": true, "sans": true, "avec": true}

// couleurs are a light background and a dark ink of the same hue, the hue
// taken from the category: the same category has the same colours on every
// page. The pair's contrast stays well over 4.5:1 whatever the hue.
func couleurs(categorie string) (fond, encre string) {
	h := fnv.New32a()
	_, _ = h.Write([]byte(cle(categorie)))
	teinte := float64(h.Sum32() % 360)
	return hsl(teinte, 0.55, 0.90), hsl(teinte, 0.60, 0.25)
}

// hsl is a colour as #rrggbb, computed here so the picture holds plain hex.
func hsl(h, s, l float64) string {
	c := (1 - math.Abs(2*l-1)) * s
	x := c * (1 - math.Abs(math.Mod(h/60, 2)-1))
	m := l - c/2
	var r, g, b float64
	switch {
	case h < 60:
		r, g = c, x
	case h < 120:
		r, g = x, c
	case h < 180:
		g, b = c, x
	case h < 240:
		g, b = x, c
	case h < 300:
		r, b = x, c
	default:
		r, b = c, x
	}
	octet := func(v float64) int { return int(math.Round((v + m) * 255)) }
	return fmt.Sprintf("#%02x%02x%02x", octet(r), octet(g), octet(b))
}

// cle is a category as compared: lower case, without accents, trimmed.
func cle(categorie string) string {
	return sansAccents.Replace(strings.ToLower(strings.TrimSpace(categorie)))
}

var sansAccents = strings.NewReplacer("é", "e", "è", "e", "ê", "e", "ë", "e", "à", "a", "â", "a", "î", "i", "ï", "i",
	"ô", "o", "ù", "u", "û", "u", "ü", "u", "ç", "c")

// pictogramme is the outline drawing of a category in a 64 × 64 box; a
// category it does not know gets a shopping bag.
func pictogramme(categorie string) string {
	c := cle(categorie)
	for _, p := range pictogrammes {
		if strings.HasPrefix(c, p.prefixe) {
			return p.dessin
		}
	}
	return sac
}

var pictogrammes = []struct{ prefixe, dessin string }{
	// A screen on its stand.
	{"electr", `<rect x="6" y="10" width="52" height="34" rx="3"/><path d="M24 54h16M32 44v10"/>`},
	{"informat", `<rect x="6" y="10" width="52" height="34" rx="3"/><path d="M24 54h16M32 44v10"/>`},
	// A house.
	{"maison", `<path d="M8 30L32 10l24 20"/><path d="M14 26v28h36V26"/><path d="M27 54V40h10v14"/>`},
	// A ball.
	{"sport", `<circle cx="32" cy="32" r="24"/><path d="M32 8c-8 8-8 40 0 48M32 8c8 8 8 40 0 48M8 32h48"/>`},
	// Building blocks.
	{"jouet", `<rect x="8" y="30" width="22" height="22" rx="2"/><rect x="34" y="30" width="22" height="22" rx="2"/><rect x="21" y="8" width="22" height="22" rx="2"/>`},
	// A cup with steam.
	{"aliment", `<path d="M10 28h36v10a16 16 0 0 1-16 16h-4a16 16 0 0 1-16-16z"/><path d="M46 32h4a6 6 0 0 1 0 12h-5"/><path d="M20 20c0-4 4-4 4-8M30 20c0-4 4-4 4-8"/>`},
	{"epicer", `<path d="M10 28h36v10a16 16 0 0 1-16 16h-4a16 16 0 0 1-16-16z"/><path d="M46 32h4a6 6 0 0 1 0 12h-5"/><path d="M20 20c0-4 4-4 4-8M30 20c0-4 4-4 4-8"/>`},
}

// sac is a shopping bag.
const sac = `<path d="M12 22h40l-4 34H16z"/><path d="M24 22v-6a8 8 0 0 1 16 0v6"/>`
