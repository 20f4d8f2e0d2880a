package ui

import (
	"context"
	"net/http"
	"time"

	"multimagasins/kit"
	"multimagasins/kit/api/panierapi"
)

// badgePanier is what the header shows a signed-in client: how many items
// its cart holds. The layout is rendered for everyone; only a client's pages
// carry one, so no staff page waits on the cart service.
type badgePanier struct {
	Articles int
}

type panierLuKey struct{}

// avecPanierLu leaves in ctx the cart a shop handler already read, so the
// header's badge counts it without asking the cart service again.
func avecPanierLu(ctx context.Context, pn panierapi.Panier) context.Context {
	return context.WithValue(ctx, panierLuKey{}, pn)
}

// badgeDelai bounds the cart call of a page that did not read the cart
// itself: a slow cart service costs the page its badge, not its answer.
const badgeDelai = 2 * time.Second

// badgeDe is the header's cart badge for the page answering r: nil for
// anyone but a signed-in client, or when the cart cannot be read.
func (s *Server) badgeDe(r *http.Request) *badgePanier {
	p := kit.PrincipalOf(r.Context())
	if !asClient.allow(p, r) {
		return nil
	}
	pn, ok := r.Context().Value(panierLuKey{}).(panierapi.Panier)
	if !ok {
		ctx, cancel := context.WithTimeout(r.Context(), badgeDelai)
		defer cancel()
		var err error
		if pn, err = s.panier.GetPanier(ctx, p.ClientID); err != nil {
			return nil
		}
	}
	n := 0
	for _, l := range pn.Lignes {
		n += l.Quantite
	}
	return &badgePanier{Articles: n}
}
