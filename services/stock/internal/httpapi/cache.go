package httpapi

import (
	"fmt"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"multimagasins/kit"
)

// Cache says how long browsers and the gateway may serve a copy of the
// public reads without asking again (Cache-Control: public, max-age). The
// service keeps no copy of its own: callers that need the current value,
// such as the checkout saga pricing its lines, call it directly and always
// get it.
type Cache struct {
	// Catalogue covers products and stores. A price changes only by a
	// head-office edit, so a few seconds of staleness cost nothing and
	// spare PostgreSQL almost every catalogue read.
	Catalogue time.Duration
	// Niveaux covers a store's stock levels, which every sale changes: kept
	// short, as a shelf count, not a promise. Reservations are checked
	// against the database, never against a cached read, so a stale level
	// can never oversell.
	Niveaux time.Duration
}

// DefaultCache is the staleness the catalogue and stock pages accept.
var DefaultCache = Cache{Catalogue: 5 * time.Second, Niveaux: time.Second}

// cached marks a GET operation as cacheable for maxAge: a strong ETag,
// 304 on a matching If-None-Match, Cache-Control: public, max-age.
func cached(op huma.Operation, maxAge time.Duration) huma.Operation {
	op.Middlewares = append(op.Middlewares, kit.HTTPCache(maxAge))
	op.Description += fmt.Sprintf("Cacheable: answers carry a strong `ETag` and `Cache-Control: %s`; "+
		"`If-None-Match` with the current tag gives 304 Not Modified.", kit.CacheControl(maxAge))
	return op
}
