package vignette

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// decode reads the whole picture as XML and returns its text and its
// attribute values, so a test sees what a browser would parse.
func decode(t *testing.T, svg []byte) (racine xml.StartElement, textes, valeurs []string) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(svg))
	d.Strict = true
	premier := true
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err, "the picture is well-formed XML:\n%s", svg)
		switch v := tok.(type) {
		case xml.StartElement:
			if premier {
				racine, premier = v.Copy(), false
			}
			for _, a := range v.Attr {
				valeurs = append(valeurs, a.Value)
			}
		case xml.CharData:
			if s := strings.TrimSpace(string(v)); s != "" {
				textes = append(textes, s)
			}
		}
	}
	return racine, textes, valeurs
}

func TestSVG_IsTheSameForTheSameProduct(t *testing.T) {
	a := SVG("Tapis de yoga", "Sport")
	require.Equal(t, a, SVG("Tapis de yoga", "Sport"))
	require.Equal(t, Version("Tapis de yoga", "Sport"), Version("Tapis de yoga", "Sport"))
	require.Len(t, Version("Tapis de yoga", "Sport"), 12)

	require.NotEqual(t, a, SVG("Ballon de soccer", "Sport"), "another product, other initials")
	require.NotEqual(t, Version("Tapis de yoga", "Sport"), Version("Tapis de yoga", "Maison"))
}

func TestSVG_ColoursComeFromTheCategory(t *testing.T) {
	f1, e1 := couleurs("Électronique")
	f2, e2 := couleurs(" électronique ")
	require.Equal(t, [2]string{f1, e1}, [2]string{f2, e2}, "case, accents and spaces do not change the colours")
	f3, _ := couleurs("Jouets")
	require.NotEqual(t, f1, f3)
	require.Contains(t, string(SVG("Casse-tête", "Jouets")), `fill="`+f3+`"`)
}

// The initials are drawn light on dark: readable whatever the category's hue.
func TestSVG_ContrastIsReadableForEveryHue(t *testing.T) {
	for h := 0; h < 360; h++ {
		fond, encre := hsl(float64(h), 0.55, 0.90), hsl(float64(h), 0.60, 0.25)
		require.GreaterOrEqual(t, contraste(t, fond, encre), 4.5, "hue %d: %s on %s", h, fond, encre)
	}
}

func TestSVG_EscapesTheNameAndStaysValidXML(t *testing.T) {
	nom := `<script>alert("x")</script> & 'co' ]]>` + "\x00\x1b"
	svg := SVG(nom, `Jouets"><script>`)
	require.NotContains(t, string(svg), "<script")
	require.NotContains(t, string(svg), `"x"`)

	racine, textes, valeurs := decode(t, svg)
	require.Equal(t, "svg", racine.Name.Local)
	require.Equal(t, "http://www.w3.org/2000/svg", racine.Name.Space)
	// What the browser reads back is the name as text, never as markup.
	propre := strings.ReplaceAll(strings.ReplaceAll(nom, "\x00", "\uFFFD"), "\x1b", "\uFFFD")
	require.Contains(t, textes, propre, "the title holds the name as text")
	require.Contains(t, valeurs, propre, "the label holds the name as text")
	require.Contains(t, textes, "SA", "the initials of its first two words")
}

func TestSVG_HasASizeAndTheCategorysPictogram(t *testing.T) {
	racine, _, _ := decode(t, SVG("Lampe", "Maison"))
	attrs := map[string]string{}
	for _, a := range racine.Attr {
		attrs[a.Name.Local] = a.Value
	}
	// A width and a height: an <img> of it has a natural size.
	require.Equal(t, strconv.Itoa(Largeur), attrs["width"])
	require.Equal(t, strconv.Itoa(Hauteur), attrs["height"])
	require.Equal(t, "img", attrs["role"])

	require.Contains(t, string(SVG("Lampe", "Maison")), pictogrammes[2].dessin)
	require.Contains(t, string(SVG("Lampe", "Électronique")), pictogrammes[0].dessin)
	require.Contains(t, string(SVG("Lampe", "Quincaillerie")), sac, "an unknown category gets the bag")
}

func TestInitiales(t *testing.T) {
	for nom, want := range map[string]string{
		"Tapis de yoga":          "TY",
		"écouteurs sans fil":     "ÉF",
		"Haltères 2 × 5 kg":      "H2",
		"Sirop d'érable 540 ml":  "SÉ",
		"Cafetière à filtre":     "CF",
		"Café":                   "C",
		"De la":                  "DL",
		"  ":                     "?",
		"<>&":                    "?",
		"Casse-tête 1000 pièces": "CT",
	} {
		require.Equal(t, want, Initiales(nom), nom)
	}
}

// contraste is the WCAG contrast ratio of two #rrggbb colours.
func contraste(t *testing.T, a, b string) float64 {
	t.Helper()
	la, lb := luminance(t, a), luminance(t, b)
	return (math.Max(la, lb) + 0.05) / (math.Min(la, lb) + 0.05)
}

func luminance(t *testing.T, hex string) float64 {
	t.Helper()
	var l float64
	for i, poids := range []float64{0.2126, 0.7152, 0.0722} {
		v, err := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		require.NoError(t, err, hex)
		c := float64(v) / 255
		if c <= 0.03928 {
			c /= 12.92
		} else {
			c = math.Pow((c+0.055)/1.055, 2.4)
		}
		l += poids * c
	}
	return l
}
