// Package migrations holds the identite schema, applied at start by goose.
package migrations

import "embed"

// FS holds the numbered SQL migrations.
//
//go:embed *.sql
var FS embed.FS
