package ui

import (
	"fmt"
	"html/template"
	"strings"

	qr "github.com/piglig/go-qr"
)

// qrMarge is the quiet zone around a QR code, in modules, as the standard asks.
const qrMarge = 4

// qrSVG draws text as a QR code in an inline <svg> (the CSP forbids data:
// images): one path, a run of dark modules of a row per sub-path. The
// library (ADR 0020) only encodes; the drawing is ours, so the markup holds
// no style attribute and nothing but the path.
func qrSVG(text, libelle string) (template.HTML, error) {
	code, err := qr.EncodeText(text, qr.Medium)
	if err != nil {
		return "", fmt.Errorf("qr: %w", err)
	}
	n := code.Size()
	var d strings.Builder
	for y := range n {
		for x := 0; x < n; {
			if !code.Module(x, y) {
				x++
				continue
			}
			debut := x
			for x < n && code.Module(x, y) {
				x++
			}
			fmt.Fprintf(&d, "M%d %dh%dv1h-%dz", debut+qrMarge, y+qrMarge, x-debut, x-debut)
		}
	}
	cote := n + 2*qrMarge
	return template.HTML(fmt.Sprintf(`<svg class="qr" viewBox="0 0 %d %d" role="img" aria-label="%s" shape-rendering="crispEdges">`+
		`<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="%s"/></svg>`,
		cote, cote, template.HTMLEscapeString(libelle), cote, cote, d.String())), nil
}
