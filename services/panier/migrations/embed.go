// Package migrations holds the panier schema, applied at start by goose.
package migrations

import "embed"

// FS holds the numbered SQL migrations.
//
//go:embed *.sql
var FS embed.FS
